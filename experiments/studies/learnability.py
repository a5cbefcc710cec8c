"""Learnability: PPO from scratch, 100,000 steps on each default season, 3 seeds.

Target: mean normalized return >= 0.7 on every season (random policy 0, scripted gardener 1),
over 20 fixed evaluation days with deterministic actions. The project's default
hyperparameters are ``agent/core/ppo.yaml``. Finished runs are kept in
``docs/results/learnability/ENV_ID/ppo-HASH/`` (one folder per PPO set-up)
and skipped when the script runs again. ``--env`` picks the
env version (default the newest); when another version has the same runs, a second table compares
the two, each normalized against its own version's gardener.

Run: ``.venv/bin/python -m experiments.studies.learnability [--env GardenWatering-v1] [--seeds 0,1,2] [--seasons spring]``
Variants of the defaults (docs/search.md#what-was-tried-after-the-search), each run in its own
``ppo-HASH`` folder: ``--lr-schedule linear`` and ``--lr-scale X`` (a learning rate annealed to 0
within the run, or scaled), ``--shaping path`` (training on the env's reward plus shaping by the
path around obstacles, ``agent/components/path_shaping.py``), ``--normalize-reward`` (rewards scaled
by SB3's ``VecNormalize``), ``--normalize-observations`` (observations standardized by it),
``--action-bound-coef X`` (the continual learners' action-bound loss),
and ``--config FILE`` (the ``ppo:`` settings of a training config over the defaults).
(``--seasons`` also takes season YAML files, e.g. the exploratory summer variants in
``docs/history/summer_variants/``; their results are named by the file's stem).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

import envs
from agent.core.season_envs import check_env_id
from envs.season_spec import resolve_season
from experiments.pipeline.config import read_config_file, resolve_ppo
from experiments.report.markdown import markdown_table
from experiments.script_app import ScriptApp, ints_option, list_option
from experiments.studies.ppo_runs import (
    DEFAULT_ENV_ID,
    LR_SCHEDULES,
    evaluate,
    load_result,
    new_ppo,
    normalized,
    ppo_setup,
    save_result,
    train,
)

BENCHMARK = "learnability"


def label(season: str) -> str:
    """A season's name in result files and the table: the file's stem for a season YAML file."""
    return Path(season).stem if season.endswith((".yaml", ".yml")) else season


def run_name(season: str, seed: int, steps: int) -> str:
    """The result file's name of one run (in the env's folder)."""
    return f"{label(season)}_seed{seed}_{steps}"


def run_season(season: str, seed: int, steps: int, episodes: int, env_id: str, setup: dict[str, Any] | None = None) -> None:
    """Train PPO from scratch on ``season`` and keep its evaluation, unless that run is finished already.

    ``setup``: the PPO set-up (:func:`experiments.studies.ppo_runs.ppo_setup`; default the project's defaults).
    """
    name = run_name(season, seed, steps)
    if load_result(BENCHMARK, env_id, name, setup) is not None:
        return
    model = new_ppo(season, seed, setup, env_id=env_id)
    seconds = train(model, steps)
    evaluation = evaluate(model, season, episodes, env_id)
    result = {"env": env_id, "season": season, "seed": seed, "steps": steps, "wall_seconds": seconds, **evaluation}
    save_result(BENCHMARK, env_id, name, result, setup)
    print(f"{env_id} {season} seed {seed}: normalized {result['normalized']:.2f} ({seconds:.0f} s)", flush=True)


def season_scores(
    season: str, seeds: list[int], steps: int, env_id: str, setup: dict[str, Any] | None = None
) -> list[float] | None:
    """Normalized returns of the finished runs (current references of the env's version); None if any is missing."""
    results = [load_result(BENCHMARK, env_id, run_name(season, s, steps), setup) for s in seeds]
    if any(result is None for result in results):
        return None
    return [normalized(season, result["return"], env_id) for result in results if result is not None]


def learnability_table(
    seasons: list[str], seeds: list[int], steps: int, env_id: str, setup: dict[str, Any] | None = None
) -> str:
    """Normalized return per season and seed, and the mean; normalized with the current reference returns."""
    rows = []
    for season in seasons:
        scores = season_scores(season, seeds, steps, env_id, setup) or []
        rows.append([label(season), *(f"{v:.2f}" for v in scores), f"**{np.mean(scores):.2f}**"])
    return markdown_table(["season", *(f"seed {s}" for s in seeds), "mean"], rows)


def versions_table(seasons: list[str], seeds: list[int], steps: int, env_id: str, other_id: str) -> str | None:
    """Mean normalized return per season on two env ids (each against its own gardener); None unless both finished."""
    rows = []
    for season in seasons:
        scores, other = season_scores(season, seeds, steps, env_id), season_scores(season, seeds, steps, other_id)
        if scores is None or other is None:
            return None
        difference = np.mean(scores) - np.mean(other)
        rows.append([label(season), f"{np.mean(other):.2f}", f"{np.mean(scores):.2f}", f"**{difference:+.2f}**"])
    return markdown_table(["season", other_id, env_id, "difference"], rows)


def variant_label(setup: dict[str, Any], config: Path | None) -> str:
    """How a set-up differs from the project's defaults, for the table's title ("" for the defaults)."""
    parts = []
    if "lr_schedule" in setup:
        parts.append(f"learning rate {setup['lr_scale']:g}x the default's, {setup['lr_schedule']}")
    if config is not None:
        parts.append(f"the ppo: settings of {config}")
    if setup.get("shaping") == "path":
        parts.append("trained with shaping by the path around obstacles")
    if setup.get("normalize_reward"):
        parts.append("trained on rewards scaled by VecNormalize")
    if setup.get("normalize_observations"):
        parts.append("observations standardized by VecNormalize")
    if "action_bound_coef" in setup:
        parts.append(f"with the action-bound loss (weight {setup['action_bound_coef']:g})")
    return "".join(f", {part}" for part in parts)


app = ScriptApp(__name__, __doc__)


@app.command()
def main(
    steps: Annotated[int, typer.Option(help="env steps per run")] = 100_000,
    seeds: Annotated[list[str] | None, typer.Option(help="seeds, comma-separated (default 0,1,2)")] = None,
    seasons: Annotated[
        list[str] | None, typer.Option(help="seasons or season YAML files, comma-separated (default: the four)")
    ] = None,
    episodes: Annotated[int, typer.Option(help="evaluation days")] = 20,
    env: Annotated[str, typer.Option(help="garden env id (a registered id that takes season=)")] = DEFAULT_ENV_ID,
    compare_to: Annotated[str, typer.Option(help="env id whose finished runs the second table compares")] = "",
    lr_schedule: Annotated[
        str, typer.Option(help=f"learning rate through a run: {' or '.join(LR_SCHEDULES)} (annealed to 0)")
    ] = "constant",
    lr_scale: Annotated[float, typer.Option(help="times the default learning rate")] = 1.0,
    shaping: Annotated[str, typer.Option(help="training-time shaping over the env's reward: none or path")] = "none",
    normalize_reward: Annotated[bool, typer.Option(help="train on rewards scaled by SB3's VecNormalize")] = False,
    action_bound_coef: Annotated[float, typer.Option(help="weight of the learners' action-bound loss (0: none)")] = 0.0,
    normalize_observations: Annotated[
        bool, typer.Option(help="standardize observations by SB3's VecNormalize (running statistics)")
    ] = False,
    config: Annotated[Path | None, typer.Option(help="a training config whose ppo: settings to use over the defaults")] = None,
) -> None:
    """Train PPO from scratch on each season and seed; print the normalized returns."""
    # ValueError naming the valid schedules and shapings, or the bad value.
    setup = ppo_setup(lr_schedule, lr_scale, shaping, normalize_reward, action_bound_coef, normalize_observations)
    if config is not None:
        # The config's ppo: keys over the defaults, checked (ConfigError, a ValueError, names the key).
        setup |= resolve_ppo(read_config_file(config).get("ppo") or {})
    env_id = check_env_id(env)  # ValueError naming the valid ids
    other_id = check_env_id(compare_to) if compare_to else ""
    seed_values = ints_option(seeds, "--seeds", [0, 1, 2])
    season_names = list_option(seasons, envs.DEFAULT_SEASON_NAMES)
    for season in season_names:
        resolve_season(season)  # ValueError naming the valid seasons
    for season in season_names:
        for seed in seed_values:
            run_season(season, seed, steps, episodes, env_id, setup)
    variant = variant_label(setup, config)
    print(f"\n{env_id}: PPO from scratch{variant}, {steps:,} steps, normalized return (random 0, gardener 1), {episodes} days")
    # Normalized when printed, from the raw returns, with the current reference returns.
    print(learnability_table(season_names, seed_values, steps, env_id, setup))
    if other_id and (table := versions_table(season_names, seed_values, steps, env_id, other_id)) is not None:
        print(f"\nMean normalized return, each env against its own gardener ({len(seed_values)} seeds)")
        print(table)


if __name__ == "__main__":
    app()
