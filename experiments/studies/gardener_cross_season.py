"""Do the seasons conflict? The scripted gardener configured for season A, run in season B.

Each row is the gardener configured for one season (its rules: which kinds to water and which
to keep dry, its driving style and its map of obstacles); each column is the season it works in.
The env version (``--version``, default the newest) sets the physics and which gardener plays
(``envs.gardeners.make_gardener``).
20 days per cell with fixed seeds. Printed twice: mean return, and the return as a fraction of
the diagonal on the normalized scale (random policy 0, the column's own gardener 1). Each
season's own gardener should score clearly best on it: off-diagonal <= 0.7 for most pairs.

Run: ``.venv/bin/python -m experiments.studies.gardener_cross_season [--episodes 20] [--version 1]``
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
import typer

import envs
from envs.normalization import gardener_returns, random_returns
from experiments.report.markdown import markdown_table
from experiments.script_app import ScriptApp

SEED = 20_000


app = ScriptApp(__name__, __doc__)


@app.command()
def main(
    episodes: Annotated[int, typer.Option(help="days per cell")] = 20,
    version: Annotated[int, typer.Option(help="env version (its physics and its gardener)")] = envs.LATEST_VERSION,
) -> None:
    """Run each season's scripted gardener in every season and print the two tables."""
    if episodes < 1:
        raise ValueError(f"--episodes must be >= 1, got {episodes}")
    envs.physics_settings(version)  # ValueError naming the valid versions
    seasons = list(envs.DEFAULT_SEASON_NAMES)
    table = np.array([[gardener_returns(b, a, episodes, SEED, version).mean() for b in seasons] for a in seasons])
    random = np.array([random_returns(b, episodes, SEED, version).mean() for b in seasons])
    diagonal = np.diag(table)
    relative = (table - random) / (diagonal - random)
    header = ["gardener for ↓ / season →", *seasons]
    returns = [[a, *(f"{v:.2f}" for v in row)] for a, row in zip(seasons, table, strict=True)]
    returns.append(["random policy", *(f"{v:.2f}" for v in random)])
    title = f"GardenWatering-v{version}: mean return, {episodes} days per cell (seeds {SEED}..)"
    print(f"{title}\n{markdown_table(header, returns)}")
    fractions = [
        [a, *(f"**{v:.2f}**" if a == b else f"{v:.2f}" for b, v in zip(seasons, row, strict=True))]
        for a, row in zip(seasons, relative, strict=True)
    ]
    print(f"\nFraction of the diagonal (random 0, own gardener 1)\n{markdown_table(header, fractions)}")
    off = relative[~np.eye(len(seasons), dtype=bool)]
    print(f"\noff-diagonal pairs <= 0.7: {np.sum(off <= 0.7)} of {off.size}; largest off-diagonal: {off.max():.2f}")


if __name__ == "__main__":
    app()
