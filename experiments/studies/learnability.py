"""Learnability: PPO from scratch, 100,000 steps on each default season, 3 seeds.

Target: mean normalized return >= 0.7 on every season (random policy 0, scripted gardener 1),
over 20 fixed evaluation days with deterministic actions. The project's default
hyperparameters are ``experiments/configs/ppo.yaml``. Finished runs are kept in
``docs/results/learnability/`` and skipped when the script runs again.

Run: ``.venv/bin/python -m experiments.studies.learnability [--steps 100000] [--seeds 0,1,2] [--seasons spring,summer]``
(``--seasons`` also takes season YAML files, e.g. the exploratory summer variants in
``docs/history/summer_variants/``; their results are named by the file's stem).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer

import envs
from envs.normalization import reference_returns
from envs.season_spec import resolve_season
from experiments.report.markdown import markdown_table
from experiments.script_app import ScriptApp, ints_option, list_option
from experiments.studies.ppo_runs import evaluate, load_result, new_ppo, save_result, train

BENCHMARK = "learnability"


def label(season: str) -> str:
    """A season's name in result files and the table: the file's stem for a season YAML file."""
    return Path(season).stem if season.endswith((".yaml", ".yml")) else season


def run_season(season: str, seed: int, steps: int, episodes: int) -> None:
    """Train PPO from scratch on ``season`` and keep its evaluation, unless that run is finished already."""
    name = f"{label(season)}_seed{seed}_{steps}"
    if load_result(BENCHMARK, name) is not None:
        return
    model = new_ppo(season, seed)
    seconds = train(model, steps)
    result = {"season": season, "seed": seed, "steps": steps, "wall_seconds": seconds, **evaluate(model, season, episodes)}
    save_result(BENCHMARK, name, result)
    print(f"{season} seed {seed}: normalized {result['normalized']:.2f} ({seconds:.0f} s)", flush=True)


def learnability_table(seasons: list[str], seeds: list[int], steps: int) -> str:
    """Normalized return per season and seed, and the mean; normalized with the current reference returns."""
    rows = []
    for season in seasons:
        reference = reference_returns(season)
        results = [load_result(BENCHMARK, f"{label(season)}_seed{s}_{steps}") for s in seeds]
        scores = [float(reference.normalize(result["return"])) for result in results if result is not None]
        rows.append([label(season), *(f"{v:.2f}" for v in scores), f"**{np.mean(scores):.2f}**"])
    return markdown_table(["season", *(f"seed {s}" for s in seeds), "mean"], rows)


app = ScriptApp(__name__, __doc__)


@app.command()
def main(
    steps: Annotated[int, typer.Option(help="env steps per run")] = 100_000,
    seeds: Annotated[list[str] | None, typer.Option(help="seeds, comma-separated (default 0,1,2)")] = None,
    seasons: Annotated[
        list[str] | None, typer.Option(help="seasons or season YAML files, comma-separated (default: the four)")
    ] = None,
    episodes: Annotated[int, typer.Option(help="evaluation days")] = 20,
) -> None:
    """Train PPO from scratch on each season and seed; print the normalized returns."""
    seed_values = ints_option(seeds, "--seeds", [0, 1, 2])
    season_names = list_option(seasons, envs.DEFAULT_SEASON_NAMES)
    for season in season_names:
        resolve_season(season)  # ValueError naming the valid seasons
    for season in season_names:
        for seed in seed_values:
            run_season(season, seed, steps, episodes)
    print(f"\nPPO from scratch, {steps:,} steps, normalized return (random 0, gardener 1), {episodes} evaluation days")
    # Normalized when printed, from the raw returns, with the current reference returns.
    print(learnability_table(season_names, seed_values, steps))


if __name__ == "__main__":
    app()
