"""The data of a comparison: finished run folders read back, grouped by method, and their forward transfer.

A run folder is what ``evergreen train`` writes (see ``experiments.pipeline.run_folder``); the
comparison reads its config, its normalized return matrix, its learning curves and its metrics.
``scratch`` (a fresh network per season) is the reference of forward transfer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from envs.season_spec import season_label
from experiments.pipeline.metrics import forward_transfer
from experiments.pipeline.run_folder import (
    CONFIG,
    CURVES,
    MATRIX_NORMALIZED,
    METRICS,
    read_config,
    read_curves,
    read_matrix,
    read_metrics,
)

SCRATCH = "scratch"
#: How a run trained without being told when seasons change shows beside its method's name.
UNTOLD = " (untold)"


@dataclass(frozen=True)
class Run:
    """One finished run folder, read back."""

    path: Path
    method: str  # with UNTOLD after it for a run trained season-agnostic
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
        str(config["method"]) + (UNTOLD if config.get("season_agnostic") else ""),
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


def mean_defined(values: Sequence[float | None]) -> float | None:
    """Mean of the defined values, ``None`` if there are none."""
    defined = [v for v in values if v is not None]
    return float(np.mean(defined)) if defined else None


def forward_transfers(groups: dict[str, list[Run]]) -> dict[str, list[float]] | None:
    """Per method, the forward transfer of each seed (mean over seasons 2..N), or ``None`` without ``scratch``.

    ``AUC_scratch`` of a season position is the mean over the scratch seeds of their AUC there. The first
    season is left out: every method starts it from a fresh network, so there is nothing to transfer.
    """
    if SCRATCH not in groups:
        return None
    n = len(next(iter(groups.values()))[0].seasons)
    auc_scratch = [mean_defined([season_auc(run, k) for run in groups[SCRATCH]]) for k in range(n)]
    result: dict[str, list[float]] = {}
    for method, runs in groups.items():
        per_seed = [mean_defined([forward_transfer(season_auc(run, k), auc_scratch[k]) for k in range(1, n)]) for run in runs]
        result[method] = [ft for ft in per_seed if ft is not None]
    return result


def season_auc(run: Run, k: int) -> float | None:
    """AUC of the season at 0-based position ``k`` of a run (from its metrics), ``None`` if absent."""
    auc = run.metrics.get("auc") or []
    return auc[k] if k < len(auc) else None


def mean_compute(runs: Sequence[Run], key: str) -> float | None:
    """Mean over seeds of one entry of the runs' compute accounting (``env_steps``, ``wall_seconds``, ...)."""
    return mean_defined([run.metrics.get("compute", {}).get(key) for run in runs])
