"""Evaluation days: the same PPO-from-scratch networks scored on the learnability study's days, the benchmark's, and many more.

PPO from scratch scores differently in the learnability study (and the PPO search) and in the
methods benchmark (``scratch``'s diagonal): autumn 0.97 against 0.77 on v1. The two differ in two
ways. The days: the study plays 20 successive days of one env seeded 10,000; the benchmark plays
one day on each of 10 envs seeded 10,000 + i (``experiments.pipeline.evaluation``). The network: the
benchmark's ``scratch`` trains season k of a run with seed ``s`` from a network and envs seeded
``s + 1000 k`` (``ContinualLearner.env_seed``), which is otherwise the study's training with that seed.

So for each season and seed this study trains PPO from scratch exactly as the learnability study
does (``new_ppo(season, seed)``, 100,000 env steps) and scores the one network on three sets of
days with deterministic actions: the study's 20, the benchmark's 10, and ``--wide`` days (10 envs
seeded 10,000 + i, ``--wide``/10 successive days each; the first day of each env is the
benchmark's). Seeds ``s`` are the study's runs; seeds ``s + 1000 k`` reproduce the benchmark's
``scratch`` network of seed ``s`` on the season in position ``k`` of the documented order.
Finished runs are kept in ``docs/results/evaluation_days/ENV_ID/ppo-HASH/`` and skipped.

Run: ``.venv/bin/python -m experiments.studies.evaluation_days [--seasons autumn,winter] [--seeds 0,1,2]
[--benchmark-seeds/--no-benchmark-seeds] [--wide 100]``
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import typer

import envs
from agent.core.season_envs import check_env_id
from envs.season_spec import resolve_season
from experiments.pipeline.evaluation import EVAL_SEED, MAX_EVAL_ENVS, SeasonEvaluator
from experiments.report.markdown import markdown_table
from experiments.script_app import ScriptApp, ints_option, list_option
from experiments.studies.ppo_runs import DEFAULT_ENV_ID, evaluate, load_result, new_ppo, save_result, train

BENCHMARK = "evaluation_days"
#: The three day sets, in the table's order.
DAY_SETS = ("study", "benchmark", "wide")


def benchmark_seed(season: str, seed: int) -> int:
    """The seed of the benchmark's ``scratch`` network on ``season`` in a run of seed ``seed`` (the documented order)."""
    return seed + 1000 * (envs.DEFAULT_SEASON_NAMES.index(season) + 1)


def run_name(season: str, seed: int, steps: int, wide: int) -> str:
    """The result file's name of one run."""
    return f"{season}_seed{seed}_{steps}_wide{wide}"


def day_scores(model: Any, season: str, wide: int, env_id: str) -> dict[str, float]:
    """Normalized mean return of ``model`` on each day set."""
    study = evaluate(model, season, 20, env_id)["normalized"]
    scores = {"study": study}
    for day_set, episodes in (("benchmark", MAX_EVAL_ENVS), ("wide", wide)):
        evaluator = SeasonEvaluator([season], episodes, env_id)
        scores[day_set] = evaluator.normalize(season, evaluator.mean_return(model, season))
        evaluator.close()
    return scores


def run_season(season: str, seed: int, steps: int, wide: int, env_id: str) -> dict[str, Any]:
    """Train PPO from scratch on ``season`` with ``seed`` and score it on every day set (the stored result if finished)."""
    name = run_name(season, seed, steps, wide)
    if (result := load_result(BENCHMARK, env_id, name)) is not None:
        return result
    model = new_ppo(season, seed, env_id=env_id)
    seconds = train(model, steps)
    scores = day_scores(model, season, wide, env_id)
    result = {"env": env_id, "season": season, "seed": seed, "steps": steps, "wall_seconds": seconds, "wide_days": wide}
    result["normalized"] = scores
    save_result(BENCHMARK, env_id, name, result)
    print(f"{season} seed {seed}: " + ", ".join(f"{k} {v:.2f}" for k, v in scores.items()) + f" ({seconds:.0f} s)", flush=True)
    return result


def season_table(results: dict[str, list[dict[str, Any]]]) -> str:
    """One row per group of seeds: each seed's score on each day set, and the means."""
    rows = []
    for group, runs in results.items():
        seeds = ", ".join(str(run["seed"]) for run in runs)
        means = [np.mean([run["normalized"][d] for run in runs]) for d in DAY_SETS]
        each = [" / ".join(f"{run['normalized'][d]:.2f}" for run in runs) for d in DAY_SETS]
        rows.append([group, seeds, *(f"{e} (**{m:.2f}**)" for e, m in zip(each, means, strict=True))])
    return markdown_table(["networks", "seeds", *(f"{d} days" for d in DAY_SETS)], rows)


app = ScriptApp(__name__, __doc__)


@app.command()
def main(
    seasons: Annotated[list[str] | None, typer.Option(help="default seasons, comma-separated (default autumn,winter)")] = None,
    seeds: Annotated[list[str] | None, typer.Option(help="run seeds, comma-separated (default 0,1,2)")] = None,
    benchmark_seeds: Annotated[
        bool, typer.Option(help="also train the benchmark's scratch networks (seed + 1000 x position)")
    ] = True,
    steps: Annotated[int, typer.Option(help="env steps per run")] = 100_000,
    wide: Annotated[int, typer.Option(help=f"days of the wide set (a multiple of {MAX_EVAL_ENVS})")] = 100,
    env: Annotated[str, typer.Option(help="garden env id")] = DEFAULT_ENV_ID,
) -> None:
    """Train PPO from scratch per season and seed; print its score on each set of days."""
    env_id = check_env_id(env)  # ValueError naming the valid ids
    seed_values = ints_option(seeds, "--seeds", [0, 1, 2])
    season_names = list_option(seasons, ["autumn", "winter"])
    for season in season_names:
        if resolve_season(season).name not in envs.DEFAULT_SEASON_NAMES:
            raise ValueError(f"--seasons takes default seasons ({', '.join(envs.DEFAULT_SEASON_NAMES)}), got {season!r}")
    if steps < 1 or wide < MAX_EVAL_ENVS or wide % MAX_EVAL_ENVS:
        raise ValueError(f"--steps must be >= 1 and --wide a positive multiple of {MAX_EVAL_ENVS}, got {steps} and {wide}")
    days = f"the study's 20 days, the benchmark's 10 and {wide} ({wide // MAX_EVAL_ENVS} on each of 10 envs)"
    print(f"{env_id}: PPO from scratch, {steps:,} steps; normalized return on {days}, first seed {EVAL_SEED}")
    every_network = {}
    for season in season_names:
        groups = {"the study's": [run_season(season, s, steps, wide, env_id) for s in seed_values]}
        if benchmark_seeds:
            runs = [run_season(season, benchmark_seed(season, s), steps, wide, env_id) for s in seed_values]
            groups[f"the benchmark's scratch (run seeds {', '.join(map(str, seed_values))})"] = runs
        print(f"\n{season}")
        print(season_table(groups))
        every_network[season] = [run for runs in groups.values() for run in runs]
    print("\nMean of every network per season")
    rows = [
        [season, len(runs), *(f"{np.mean([r['normalized'][d] for r in runs]):.2f}" for d in DAY_SETS)]
        for season, runs in every_network.items()
    ]
    print(markdown_table(["season", "networks", *(f"{d} days" for d in DAY_SETS)], rows))


if __name__ == "__main__":
    app()
