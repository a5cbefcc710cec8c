"""The comparison report: several finished run folders (methods × seeds) into figures and ``report.md``.

``write_report(run_dirs, out_dir)`` reads every run folder (see ``experiments.pipeline.run_folder``), groups the
runs by method, and writes into ``out_dir``:

- ``heatmap_<method>.png``: the mean normalized return matrix of each method;
- ``final_returns.png``: the final return on every season, one bar per method;
- ``learning_curves.png``: normalized return on every season during training, one panel per method;
- ``report.md``: the runs, the metrics with bootstrap confidence intervals, compute, and findings.

Two method names are special: ``scratch`` (a fresh network per season) is the reference of forward
transfer, and ``retrain`` (retraining on everything seen so far) is the reference of compute.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from envs.season_spec import season_label
from experiments.pipeline.metrics import bootstrap_ci, forward_transfer
from experiments.pipeline.run_folder import (
    CONFIG,
    CURVES,
    MATRIX_NORMALIZED,
    METRICS,
    atomic_write_bytes,
    atomic_write_text,
    read_config,
    read_curves,
    read_matrix,
    read_metrics,
)
from experiments.report.plots import final_returns_png, heatmap_png, learning_curves_png, season_labels

SCRATCH, RETRAIN = "scratch", "retrain"
#: Controls, not continual learners: their earlier seasons are not meant to be kept.
CONTROLS = {"progressive-random": "the progressive network with its earlier columns random and frozen (a transfer control)"}
# Mean drop of the first season's normalized return above which a method is said to forget it.
FORGETS_ABOVE = 0.05
METRIC_KEYS = (("A", "average_return"), ("F", "forgetting"), ("F_CW", "forgetting_cw"), ("BWT", "backward_transfer"))


@dataclass(frozen=True)
class Run:
    """One finished run folder, read back."""

    path: Path
    method: str
    seed: int
    seasons: list[str]
    steps: int
    matrix: np.ndarray  # normalized, (N + 1, N)
    curves: list[dict[str, Any]]
    metrics: dict[str, Any]


def load_run(path: Path) -> Run:
    """Read a finished run folder; ``ValueError`` if it is not a run folder or not finished."""
    path = Path(path)
    if not (path / CONFIG).is_file():
        raise ValueError(f"{path} is not a run folder (no {CONFIG}); pass folders written by `evergreen train`")
    for name in (METRICS, MATRIX_NORMALIZED, CURVES):
        if not (path / name).is_file():
            raise ValueError(f"{path} is not a finished run (no {name}); finish it or leave it out")
    config = read_config(path)
    missing = [key for key in ("method", "seasons", "seed", "steps") if key not in config]
    if missing:
        raise ValueError(f"{path / CONFIG} lacks {', '.join(missing)}; pass folders written by `evergreen train`")
    # Seasons given as YAML paths show by the name of the season they hold.
    seasons = [season_label(str(s)) for s in config["seasons"]]
    _, columns, matrix = read_matrix(path)
    if columns != seasons or matrix.shape != (len(seasons) + 1, len(seasons)):
        raise ValueError(f"{path / MATRIX_NORMALIZED} does not match the seasons of its config {seasons}")
    return Run(
        path,
        str(config["method"]),
        int(config["seed"]),
        seasons,
        int(config["steps"]),
        matrix,
        read_curves(path),
        read_metrics(path),
    )


def group_runs(runs: Sequence[Run]) -> dict[str, list[Run]]:
    """Runs by method (in order of first appearance), seeds sorted; ``ValueError`` on mixed seasons or duplicates."""
    if not runs:
        raise ValueError("no run folders given; pass at least one finished run folder")
    first = runs[0]
    seen: dict[tuple[str, int], Path] = {}
    for run in runs:
        if run.seasons != first.seasons:
            raise ValueError(
                f"{run.path} trains seasons {run.seasons} but {first.path} trains {first.seasons}; "
                "compare runs of one season sequence"
            )
        key = (run.method, run.seed)
        if key in seen:
            raise ValueError(f"{run.path} and {seen[key]} are both method {run.method} seed {run.seed}; pass each run once")
        seen[key] = run.path
    groups: dict[str, list[Run]] = {}
    for run in runs:
        groups.setdefault(run.method, []).append(run)
    return {method: sorted(group, key=lambda r: r.seed) for method, group in groups.items()}


def _mean(values: Sequence[float | None]) -> float | None:
    """Mean of the defined values, ``None`` if there are none."""
    defined = [v for v in values if v is not None]
    return float(np.mean(defined)) if defined else None


def _stat(values: Sequence[float | None], seed: int) -> str:
    """``mean [lo, hi]`` over seeds (the 95% bootstrap interval only with 2 or more seeds), or ``n/a``."""
    defined = [float(v) for v in values if v is not None]
    if not defined:
        return "n/a"
    ci = bootstrap_ci(defined, seed=seed)
    mean = float(np.mean(defined))
    return f"{mean:.2f}" if ci is None else f"{mean:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]"


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


def forward_transfers(groups: dict[str, list[Run]]) -> dict[str, list[float]] | None:
    """Per method, the forward transfer of each seed (mean over seasons 2..N), or ``None`` without ``scratch``.

    ``AUC_scratch`` of a season position is the mean over the scratch seeds of their AUC there. The first
    season is left out: every method starts it from a fresh network, so there is nothing to transfer.
    """
    if SCRATCH not in groups:
        return None
    n = len(next(iter(groups.values()))[0].seasons)
    auc_scratch = [_mean([_auc(run, k) for run in groups[SCRATCH]]) for k in range(n)]
    result: dict[str, list[float]] = {}
    for method, runs in groups.items():
        per_seed = [_mean([forward_transfer(_auc(run, k), auc_scratch[k]) for k in range(1, n)]) for run in runs]
        result[method] = [ft for ft in per_seed if ft is not None]
    return result


def _auc(run: Run, k: int) -> float | None:
    """AUC of the season at 0-based position ``k`` of a run (from its metrics), ``None`` if absent."""
    auc = run.metrics.get("auc") or []
    return auc[k] if k < len(auc) else None


def _compute(runs: Sequence[Run], key: str) -> float | None:
    """Mean over seeds of one entry of the runs' compute accounting."""
    return _mean([run.metrics.get("compute", {}).get(key) for run in runs])


def _runs_section(groups: dict[str, list[Run]]) -> list[str]:
    """The ``Runs`` section: method, seeds, steps per season and folders."""
    lines = ["## Runs", "", "| method | seeds | steps per season | folders |", "|---|---|---|---|"]
    for method, runs in groups.items():
        seeds = ", ".join(str(r.seed) for r in runs)
        steps = ", ".join(f"{s:,}" for s in sorted({r.steps for r in runs}))
        folders = ", ".join(f"`{os.fspath(r.path)}`" for r in runs)
        lines.append(f"| {method} | {seeds} | {steps} | {folders} |")
    return [*lines, ""]


def _metrics_section(groups: dict[str, list[Run]], fts: dict[str, list[float]] | None, seed: int) -> list[str]:
    """The ``Metrics`` section: one table row per method, then what each metric means."""
    lines = ["## Metrics", "", "| method | seeds | A | F | F_CW | BWT | FT |", "|---|---|---|---|---|---|---|"]
    for method, runs in groups.items():
        cells = [_stat([run.metrics.get(key) for run in runs], seed) for _, key in METRIC_KEYS]
        ft = "n/a" if fts is None else ("reference" if method == SCRATCH else _stat(fts[method], seed))
        lines.append(f"| {method} | {len(runs)} | {' | '.join(cells)} | {ft} |")
    lines += [
        "",
        "R is the normalized return matrix (0 = random policy, 1 = scripted gardener): row i is the policy after "
        "season i (row 0 untrained), column j the season evaluated; N seasons. Each cell is the mean over seeds, "
        "with the 95% percentile bootstrap interval of the mean [lo, hi] when there are 2 or more seeds.",
        "",
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
    if fts is None:
        lines.append("- FT needs a `scratch` run; none was given.")
    return [*lines, ""]


def _compute_section(groups: dict[str, list[Run]]) -> list[str]:
    """The ``Compute`` section, with the ratios to ``retrain`` when it is given."""
    retrain = groups.get(RETRAIN)
    header = "| method | env steps | wall seconds | trainable parameters | total parameters | memory |"
    rule = "|---|---|---|---|---|---|"
    if retrain:
        header += " env steps / retrain | wall time / retrain |"
        rule += "---|---|"
    lines = ["## Compute", "", header, rule]
    for method, runs in groups.items():
        steps, wall = _compute(runs, "env_steps"), _compute(runs, "wall_seconds")
        row = (
            f"| {method} | {_count(steps)} | {'n/a' if wall is None else f'{wall:,.2f}'} | "
            f"{_count(_compute(runs, 'trainable_parameters'))} | {_count(_compute(runs, 'total_parameters'))} | "
            f"{_human_bytes(_compute(runs, 'memory_bytes'))} |"
        )
        if retrain:
            row += f" {_ratio(steps, _compute(retrain, 'env_steps'))} | {_ratio(wall, _compute(retrain, 'wall_seconds'))} |"
        lines.append(row)
    lines.append("")
    if retrain:
        lines += ["Continual against retraining: the last two columns divide each method's cost by `retrain`'s.", ""]
    return lines


def _parameters_section(groups: dict[str, list[Run]], seasons: list[str]) -> list[str]:
    """Total (trainable) parameters of each method after every season: how the networks grow."""
    lines = ["## Parameters after each season", "", "Total (trainable) parameters, mean over seeds.", ""]
    lines += ["| method | " + " | ".join(f"after {s}" for s in season_labels(seasons)) + " |"]
    lines += ["|---|" + "---|" * len(seasons)]
    for method, runs in groups.items():
        cells = []
        per_season = [run.metrics.get("compute_per_season") or [] for run in runs]
        for k in range(len(seasons)):
            total = _mean([seasons_[k]["total_parameters"] if k < len(seasons_) else None for seasons_ in per_season])
            trainable = _mean([seasons_[k]["trainable_parameters"] if k < len(seasons_) else None for seasons_ in per_season])
            cells.append(f"{_count(total)} ({_count(trainable)})")
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def _ratio(value: float | None, reference: float | None) -> str:
    """``value / reference`` as ``0.25×``, or ``n/a``."""
    return "n/a" if value is None or not reference else f"{value / reference:.2f}×"


def _findings(groups: dict[str, list[Run]], seasons: list[str]) -> list[str]:
    """The ``Findings`` section: sentences read off the numbers."""
    lines = ["## Findings", ""]
    n = len(seasons)
    # With one season, the first is also the last: there is nothing to forget it to.
    for method, runs in groups.items() if n > 1 else ():
        # From the mean matrix, so the three numbers agree; the drop is the mean first_season_drop.
        mean = np.mean([run.matrix for run in runs], axis=0)
        before, after = float(mean[1, 0]), float(mean[n, 0])
        drop = before - after
        if method in CONTROLS:
            lines.append(f"- {method}: {CONTROLS[method]}; compare its forward transfer, not its forgetting.")
            continue
        if method == SCRATCH:
            # Later rows of scratch are other seasons' networks: a drop there is not forgetting.
            lines.append(
                f"- {method}: a fresh network each season; the one trained on {seasons[0]} scored {before:.2f} there, "
                f"the last season's network scores {after:.2f} (the single-season reference, not a continual learner)."
            )
            continue
        verdict = "it forgets" if drop > FORGETS_ABOVE else "it keeps its first season"
        change = f"change {after - before:+.2f}"
        if round(after - before, 2) == 0:
            moves = f"stays at {before:.2f} from its own training to the end"
        else:
            direction = "falls" if drop > 0 else "rises"
            moves = f"{direction} from {before:.2f} after its own training to {after:.2f} at the end"
        lines.append(f"- {method}: the first season ({seasons[0]}) {moves} ({change}): {verdict}.")
    ranking = sorted(((_mean([r.metrics.get("average_return") for r in runs]), m) for m, runs in groups.items()), reverse=True)
    ranking = [(a, m) for a, m in ranking if a is not None]
    if ranking:
        rest = ", ".join(f"{m} ({a:.2f})" for a, m in ranking[1:])
        lines.append(
            f"- {ranking[0][1]} has the highest average normalized return at the end (A = {ranking[0][0]:.2f})"
            + (f", then {rest}." if rest else ".")
        )
    retrain_steps = _compute(groups[RETRAIN], "env_steps") if RETRAIN in groups else None
    for method, runs in groups.items():
        steps = _compute(runs, "env_steps")
        if method == RETRAIN or steps is None or not retrain_steps:
            continue
        if steps < retrain_steps:
            comparison = f"{1 - steps / retrain_steps:.0%} fewer env steps than retrain"
        else:
            comparison = f"{steps / retrain_steps:.2f}× the env steps of retrain"
        lines.append(f"- {method} used {comparison} ({steps:,.0f} against {retrain_steps:,.0f}).")
    return [*lines, ""]


def write_report(run_dirs: Sequence[Path], out_dir: Path, bootstrap_seed: int = 0) -> Path:
    """Compare finished runs: write the figures and ``report.md`` into ``out_dir``.

    :param run_dirs: finished run folders (several seeds per method; one season sequence for all)
    :param out_dir: the output folder, created if needed (``OSError`` if it cannot be, e.g. it is a file)
    :param bootstrap_seed: seed of the bootstrap confidence intervals
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
        *_compute_section(groups),
        *_parameters_section(groups, seasons),
        *_findings(groups, seasons),
    ]
    report = out_dir / "report.md"
    atomic_write_text(report, "\n".join(lines))
    return report
