"""Parameter growth over 1 to 8 seasons: progressive network vs progress & compress vs one plain policy.

Builds each learner's networks season after season (no training: sizes do not depend on
weights) with the project's default PPO architecture (``experiments/configs/ppo.yaml``) through
two garden years, and prints the table in ``docs/bench/parameter_growth.md``.

Run: ``.venv/bin/python -m experiments.benchmarks.parameter_growth``
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from agent import make_learner
from agent.core.season_envs import close_envs
from envs.atomic_io import atomic_write_text
from experiments.report.markdown import markdown_table
from experiments.script_app import ScriptApp

SEASONS = ["spring", "summer", "autumn", "winter"] * 2
METHODS = ("finetune", "progressive", "progress-compress")


def parameter_counts(method: str) -> list[tuple[int, int]]:
    """``(trainable, total)`` parameters after each of the 8 seasons are started."""
    learner = make_learner(method, seed=0)
    counts = []
    for season in SEASONS:
        learner.start_season(season)
        counts.append((learner.account.trainable_parameters, learner.account.total_parameters))
        close_envs(learner.model)  # each season's envs hold Bullet worlds
    return counts


def growth_markdown(counts: dict[str, list[tuple[int, int]]]) -> str:
    """The table: total parameters per method after each season, and the ratio to one plain policy."""
    plain = counts["finetune"][0][1]
    header = [
        "seasons",
        "plain policy (finetune)",
        "progressive total (trainable)",
        "progress-compress total",
        "progressive / plain",
        "P&C / plain",
    ]
    rows = []
    for k in range(len(SEASONS)):
        progressive_trainable, progressive_total = counts["progressive"][k]
        compress_total = counts["progress-compress"][k][1]
        rows.append(
            [
                str(k + 1),
                f"{counts['finetune'][k][1]:,}",
                f"{progressive_total:,} ({progressive_trainable:,})",
                f"{compress_total:,}",
                f"{progressive_total / plain:.2f}",
                f"{compress_total / plain:.2f}",
            ]
        )
    lines = [
        "# Parameter growth, 1 to 8 seasons (the four seasons twice)",
        "",
        "Regenerate: `.venv/bin/python -m experiments.benchmarks.parameter_growth` "
        "(default PPO architecture, 2 × 128 tanh MLPs).",
        "",
        markdown_table(header, rows),
    ]
    return "\n".join(lines) + "\n"


app = ScriptApp(__name__, __doc__)


@app.command()
def main(
    out: Annotated[Path, typer.Option(help="where the table goes")] = Path("docs/bench/parameter_growth.md"),
) -> None:
    """Count each learner's parameters through two garden years and write the table."""
    table = growth_markdown({method: parameter_counts(method) for method in METHODS})
    atomic_write_text(out, table)
    print(table)
    print(f"Wrote {out}")


if __name__ == "__main__":
    app()
