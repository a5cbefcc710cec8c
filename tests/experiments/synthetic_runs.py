"""Synthetic finished run folders: the files ``evergreen train`` writes, from a given normalized return matrix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import yaml

from envs.atomic_io import atomic_write_json, atomic_write_text
from experiments.pipeline.metrics import run_metrics
from experiments.pipeline.run_folder import CONFIG, CURVE_COLUMNS, CURVES, MATRIX, MATRIX_NORMALIZED, METRICS, csv_text

SEASONS = ["spring", "summer", "autumn"]
STEPS = 1000
FINETUNE_0 = [[0.0, 0.0, 0.0], [0.6, 0.1, 0.0], [0.3, 0.7, 0.1], [0.2, 0.4, 0.8]]
# Seed 1 differs in the first season only: mean 0.62 after spring, 0.18 at the end.
FINETUNE_1 = [[0.0, 0.0, 0.0], [0.64, 0.1, 0.0], [0.3, 0.7, 0.1], [0.16, 0.4, 0.8]]
SCRATCH = [[0.0, 0.0, 0.0], [0.5, 0.0, 0.0], [0.0, 0.5, 0.0], [0.0, 0.0, 0.5]]
RETRAIN = [[0.0, 0.0, 0.0], [0.6, 0.0, 0.0], [0.6, 0.6, 0.0], [0.6, 0.6, 0.6]]


def make_run(
    root: Path,
    method: str,
    seed: int,
    matrix: list[list[float]],
    seasons: list[str] = SEASONS,
    env_steps: int = 3 * STEPS,
    compute_per_season: list[dict] | None = None,
    config: dict[str, Any] | None = None,
) -> Path:
    """A finished run folder ``root/<method>_seed<seed>`` with the files ``evergreen train`` writes (no checkpoints).

    Learning curves go linearly from row k - 1 to row k of the matrix while season k trains, evaluated
    at the start, middle and end of each season, so the AUC of season k is (R[k-1][k] + R[k][k]) / 2.
    ``config`` replaces the small config written by default (e.g. with the one a benchmark expects).
    """
    run = root / f"{method}_seed{seed}"
    R = np.array(matrix)
    if config is None:
        config = {"method": method, "seasons": seasons, "steps": STEPS, "seed": seed, "eval_episodes": 2, "eval_every": 500}
        config["ppo"] = {"n_steps": 64}
    atomic_write_text(run / CONFIG, yaml.safe_dump(config))
    rows = [["untrained", *R[0]], *[[season, *R[i]] for i, season in enumerate(seasons, start=1)]]
    atomic_write_text(run / MATRIX_NORMALIZED, csv_text(["after", *seasons], rows))
    atomic_write_text(run / MATRIX, csv_text(["after", *seasons], [[row[0], *(10 * v for v in row[1:])] for row in rows]))
    curves = []
    for k, trained in enumerate(seasons, start=1):
        for season_step in (0, STEPS // 2, STEPS):
            for j, evaluated in enumerate(seasons):
                value = R[k - 1, j] + (R[k, j] - R[k - 1, j]) * season_step / STEPS
                step = (k - 1) * STEPS + season_step
                curves.append(
                    dict(zip(CURVE_COLUMNS, (k, trained, season_step, step, evaluated, 10 * value, value), strict=True))
                )
    atomic_write_text(run / CURVES, csv_text(list(CURVE_COLUMNS), [list(p.values()) for p in curves]))
    compute = {
        "env_steps": env_steps,
        "wall_seconds": env_steps / 100,
        "trainable_parameters": 10_000,
        "total_parameters": 12_000,
        "memory_bytes": 1_234_567,
    }
    metrics = {**run_metrics(R, seasons, curves), "compute": compute, "method": method, "seed": seed}
    metrics["compute_per_season"] = compute_per_season or [compute] * len(seasons)
    atomic_write_json(run / METRICS, metrics)
    return run
