"""PPO training speed on every env version: env steps per second of the ``finetune`` learner, side by side.

For each season asked, one ``finetune`` learner per env version (``make_learner("finetune",
seed=0, env_id="GardenWatering-vN")``: SB3 PPO with the project's defaults, 8 DummyVecEnv
copies) starts the season, warms up for one update, then the learners take turns training
``--steps`` env steps (rollouts and updates, as in a run), the order swapped every round; the
median of the rounds is reported, and the target is judged on the median of the rounds' ratios
(each round's two learners run back to back, so the ratio cancels most of a VM's drifting speed,
which moved the same learner's rate by 30% between rounds here). Only the env differs between them. Each round also says where
the time went: stepping the envs (the VecEnv's ``step_wait``), the PPO update (``train``), and the
rest of the rollout (the policy's forward pass, the rollout buffer, SB3's callbacks and logging).

Target (issue 16): v1 >= 1.6x v0 (the ``finetune`` learner, one season).

The PPO settings are the project's defaults, or the ``ppo:`` keys of ``--config`` over them
(``experiments/configs/ppo_before_search.yaml``: the defaults before issue 17's search, which the
first measurement used).

Run: ``.venv/bin/python -m experiments.benchmarks.training_speed [--seasons spring] [--steps 4096] [--rounds 7]
[--config FILE] [--out docs/results/training_speed/result.json]`` (a few minutes per season; run it on a
quiet machine); ``--report`` prints the table again from ``--out``.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import platform
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import torch
import typer

import envs
from agent import ContinualLearner, make_learner
from agent.core.ppo_defaults import default_ppo_config
from envs.atomic_io import atomic_write_json
from experiments import RESULTS
from experiments.benchmarks import stored_result
from experiments.pipeline.config import read_config_file, resolve_ppo
from experiments.report.markdown import markdown_table
from experiments.script_app import ScriptApp, list_option

RESULT = RESULTS / "training_speed" / "result.json"
#: Target: the newest version's training env steps per second over v0's.
TARGET = 1.6


#: The parts of a training round the breakdown times, besides the whole.
PARTS = ("env", "update")


@contextlib.contextmanager
def timing(obj: Any, method: str, seconds: dict[str, float], part: str) -> Iterator[None]:
    """Add the wall time of every call of ``obj.method`` to ``seconds[part]`` while inside (an instance-level wrapper)."""
    original = getattr(obj, method)

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            seconds[part] += time.perf_counter() - start

    setattr(obj, method, timed)
    try:
        yield
    finally:
        delattr(obj, method)  # the class's method again


def timed_round(learner: ContinualLearner, season: str, steps: int) -> dict[str, float]:
    """Env steps per second of ``learn`` (rollouts and PPO updates), and the shares of the env and the update."""
    model = learner.acting_model(season)
    seconds = dict.fromkeys(PARTS, 0.0)
    before = model.num_timesteps
    with timing(model.env, "step_wait", seconds, "env"), timing(model, "train", seconds, "update"):
        start = time.perf_counter()
        learner.learn(steps)
        total = time.perf_counter() - start
    return {"steps_per_second": (model.num_timesteps - before) / total} | {p: seconds[p] / total for p in PARTS}


def measure(seasons: list[str], steps: int, rounds: int, ppo: dict[str, Any] | None = None) -> dict[str, Any]:
    """Training env steps per second of every version on each season (lists over the rounds).

    ``ppo``: the PPO settings (``None``: the project's defaults, ``agent/core/ppo.yaml``).
    """
    versions = list(envs.ENV_VERSIONS)
    result: dict[str, Any] = {}
    for season in seasons:
        learners = {v: make_learner("finetune", seed=0, env_id=envs.generic_env_id(v), ppo_config=ppo) for v in versions}
        for learner in learners.values():
            learner.start_season(season)
            learner.learn(1)  # warm-up: SB3 finishes the rollout, so one rollout and one update
        speeds: dict[int, list[float]] = {v: [] for v in versions}
        shares: dict[int, dict[str, list[float]]] = {v: {p: [] for p in PARTS} for v in versions}
        for round_index in range(rounds):
            for v in versions if round_index % 2 == 0 else reversed(versions):
                measured = timed_round(learners[v], season, steps)
                speeds[v].append(measured["steps_per_second"])
                for part in PARTS:
                    shares[v][part].append(measured[part])
            print(f"{season} round {round_index + 1}: " + ", ".join(f"v{v} {speeds[v][-1]:.0f}" for v in versions), flush=True)
        for learner in learners.values():
            learner.close()
        result[season] = {f"v{v}": speeds[v] for v in versions}
        result[season]["shares"] = {f"v{v}": shares[v] for v in versions}
    return {"seasons": result}


def report(result: dict[str, Any]) -> None:
    """Print the table of medians and the target's verdict (on the median of the rounds' paired ratios) from a result."""
    versions = sorted(key for key in next(iter(result["seasons"].values())) if key != "shares")
    newest, oldest = versions[-1], versions[0]
    header = ["season", *(f"{v} training env steps/s" for v in versions)]
    rows, ratios = [], []
    for season, by_version in result["seasons"].items():
        speed = {v: statistics.median(by_version[v]) for v in versions}
        # Paired: each round's two learners ran back to back, so their ratio cancels the machine's drift.
        ratios.append(statistics.median(new / old for new, old in zip(by_version[newest], by_version[oldest], strict=True)))
        of_medians = speed[newest] / speed[oldest]
        rows.append([season, *(f"{speed[v]:.0f}" for v in versions), f"{of_medians:.2f}", f"**{ratios[-1]:.2f}**"])
    header += [f"{newest} / {oldest} of the medians", f"{newest} / {oldest} (median of the rounds' ratios)"]
    rounds = f"{result['steps']} env steps x {result['rounds']} interleaved rounds (median)"
    settings = result.get("ppo_config") or "the PPO defaults of then"  # results saved before the option
    print(f"{result['machine']}; finetune, {settings}, {rounds}; {result['date']}")
    print(markdown_table(header, rows))
    # The target is stated for one season: say where it is met.
    for season, ratio in zip(result["seasons"], ratios, strict=True):
        verdict = "met" if ratio >= TARGET else f"missed by {TARGET - ratio:.2f}"
        print(f"{season}: {newest} / {oldest} {ratio:.2f} (target >= {TARGET}: {verdict})")
    breakdown(result, versions)


def breakdown(result: dict[str, Any], versions: list[str]) -> None:
    """Print where a training round's time went (median shares), when the result has them."""
    rows = []
    for season, by_version in result["seasons"].items():
        for version in versions if "shares" in by_version else []:
            share = {part: statistics.median(by_version["shares"][version][part]) for part in PARTS}
            rest = 1.0 - sum(share.values())
            rows.append([season, version, f"{share['env']:.0%}", f"{rest:.0%}", f"{share['update']:.0%}"])
    if rows:
        print("\nWhere a training round's time goes (median share of the wall time)")
        header = ["season", "env", "stepping the envs", "rest of the rollout (policy, buffer)", "PPO update"]
        print(markdown_table(header, rows))


app = ScriptApp(__name__, __doc__)


@app.command()
def main(
    seasons: Annotated[list[str] | None, typer.Option(help="default seasons, comma-separated")] = None,
    steps: Annotated[int, typer.Option(help="env steps per timed round")] = 4096,
    rounds: Annotated[int, typer.Option(help="interleaved rounds (the median is reported)")] = 7,
    config: Annotated[Path | None, typer.Option(help="a training config whose ppo: settings to use")] = None,
    out: Annotated[Path, typer.Option(help="the result file")] = RESULT,
    report_only: Annotated[bool, typer.Option("--report", help="print the table from --out without measuring")] = False,
) -> None:
    """Time PPO training (the finetune learner) on every env version side by side."""
    if report_only:
        report(stored_result(out))
        return
    # The config's ppo: keys over the project's defaults, checked (ConfigError, a ValueError, names the key).
    ppo = resolve_ppo(read_config_file(config).get("ppo") or {}) if config else default_ppo_config()
    names = list_option(seasons, ["spring"])
    for name in names:
        envs.default_season(name)  # ValueError naming the valid seasons
    if steps < 1 or rounds < 1:
        raise ValueError(f"--steps and --rounds must be >= 1, got {steps} and {rounds}")
    machine = f"python {platform.python_version()}, torch {torch.__version__}, {platform.machine()}, {os.cpu_count()} cores"
    print(machine, flush=True)
    result = measure(names, steps, rounds, ppo)
    given = f" --config {config}" if config else ""
    result |= {
        "command": "python -m experiments.benchmarks.training_speed "
        f"--seasons {','.join(names)} --steps {steps} --rounds {rounds}{given} --out {out}",
        "ppo_config": str(config) if config else "the project's PPO defaults",
        "ppo": ppo,
        "steps": steps,
        "rounds": rounds,
        "machine": f"{machine}, torch threads {torch.get_num_threads()}, load average {os.getloadavg()[0]:.1f} at the end",
        "date": datetime.date.today().isoformat(),
    }
    atomic_write_json(out, result)
    print(f"Wrote {out}\n")
    report(result)


if __name__ == "__main__":
    app()
