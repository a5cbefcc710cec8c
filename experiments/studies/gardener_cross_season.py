"""Do the seasons conflict? The scripted gardener configured for season A, run in season B.

Each row is the gardener configured for one season (its rules: which kinds to water and which
to keep dry, its driving style and its map of obstacles); each column is the season it works in.
20 days per cell with fixed seeds. Printed twice: mean return, and the return as a fraction of
the diagonal on the normalized scale (random policy 0, the column's own gardener 1). Each
season's own gardener should score clearly best on it: off-diagonal <= 0.7 for most pairs.

Run: ``.venv/bin/python -m experiments.studies.gardener_cross_season [--episodes 20]``
"""

from __future__ import annotations

import argparse

import numpy as np

import envs
from envs.normalization import gardener_returns, random_returns

SEED = 20_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=20)
    args = parser.parse_args()
    seasons = list(envs.DEFAULT_SEASON_NAMES)
    table = np.array([[gardener_returns(b, a, args.episodes, SEED).mean() for b in seasons] for a in seasons])
    random = np.array([random_returns(b, args.episodes, SEED).mean() for b in seasons])
    diagonal = np.diag(table)
    relative = (table - random) / (diagonal - random)
    header = "| gardener for ↓ / season → | " + " | ".join(seasons) + " |"
    rule = "|---|" + "---|" * len(seasons)
    print(f"Mean return, {args.episodes} days per cell (seeds {SEED}..)\n{header}\n{rule}")
    for a, row in zip(seasons, table, strict=True):
        print(f"| {a} | " + " | ".join(f"{v:.2f}" for v in row) + " |")
    print("| random policy | " + " | ".join(f"{v:.2f}" for v in random) + " |")
    print(f"\nFraction of the diagonal (random 0, own gardener 1)\n{header}\n{rule}")
    for a, row in zip(seasons, relative, strict=True):
        print(
            f"| {a} | "
            + " | ".join(f"**{v:.2f}**" if a == b else f"{v:.2f}" for b, v in zip(seasons, row, strict=True))
            + " |"
        )
    off = relative[~np.eye(len(seasons), dtype=bool)]
    print(f"\noff-diagonal pairs <= 0.7: {np.sum(off <= 0.7)} of {off.size}; largest off-diagonal: {off.max():.2f}")


if __name__ == "__main__":
    main()
