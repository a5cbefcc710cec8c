"""The comparison report: finished run folders (methods × seeds) into figures and ``report.md``.

``write_report(run_dirs, out_dir)`` reads every run folder (``experiments.report.runs``), groups the
runs by method, and writes into ``out_dir``:

- ``heatmap_<method>.png``: the mean normalized return matrix of each method;
- ``final_returns.png``: the final return on every season, one bar per method;
- ``learning_curves.png``: normalized return on every season during training, one panel per method;
- ``report.md``: the runs, the metrics with their spread over seeds (``experiments.report.stats``),
  compute, parameters and findings.

Two method names are special: ``scratch`` (a fresh network per season) is the reference of forward
transfer, and ``retrain`` (retraining on everything seen so far) is the reference of compute.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from envs.atomic_io import atomic_write_bytes, atomic_write_text
from experiments.pipeline.run_folder import AGNOSTIC_DIR, DETECTION, METRICS, RECOGNITION, read_metrics
from experiments.report.markdown import markdown_table
from experiments.report.plots import confusion_png, final_returns_png, heatmap_png, learning_curves_png, season_labels
from experiments.report.runs import SCRATCH, Run, forward_transfers, group_runs, load_run, mean_compute, mean_defined
from experiments.report.stats import LEGEND, format_spread, seed_spread

RETRAIN = "retrain"
#: Controls, not continual learners: their earlier seasons are not meant to be kept.
CONTROLS = {"progressive-random": "the progressive network with its earlier columns random and frozen (a transfer control)"}
# Mean drop of the first season's normalized return above which a method is said to forget it.
FORGETS_ABOVE = 0.05
METRIC_KEYS = (("A", "average_return"), ("F", "forgetting"), ("F_CW", "forgetting_cw"), ("BWT", "backward_transfer"))
METRIC_DEFINITIONS = [
    "- **A**, average return: `mean_j R[N][j]`, the return on every season after the whole sequence "
    "(Continual World, Wołczyk et al. 2021).",
    "- **F**, forgetting: `mean_{j<N} (max_{j≤i<N} R[i][j] − R[N][j])`, the best return on a season after training it "
    "minus the final one (Chaudhry et al. 2018); lower is better.",
    "- **F_CW**, forgetting as in Continual World: `mean_{j<N} (R[j][j] − R[N][j])`.",
    "- **BWT**, backward transfer: `mean_{j<N} (R[N][j] − R[j][j])` = −F_CW (GEM, Lopez-Paz & Ranzato 2017); "
    "negative when later seasons undo earlier ones.",
    "- **FT**, forward transfer: mean over seasons j = 2..N of `(AUC_j − AUC_j^scratch) / (1 − AUC_j^scratch)`, where "
    "AUC_j is the time-averaged normalized return on season j during its own training and AUC_j^scratch the same "
    "for a fresh network (`scratch`, mean over its seeds) (Continual World). Seasons with `1 − AUC_j^scratch ≤ 1e-6` "
    "are left out (the formula assumes returns in [0, 1]). For `retrain`, season j's window is its k-times budget "
    "on the mix of seasons 1..j, so its FT is not measured on the same footing.",
]


def _stat(values: Sequence[float | None], seed: int) -> str:
    """The cell of a metric over seeds: its mean and spread (``experiments.report.stats``), or ``n/a``."""
    return format_spread(seed_spread(values, seed=seed))


def _human_bytes(size: float | None) -> str:
    """``1.2 MB``-style size (powers of 1000)."""
    if size is None:
        return "n/a"
    for unit in ("B", "kB", "MB", "GB"):
        if abs(size) < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


def _count(value: float | None) -> str:
    """An integer with thousands separators, or ``n/a``."""
    return "n/a" if value is None else f"{value:,.0f}"


def _ratio(value: float | None, reference: float | None) -> str:
    """``value / reference`` as ``0.25×``, or ``n/a``."""
    return "n/a" if value is None or not reference else f"{value / reference:.2f}×"


def _runs_section(groups: dict[str, list[Run]]) -> list[str]:
    """The ``Runs`` section: method, seeds, steps per season and folders."""
    rows = [
        [
            method,
            ", ".join(str(r.seed) for r in runs),
            ", ".join(f"{s:,}" for s in sorted({r.steps for r in runs})),
            ", ".join(f"`{os.fspath(r.path)}`" for r in runs),
        ]
        for method, runs in groups.items()
    ]
    return ["## Runs", "", markdown_table(["method", "seeds", "steps per season", "folders"], rows), ""]


def _metrics_section(groups: dict[str, list[Run]], fts: dict[str, list[float]] | None, seed: int) -> list[str]:
    """The ``Metrics`` section: one table row per method, then what the cells and each metric mean."""
    rows = []
    for method, runs in groups.items():
        cells = [_stat([run.metrics.get(key) for run in runs], seed) for _, key in METRIC_KEYS]
        ft = "n/a" if fts is None else ("reference" if method == SCRATCH else _stat(fts[method], seed))
        rows.append([method, str(len(runs)), *cells, ft])
    lines = ["## Metrics", "", markdown_table(["method", "seeds", *(name for name, _ in METRIC_KEYS), "FT"], rows), ""]
    lines += [
        "R is the normalized return matrix (0 = random policy, 1 = scripted gardener): row i is the policy after "
        "season i (row 0 untrained), column j the season evaluated; N seasons. " + LEGEND,
        "",
        *METRIC_DEFINITIONS,
    ]
    if fts is None:
        lines.append("- FT needs a `scratch` run; none was given.")
    return [*lines, ""]


def _compute_section(groups: dict[str, list[Run]]) -> list[str]:
    """The ``Compute`` section, with the ratios to ``retrain`` when it is given."""
    retrain = groups.get(RETRAIN)
    header = ["method", "env steps", "wall seconds", "trainable parameters", "total parameters", "memory"]
    if retrain:
        header += ["env steps / retrain", "wall time / retrain"]
    rows = []
    for method, runs in groups.items():
        steps, wall = mean_compute(runs, "env_steps"), mean_compute(runs, "wall_seconds")
        row = [
            method,
            _count(steps),
            "n/a" if wall is None else f"{wall:,.2f}",
            _count(mean_compute(runs, "trainable_parameters")),
            _count(mean_compute(runs, "total_parameters")),
            _human_bytes(mean_compute(runs, "memory_bytes")),
        ]
        if retrain:
            row += [_ratio(steps, mean_compute(retrain, "env_steps")), _ratio(wall, mean_compute(retrain, "wall_seconds"))]
        rows.append(row)
    lines = ["## Compute", "", markdown_table(header, rows), ""]
    if retrain:
        lines += ["Continual against retraining: the last two columns divide each method's cost by `retrain`'s.", ""]
    return lines


def _parameters_section(groups: dict[str, list[Run]], seasons: list[str]) -> list[str]:
    """Total (trainable) parameters of each method after every season: how the networks grow."""
    rows = []
    for method, runs in groups.items():
        cells = [method]
        per_season = [run.metrics.get("compute_per_season") or [] for run in runs]
        for k in range(len(seasons)):
            total = mean_defined([each[k]["total_parameters"] if k < len(each) else None for each in per_season])
            trainable = mean_defined([each[k]["trainable_parameters"] if k < len(each) else None for each in per_season])
            cells.append(f"{_count(total)} ({_count(trainable)})")
        rows.append(cells)
    header = ["method", *(f"after {s}" for s in season_labels(seasons))]
    lines = ["## Parameters after each season", "", "Total (trainable) parameters, mean over seeds.", ""]
    return [*lines, markdown_table(header, rows), ""]


def _first_season_finding(method: str, runs: list[Run], seasons: list[str]) -> str:
    """What became of the first season by the end of the sequence, for one method (two or more seasons)."""
    n = len(seasons)
    # From the mean matrix, so the three numbers agree; the drop is the mean first_season_drop.
    mean = np.mean([run.matrix for run in runs], axis=0)
    before, after = float(mean[1, 0]), float(mean[n, 0])
    drop = before - after
    if method in CONTROLS:
        return f"- {method}: {CONTROLS[method]}; compare its forward transfer, not its forgetting."
    if method == SCRATCH:
        # Later rows of scratch are other seasons' networks: a drop there is not forgetting.
        return (
            f"- {method}: a fresh network each season; the one trained on {seasons[0]} scored {before:.2f} there, "
            f"the last season's network scores {after:.2f} (the single-season reference, not a continual learner)."
        )
    verdict = "it forgets" if drop > FORGETS_ABOVE else "it keeps its first season"
    change = f"change {after - before:+.2f}"
    if round(after - before, 2) == 0:
        moves = f"stays at {before:.2f} from its own training to the end"
    else:
        direction = "falls" if drop > 0 else "rises"
        moves = f"{direction} from {before:.2f} after its own training to {after:.2f} at the end"
    return f"- {method}: the first season ({seasons[0]}) {moves} ({change}): {verdict}."


def _findings(groups: dict[str, list[Run]], seasons: list[str]) -> list[str]:
    """The ``Findings`` section: sentences read off the numbers."""
    lines = ["## Findings", ""]
    # With one season, the first is also the last: there is nothing to forget it to.
    if len(seasons) > 1:
        lines += [_first_season_finding(method, runs, seasons) for method, runs in groups.items()]
    averages = ((mean_defined([r.metrics.get("average_return") for r in runs]), m) for m, runs in groups.items())
    ranking = sorted(((a, m) for a, m in averages if a is not None), reverse=True)
    if ranking:
        rest = ", ".join(f"{m} ({a:.2f})" for a, m in ranking[1:])
        lines.append(
            f"- {ranking[0][1]} has the highest average normalized return at the end (A = {ranking[0][0]:.2f})"
            + (f", then {rest}." if rest else ".")
        )
    retrain_steps = mean_compute(groups[RETRAIN], "env_steps") if RETRAIN in groups else None
    for method, runs in groups.items():
        steps = mean_compute(runs, "env_steps")
        if method == RETRAIN or steps is None or not retrain_steps:
            continue
        if steps < retrain_steps:
            comparison = f"{1 - steps / retrain_steps:.0%} fewer env steps than retrain"
        else:
            comparison = f"{steps / retrain_steps:.2f}× the env steps of retrain"
        lines.append(f"- {method} used {comparison} ({steps:,.0f} against {retrain_steps:,.0f}).")
    return [*lines, ""]


def day_mean(records: list[dict[str, Any]], key: str) -> float:
    """The mean of ``key`` over the days of recognizer records (``recognizer.json``; each weighs its days)."""
    return sum(rec[key] * rec["days"] for rec in records) / max(sum(rec["days"] for rec in records), 1)


def confusion_counts(records: list[dict[str, Any]], seasons: list[str]) -> np.ndarray:
    """Days of each season played (rows) named as each season (columns), summed over recognizer records."""
    return np.array([[sum(rec["named"].get(n, 0) for rec in records if rec["season"] == p) for n in seasons] for p in seasons])


def _agnostic_section(groups: dict[str, list[Run]], seasons: list[str], out_dir: Path) -> list[str]:
    """Told the season and not (runs evaluated by ``evergreen eval --season-agnostic``), and the recognizer.

    Only runs with ``eval_agnostic/`` count; no section when there are none.
    """
    rows, confusions = [], {}
    for method, runs in groups.items():
        evaluated = [run for run in runs if (run.path / AGNOSTIC_DIR / METRICS).is_file()]
        if not evaluated:
            continue
        told = np.mean([run.metrics["average_return"] for run in evaluated])
        untold = np.mean([read_metrics(run.path / AGNOSTIC_DIR)["average_return"] for run in evaluated])
        records = [rec for run in evaluated for rec in json.loads((run.path / AGNOSTIC_DIR / RECOGNITION).read_text())]
        known = [rec for rec in records if rec["known"] and len(rec["named"]) > 1]
        unseen = [rec for rec in records if not rec["known"]]
        cells = [f"{told:.3f}", f"{untold:.3f}", f"{told - untold:+.3f}"]
        if known:
            cells += [f"{day_mean(known, key):.3f}" for key in ("accuracy", "commit_step", "novel")]
            cells += [f"{day_mean(unseen, 'novel'):.3f}" if unseen else "n/a"]
            final = [rec for rec in records if rec["after"] == seasons[-1]]
            confusions[method] = confusion_counts(final, seasons)
        else:
            cells += ["n/a"] * 4  # one network for every season: nothing to recognize
        rows.append([method, str(len(evaluated)), *cells])
    if not rows:
        return []
    header = ["method", "seeds", "A told", "A not told", "difference", "accuracy", "commit step", "new (learned)"]
    lines = ["## Told the season and not", "", markdown_table([*header, "new (not yet)"], rows), ""]
    lines += [
        "Not told: `evergreen eval DIR --season-agnostic`. Accuracy: the share of days the recognizer named right,"
        " over checkpoints that know the season and another; commit step: the step of the day it committed at; new:"
        " the share of days judged of no known season, for a season learned (false alarms) and one not learned yet.",
        "",
    ]
    if confusions:
        atomic_write_bytes(out_dir / "confusion.png", confusion_png(confusions, seasons))
        lines += ["The final checkpoints' recognizers (days summed over seeds): ![confusion](confusion.png)", ""]
    return lines


def _detection_section(groups: dict[str, list[Run]]) -> list[str]:
    """For runs trained not told when seasons change (``detection.json``): when each change was noticed."""
    rows = []
    for method, runs in groups.items():
        for run in runs:
            if not (run.path / DETECTION).is_file():
                continue
            report = json.loads((run.path / DETECTION).read_text())
            delays = [f"{c['delay_steps']:,}" if c["delay_steps"] is not None else "missed" for c in report["changes"]]
            new = report["days_judged_new_in_season"] / max(report["days_judged_in_season"], 1)
            rows.append([method, str(run.seed), " / ".join(delays), str(len(report["false_alarms"])), f"{new:.3f}"])
    if not rows:
        return []
    header = ["method", "seed", "delay per change (env steps)", "false alarms", "days judged new in a season learned"]
    return [
        "## Noticing new seasons",
        "",
        markdown_table(header, rows),
        "",
        "Trained with `evergreen train --season-agnostic`: the learner is not told when a season ends and notices it"
        " itself (`detection.json`). Delay: env steps from the change to the moment it was noticed.",
        "",
    ]


def _write_figures(groups: dict[str, list[Run]], seasons: list[str], out_dir: Path) -> list[str]:
    """Write the heatmaps, final returns and learning curves into ``out_dir``; the heatmaps' markdown images."""
    heatmaps = []
    for method, runs in groups.items():
        mean = np.mean([run.matrix for run in runs], axis=0)
        title = f"{method}: mean normalized return ({len(runs)} seed{'s' if len(runs) > 1 else ''})"
        name = f"heatmap_{method}.png"
        atomic_write_bytes(out_dir / name, heatmap_png(mean, seasons, title))
        heatmaps.append(f"![{method} return matrix]({name})")
    finals = {method: np.array([run.matrix[-1] for run in runs]) for method, runs in groups.items()}
    atomic_write_bytes(out_dir / "final_returns.png", final_returns_png(finals, seasons))
    curves = {method: [run.curves for run in runs] for method, runs in groups.items()}
    atomic_write_bytes(out_dir / "learning_curves.png", learning_curves_png(curves, seasons))
    return heatmaps


def write_report(run_dirs: Sequence[Path], out_dir: Path, bootstrap_seed: int = 0) -> Path:
    """Compare finished runs: write the figures and ``report.md`` into ``out_dir``.

    :param run_dirs: finished run folders (several seeds per method; one season sequence for all)
    :param out_dir: the output folder, created if needed (``OSError`` if it cannot be, e.g. it is a file)
    :param bootstrap_seed: seed of the bootstrap confidence intervals (methods with 5 or more seeds)
    :return: the path of ``report.md``
    :raises ValueError: a path is not a run folder or not finished, season sequences differ, or a
        (method, seed) pair appears twice
    """
    # Everything is read and checked before anything is written.
    groups = group_runs([load_run(Path(path)) for path in run_dirs])
    seasons = next(iter(groups.values()))[0].seasons
    fts = forward_transfers(groups)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    heatmaps = _write_figures(groups, seasons, out_dir)
    lines = [
        "# Evergreen: continual-learning comparison",
        "",
        f"Seasons ({len(seasons)}): {' → '.join(season_labels(seasons))}.",
        "",
        *_runs_section(groups),
        *_metrics_section(groups, fts, bootstrap_seed),
        "## Return matrices",
        "",
        "Mean over seeds; rows: the policy untrained and after each season; columns: the season evaluated.",
        "",
        *[f"{image}\n" for image in heatmaps],
        "## Final returns",
        "",
        "![final normalized returns](final_returns.png)",
        "",
        "## Learning curves",
        "",
        "![learning curves](learning_curves.png)",
        "",
        *_agnostic_section(groups, seasons, out_dir),
        *_detection_section(groups),
        *_compute_section(groups),
        *_parameters_section(groups, seasons),
        *_findings(groups, seasons),
    ]
    report = out_dir / "report.md"
    atomic_write_text(report, "\n".join(lines))
    return report
