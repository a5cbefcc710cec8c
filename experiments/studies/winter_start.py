"""Winter's start under ``column_init: best``: the rule's start against the other starts tried, run for run.

In the documented order no earlier column plays winter as well as a fresh column, so ``best``
starts winter's column from the latest copy, the autumn column (or autumn's head), as ``latest``
does (``agent/components/progressive/start_choice.py``). The alternatives tried are the best
copy's hidden layers under fresh heads (``docs/results/winter-start-layers``, the rule before) and
the paper's start, the fresh column (``docs/results/winter-start-fresh``). All were trained from
the same autumn checkpoints (each ``progressive`` and ``progress-compress`` run of the benchmark), so
the runs differ in winter only; this script pairs the rule's runs with a variant's by run name and
prints winter's final return and AUC and the run's A for each, and the mean of the differences.

Run: ``.venv/bin/python -m experiments.studies.winter_start [--variant DIR --label NAME]`` (reads
``--rule`` and ``--variant``, two archives of the same run names; see
docs/benchmark.md#starting-from-the-best-playing-column for how the variants' runs were made).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from experiments.report.markdown import markdown_table
from experiments.report.runs import load_run
from experiments.script_app import ScriptApp

RULE = Path("docs/results/bench-v1")
VARIANT = Path("docs/results/winter-start-layers")
METHODS = ("progressive", "progress-compress")


MEASURES = ("winter final", "winter AUC", "A")


def paired_rows(rule: Path, variant: Path) -> tuple[list[list[str]], dict[str, list[tuple[str, float, float]]]]:
    """One row per run present in both archives; per measure, ``(method, rule's value, variant's)`` per run."""
    rows: list[list[str]] = []
    pairs_by_measure: dict[str, list[tuple[str, float, float]]] = {measure: [] for measure in MEASURES}
    for run_dir in sorted(variant.iterdir()):
        if not (rule / run_dir.name).is_dir() or not run_dir.name.startswith(METHODS):
            continue
        ours, theirs = load_run(rule / run_dir.name), load_run(run_dir)
        pairs = {
            "winter final": (ours.metrics["final_normalized"][-1], theirs.metrics["final_normalized"][-1]),
            "winter AUC": (ours.metrics["auc"][-1], theirs.metrics["auc"][-1]),
            "A": (ours.metrics["average_return"], theirs.metrics["average_return"]),
        }
        for measure, (mine, other) in pairs.items():
            pairs_by_measure[measure].append((ours.method, mine, other))
        chosen = ours.metrics["column_starts"][-1]["chosen"]
        rows.append([run_dir.name, chosen, *(f"{mine:.2f} / {other:.2f}" for mine, other in pairs.values())])
    return rows, pairs_by_measure


app = ScriptApp(__name__, __doc__)


@app.command()
def main(
    rule: Annotated[Path, typer.Option(help="archive of the runs with today's rule")] = RULE,
    variant: Annotated[Path, typer.Option(help="archive of the same runs, winter started another way")] = VARIANT,
    label: Annotated[str, typer.Option(help="the variant's start in the table's headers")] = "layers",
) -> None:
    """Print the paired table and the mean differences."""
    if not variant.is_dir():
        raise ValueError(f"no archive at {variant}")
    rows, pairs = paired_rows(rule, variant)
    if not rows:
        raise ValueError(f"no run of {variant} is in {rule}")
    headers = ["run", "winter start (rule)", *(f"{measure}: rule / {label}" for measure in MEASURES)]
    print(markdown_table(headers, rows))
    print()
    means = []
    for method in METHODS:
        cells = []
        for measure in MEASURES:
            picked = np.array([(mine, other) for name, mine, other in pairs[measure] if name == method])
            cells.append(f"{picked[:, 0].mean():.2f} / {picked[:, 1].mean():.2f}" if len(picked) else "n/a")
        means.append([method, *cells])
    print(markdown_table(["method (means)", *(f"{measure}: rule / {label}" for measure in MEASURES)], means))
    print()
    for measure, values in pairs.items():
        differences = np.array([other - mine for _, mine, other in values])
        print(
            f"{measure}: {label} minus the rule, mean {differences.mean():+.3f} over {len(differences)} runs; "
            f"{label} higher in {int((differences > 0).sum())}, lower in {int((differences < 0).sum())}"
        )


if __name__ == "__main__":
    app()
