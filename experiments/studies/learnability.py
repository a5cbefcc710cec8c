"""Learnability: PPO from scratch, 100,000 steps on each default season, 3 seeds.

Target: mean normalized return >= 0.7 on every season (random policy 0, scripted gardener 1),
over 20 fixed evaluation days with deterministic actions. The project's default
hyperparameters are ``experiments/configs/ppo.yaml``. Finished runs are kept in
``docs/results/learnability/`` and skipped when the script runs again.

Run: ``.venv/bin/python -m experiments.studies.learnability [--steps 100000] [--seeds 0 1 2] [--seasons ...]``
(``--seasons`` also takes season YAML files, e.g. the exploratory summer variants in
``experiments/configs/summer_variants/``; their results are named by the file's stem).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import envs
from envs.normalization import reference_returns
from experiments.studies.ppo_runs import evaluate, load_result, new_ppo, save_result, train

BENCHMARK = "learnability"


def label(season: str) -> str:
    """A season's name in result files and the table: the file's stem for a season YAML file."""
    return Path(season).stem if season.endswith((".yaml", ".yml")) else season


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--seasons", nargs="+", default=list(envs.DEFAULT_SEASON_NAMES))
    parser.add_argument("--episodes", type=int, default=20)
    args = parser.parse_args()
    for season in args.seasons:
        for seed in args.seeds:
            name = f"{label(season)}_seed{seed}_{args.steps}"
            if load_result(BENCHMARK, name) is not None:
                continue
            model = new_ppo(season, seed)
            seconds = train(model, args.steps)
            result = {
                "season": season,
                "seed": seed,
                "steps": args.steps,
                "wall_seconds": seconds,
                **evaluate(model, season, args.episodes),
            }
            save_result(BENCHMARK, name, result)
            print(f"{season} seed {seed}: normalized {result['normalized']:.2f} ({seconds:.0f} s)", flush=True)
    print(
        f"\nPPO from scratch, {args.steps:,} steps, normalized return (random 0, gardener 1), {args.episodes} evaluation days"
    )
    print(f"| season | {' | '.join(f'seed {s}' for s in args.seeds)} | mean |")
    print(f"|---|{'---|' * len(args.seeds)}---|")
    # Normalized when printed, from the raw returns, with the current reference returns.
    for season in args.seasons:
        reference = reference_returns(season)
        results = [load_result(BENCHMARK, f"{label(season)}_seed{s}_{args.steps}") for s in args.seeds]
        scores = [reference.normalize(result["return"]) for result in results]
        print(f"| {label(season)} | {' | '.join(f'{v:.2f}' for v in scores)} | **{np.mean(scores):.2f}** |")


if __name__ == "__main__":
    main()
