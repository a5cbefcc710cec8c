"""Winter after three seasons: does a fine-tuned network still learn it, with and without the action-bound loss?

For seeds 0, 1 and 2, ``finetune`` without the action-bound loss (``-o action_bound_coef=0``:
SB3's PPO update bit for bit, the learner as it was before the loss) trains the benchmark's four
seasons (``experiments/configs/four_seasons.yaml``, 100,000 env steps each) into
``runs/winter_plasticity/finetune-unbounded_seed<seed>``. Its autumn checkpoint then learns
winter again for 100,000 steps, with the loss off and on (``action_bound_coef=1``, the default
since), from two random states: the one the run had there (with the loss off, this repeats the
run's own winter) and a reseeded one. For each it prints the share of action means outside the
action box on winter's states before training, and every season's normalized return after (10
evaluation days, as in the return matrix).

Results: ``docs/results/winter_plasticity/<variant>_seed<seed>_repeat<r>.json``; finished
ones are skipped, so the script continues where it stopped (delete them to measure again).
About 50 minutes of one core with the three runs already trained, 1.5 hours more without.

Run: ``.venv/bin/python -m experiments.studies.winter_plasticity [--seeds 0,1,2] [--repeats 2]``
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, cast

import gymnasium as gym
import numpy as np
import torch as th
import typer
from stable_baselines3.common.utils import set_random_seed

from agent.core.checkpoint import capture_rng, restore_rng
from agent.core.season_envs import collect_states
from agent.methods.finetune import Finetune
from envs.atomic_io import atomic_write_json
from envs.ids import LEGACY_ENV_ID
from experiments import RESULTS
from experiments.pipeline.config import CONFIG_DIR
from experiments.pipeline.evaluation import SeasonEvaluator
from experiments.pipeline.run_folder import read_config, read_json
from experiments.report.markdown import markdown_table
from experiments.script_app import ScriptApp, ints_option
from experiments.sweep.driver import run_sweep
from experiments.sweep.runs import run_spec

SEASONS = ["spring", "summer", "autumn", "winter"]
STEPS = 100_000
VARIANTS = {"unbounded": 0.0, "bounded": 1.0}  # action_bound_coef while winter is learned
OUT = Path("runs/winter_plasticity")


def outside_box_share(learner: Finetune, season: str, seed: int) -> float:
    """Share of action-mean components outside the action box on 2,048 states the policy visits in ``season``."""
    model = learner.checkpoint_model()
    states = collect_states(model, season, 2_048, learner.n_envs, seed, env_id=learner.env_id)
    box = cast(gym.spaces.Box, model.action_space)
    with th.no_grad():
        means = cast(th.distributions.Normal, model.policy.get_distribution(th.as_tensor(states)).distribution).mean
    low, high = th.as_tensor(box.low), th.as_tensor(box.high)
    return float(((means < low) | (means > high)).float().mean())


def probe(run_dir: Path, seed: int, coef: float, repeat: int) -> dict[str, float]:
    """Winter learned from the run's autumn checkpoint with ``action_bound_coef=coef``.

    Repeat 0 continues with the random state the run had after autumn (so with the loss off it
    is the run's own winter again); repeat r > 0 reseeds torch, numpy and python with
    ``1000 r + seed`` (the training envs keep the run's seeds: the days differ through the policy's
    sampled actions only).
    """
    (checkpoint,) = run_dir.glob("season_3_*")
    learner = cast(Finetune, Finetune.load(checkpoint, ppo_config=read_config(run_dir)["ppo"]))
    if repeat:
        set_random_seed(1000 * repeat + seed)
    learner.action_bound_coef = coef
    learner.start_season("winter")
    rng = capture_rng()  # the share is measured with sampled actions; training must not see that
    share = outside_box_share(learner, "winter", seed=20_000 + seed)
    restore_rng(rng)
    learner.learn(learner.season_timesteps(STEPS))
    learner.end_season()
    evaluator = SeasonEvaluator(SEASONS, episodes=10, env_id=learner.env_id)
    _, normalized = evaluator.row(learner, SEASONS)
    evaluator.close()
    learner.close()
    info = {"action_bound_coef": coef, "repeat": repeat, "means_outside_box_before": share}
    return info | dict(zip(SEASONS, normalized, strict=True))


def probes(runs: dict[int, Path], repeats: int) -> list[tuple[str, int, dict[str, Any]]]:
    """``(variant, seed, result)`` of every probe, running those without a result file yet."""
    rows = []
    for repeat in range(repeats):
        for seed, run_dir in runs.items():
            for variant, coef in VARIANTS.items():
                path = RESULTS / "winter_plasticity" / f"{variant}_seed{seed}_repeat{repeat}.json"
                if not path.is_file():
                    atomic_write_json(path, probe(run_dir, seed, coef, repeat))
                rows.append((variant, seed, read_json(path)))
    return rows


def plasticity_table(rows: list[tuple[str, int, dict[str, Any]]]) -> str:
    """One row per probe: the share of action means outside the box before, and every season's return after."""
    header = ["winter learned", "seed", "repeat", "means outside [-1, 1] before", *SEASONS]
    body = [
        [variant, str(seed), str(r["repeat"]), f"{r['means_outside_box_before']:.2f}", *(f"{r[s]:.2f}" for s in SEASONS)]
        for variant, seed, r in sorted(rows, key=lambda row: (row[0] == "bounded", row[1], row[2]["repeat"]))
    ]
    return markdown_table(header, body)


#: ``agent/core/ppo.yaml`` before issue 17's search changed the defaults (the study's runs were trained with it).
PPO_BEFORE_SEARCH = {
    "n_envs": 8,
    "n_steps": 256,
    "batch_size": 256,
    "n_epochs": 10,
    "learning_rate": 0.001,
    "gamma": 0.97,
    "gae_lambda": 0.95,
    "clip_range": 0.2,
    "ent_coef": 0.0,
    "vf_coef": 0.5,
    "max_grad_norm": 0.5,
    "policy_kwargs": {"net_arch": [128, 128], "log_std_init": -0.5},
}

app = ScriptApp(__name__, __doc__)


@app.command()
def main(
    seeds: Annotated[list[str] | None, typer.Option(help="seeds, comma-separated (default 0,1,2)")] = None,
    repeats: Annotated[int, typer.Option(help="winters learned per checkpoint and variant")] = 2,
) -> None:
    """Train the unbounded finetune runs if needed, learn winter again from their autumn checkpoints, print the table."""
    seed_values = ints_option(seeds, "--seeds", [0, 1, 2])
    th.set_num_threads(1)
    runs = {seed: OUT / f"finetune-unbounded_seed{seed}" for seed in seed_values}
    config = CONFIG_DIR / "four_seasons.yaml"
    unbounded = {"action_bound_coef": 0.0}
    # The study was measured on v0 (docs/methods.md) with the PPO defaults of then; the runs stay there so
    # the command reproduces it.
    on_v0 = {"env": LEGACY_ENV_ID, "ppo": PPO_BEFORE_SEARCH}
    specs = [run_spec(run.name, "finetune", seed, config, on_v0, unbounded) for seed, run in runs.items()]
    OUT.mkdir(parents=True, exist_ok=True)
    run_sweep(specs, OUT, jobs=1)  # one at a time, as before: the probes below take the other core
    rows = probes(runs, repeats)
    print(plasticity_table(rows))
    for variant in VARIANTS:
        picked = [r for v, _, r in rows if v == variant]
        means = {s: np.mean([r[s] for r in picked]) for s in SEASONS}
        print(f"{variant}: " + ", ".join(f"{s} {m:.2f}" for s, m in means.items()) + f" (mean of {len(picked)} winters)")


if __name__ == "__main__":
    app()
