"""What a seasonal run commits: a season's checkpoint folder with its evaluation row, and the run's summaries.

:func:`save_checkpoint` evaluates the learner on every season and commits checkpoint, row, curve (and,
for learners that act per season, a season recognizer) as one folder; :func:`write_summaries` writes
the return matrices, ``curves.csv`` and ``metrics.json`` from the season folders.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from agent import ContinualLearner
from agent.components.recognizer import SeasonRecognizer
from agent.core.checkpoint import STATE_FILE, read_learner_info, read_state
from envs.season_spec import season_label
from experiments.pipeline import run_folder
from experiments.pipeline.evaluation import SeasonEvaluator
from experiments.pipeline.metrics import run_metrics
from experiments.pipeline.mid_season import damaged_as_checkpoint_error
from experiments.pipeline.recognition import RECOGNIZER_FILE, fit_recognizer


def save_checkpoint(
    final: Path,
    learner: ContinualLearner,
    evaluator: SeasonEvaluator,
    seasons: list[str],
    index: int,
    curve: list[dict[str, Any]],
    recognizer_env: str | None = None,
    recognizer: SeasonRecognizer | None = None,
) -> None:
    """Evaluate the learner on every season and commit checkpoint, row and curve as one folder.

    A season recognizer joins the checkpoint: ``recognizer``, or with ``recognizer_env`` (an env id) one
    fitted on days of the learner's seasons played on that env.
    """
    raw, normalized = evaluator.row(learner, seasons)
    staging = run_folder.staging_dir(final)
    learner.save(staging)
    if recognizer is None and recognizer_env is not None:
        recognizer = fit_recognizer(learner, recognizer_env)
    if recognizer is not None:
        (staging / RECOGNIZER_FILE).write_bytes(recognizer.to_bytes())
    row = {"season_index": index, "season": learner.season if index else None, "return": raw, "normalized": normalized}
    (staging / run_folder.ROW_FILE).write_text(json.dumps(row, indent=1) + "\n")
    (staging / run_folder.CURVE_FILE).write_text(run_folder.curves_csv(curve))
    run_folder.commit_dir(staging, final)


def write_summaries(
    run_dir: Path, config: dict[str, Any], rows: list[dict[str, Any]] | None = None, out: Path | None = None
) -> None:
    """Write the return matrices, ``curves.csv`` and ``metrics.json`` from the season folders.

    ``rows`` replaces the stored rows (``evergreen eval``), and ``out`` the folder they go to.
    """
    out = out or run_dir
    labels = [season_label(season) for season in config["seasons"]]
    with damaged_as_checkpoint_error():
        row_labels, stored_rows = run_folder.read_rows(run_dir, labels)
    rows = rows or stored_rows
    header = ["after", *labels]
    for name, key in ((run_folder.MATRIX, "return"), (run_folder.MATRIX_NORMALIZED, "normalized")):
        body = [[label, *row[key]] for label, row in zip(row_labels, rows, strict=True)]
        run_folder.atomic_write_text(out / name, run_folder.csv_text(header, body))

    curves: list[dict[str, Any]] = []
    for index, label in enumerate(row_labels[1:], start=1):
        with damaged_as_checkpoint_error():
            curves += run_folder.read_curves_file(run_dir / run_folder.season_dir_name(index, label) / run_folder.CURVE_FILE)
    run_folder.atomic_write_text(out / run_folder.CURVES, run_folder.curves_csv(curves))

    normalized = np.array([row["normalized"] for row in rows], dtype=float)
    metrics: dict[str, Any] = {"method": config["method"], "seed": config["seed"], "finished_seasons": len(rows) - 1}
    if len(rows) == len(labels) + 1:
        metrics.update(run_metrics(normalized, labels, curves))
    season_compute = [
        read_learner_info(run_dir / run_folder.season_dir_name(i, label))["compute"]
        for i, label in enumerate(row_labels[1:], start=1)
    ]
    metrics["compute"] = season_compute[-1] if season_compute else None
    metrics["compute_per_season"] = season_compute
    if len(row_labels) > 1:
        last = run_dir / run_folder.season_dir_name(len(row_labels) - 1, row_labels[-1])
        with damaged_as_checkpoint_error():
            starts = read_state(last / STATE_FILE)["method_state"].get("column_starts")
        if starts:  # column_init best: how each column started, kept with the results (the archive has no checkpoints)
            metrics["column_starts"] = starts
    run_folder.atomic_write_json(out / run_folder.METRICS, metrics)
