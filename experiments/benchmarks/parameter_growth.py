"""Parameter growth over 1 to 8 seasons: progressive network vs progress & compress vs one plain policy.

Builds each learner's networks season after season (no training: sizes do not depend on
weights) with the project's default PPO architecture (``experiments/configs/ppo.yaml``) through
two garden years, and prints the table in ``docs/bench/parameter_growth.md``.

Run: ``.venv/bin/python -m experiments.benchmarks.parameter_growth``
"""

from __future__ import annotations

import argparse
from pathlib import Path

from agent import make_learner
from experiments.pipeline.run_folder import atomic_write_text

SEASONS = ["spring", "summer", "autumn", "winter"] * 2
METHODS = ("finetune", "progressive", "progress-compress")


def parameter_counts(method: str) -> list[tuple[int, int]]:
    """``(trainable, total)`` parameters after each of the 8 seasons are started."""
    learner = make_learner(method, seed=0)
    counts = []
    for season in SEASONS:
        learner.start_season(season)
        counts.append((learner.account.trainable_parameters, learner.account.total_parameters))
        learner.model.env.close()
    return counts


def growth_markdown(counts: dict[str, list[tuple[int, int]]]) -> str:
    """The table: total parameters per method after each season, and the ratio to one plain policy."""
    plain = counts["finetune"][0][1]
    lines = [
        "# Parameter growth, 1 to 8 seasons (the four seasons twice)",
        "",
        "Regenerate: `.venv/bin/python -m experiments.benchmarks.parameter_growth` (default PPO architecture, 2 × 128 tanh MLPs).",
        "",
        "| seasons | plain policy (finetune) | progressive total (trainable) | progress-compress total "
        "| progressive / plain | P&C / plain |",
        "|---|---|---|---|---|---|",
    ]
    for k in range(len(SEASONS)):
        progressive_trainable, progressive_total = counts["progressive"][k]
        compress_total = counts["progress-compress"][k][1]
        lines.append(
            f"| {k + 1} | {counts['finetune'][k][1]:,} | {progressive_total:,} ({progressive_trainable:,}) | "
            f"{compress_total:,} | {progressive_total / plain:.2f} | {compress_total / plain:.2f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/bench/parameter_growth.md"))
    args = parser.parse_args()
    table = growth_markdown({method: parameter_counts(method) for method in METHODS})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out, table)
    print(table)
    print(f"Wrote {args.out}")


if __name__ == "__main__":
    main()
