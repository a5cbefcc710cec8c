"""A seasonal training run, top to bottom: ``evergreen train``.

1. Resolve the config (defaults, ``--config`` file, command line) and open the run folder: a new
   folder gets ``config.yaml``; an existing one must hold the same config (or ``--force``).
2. Resume: continue from the last finished season's checkpoint (RNG states included, so the
   result is bit-identical to a run that never stopped), or start a new learner.
3. For every season not yet finished: ``start_season``, ``learn`` with the learning-curve and
   progress-bar callbacks, ``end_season``, evaluate on every season of the sequence (a row of the
   return matrix), and commit the season folder atomically.
4. Write the summaries: ``return_matrix.csv``, ``return_matrix_normalized.csv``, ``curves.csv``,
   ``metrics.json``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from agent.learner import ContinualLearner, read_learner_info, season_label
from agent.methods import make_learner
from experiments import run_folder as rf
from experiments.callbacks import LearningCurve, SeasonProgressBar
from experiments.evaluation import SeasonEvaluator
from experiments.metrics import run_metrics
from experiments.train_config import ConfigError, check_ppo_config, config_yaml

ROW_FILE = "row.json"
CURVE_FILE = "curve.csv"


def train_run(config: dict[str, Any], run_dir: Path, force: bool = False, progress: bool = True) -> Path:
    """Train ``config["method"]`` season after season into ``run_dir``; return the run folder."""
    run_dir = Path(run_dir)
    check_ppo_config(config)
    open_run_dir(run_dir, config, force)
    seasons: list[str] = config["seasons"]
    labels = [season_label(season) for season in seasons]
    evaluator = SeasonEvaluator(seasons, config["eval_episodes"])
    tensorboard = run_dir / "tb"

    # Resume after the last finished season, or start from an untrained learner.
    finished = finished_seasons(run_dir, labels)
    refuse_stray_season_folders(run_dir, labels, finished)
    if finished:
        last = run_dir / rf.season_dir_name(finished, labels[finished - 1])
        learner = ContinualLearner.load(last, ppo_config=config["ppo"], tensorboard_log=tensorboard)
        say(progress, f"Resuming {run_dir} after season {finished} ({labels[finished - 1]}).")
    else:
        learner = make_learner(
            config["method"],
            ppo_config=config["ppo"],
            seed=config["seed"],
            tensorboard_log=tensorboard,
            **config["method_options"],
        )

    # Only once the checkpoint has loaded: a refused resume leaves the folder as it was.
    set_aside_interrupted_logs(tensorboard, labels, finished)
    for index, season in enumerate(seasons, start=1):
        if index <= finished:
            continue
        learner.start_season(season)
        if index == 1 and not (run_dir / rf.UNTRAINED / ROW_FILE).is_file():
            save_checkpoint(run_dir / rf.UNTRAINED, learner, evaluator, seasons, index=0, curve=[])

        steps = learner.season_timesteps(config["steps"])
        curve = LearningCurve(learner, evaluator, seasons, index, config["eval_every"])
        callbacks = [curve]
        if progress:
            callbacks.append(SeasonProgressBar(f"{config['method']} {index}/{len(seasons)} {labels[index - 1]}", steps))
        learner.learn(steps, callback=callbacks)
        learner.end_season()

        save_checkpoint(
            run_dir / rf.season_dir_name(index, labels[index - 1]), learner, evaluator, seasons, index, curve.points
        )

    evaluator.close()
    write_summaries(run_dir, config)
    return run_dir


def open_run_dir(run_dir: Path, config: dict[str, Any], force: bool) -> None:
    """Create the run folder with ``config.yaml``, or check that an existing one holds the same config.

    With ``force`` a folder made with another config is moved aside (``DIR.replaced-<time>``),
    never deleted, and a new run starts in ``DIR``.
    """
    if run_dir.exists() and not run_dir.is_dir():
        raise ConfigError(f"run folder {run_dir} exists and is not a folder")
    if run_dir.is_dir() and any(run_dir.iterdir()):
        if not (run_dir / rf.CONFIG).is_file():
            raise ConfigError(
                f"{run_dir} is not empty and is not an evergreen run folder (no {rf.CONFIG}); choose another --run-dir"
            )
        existing = rf.read_config(run_dir)
        if existing != config:
            differing = sorted(key for key in set(existing) | set(config) if existing.get(key) != config.get(key))
            if not force:
                raise ConfigError(
                    f"run folder {run_dir} was made with a different config (differs in: {', '.join(differing)}); "
                    "use the same options to resume, another --run-dir, or --force to move it aside and start over"
                )
            aside = run_dir.with_name(f"{run_dir.name}.replaced-{time.strftime('%Y%m%d-%H%M%S')}")
            run_dir.rename(aside)
            print(f"Moved the old run folder (different config) to {aside}")
        else:
            return
    run_dir.mkdir(parents=True, exist_ok=True)
    rf.atomic_write_text(run_dir / rf.CONFIG, config_yaml(config))


def finished_seasons(run_dir: Path, labels: list[str]) -> int:
    """How many seasons of the sequence have a committed folder (in order, without gaps)."""
    finished = 0
    for index, label in enumerate(labels, start=1):
        if not (run_dir / rf.season_dir_name(index, label) / ROW_FILE).is_file():
            break
        finished = index
    return finished


def refuse_stray_season_folders(run_dir: Path, labels: list[str], finished: int) -> None:
    """Refuse to train over season folders after the last finished one (a gap or an incomplete folder)."""
    for index, label in enumerate(labels[finished:], start=finished + 1):
        folder = run_dir / rf.season_dir_name(index, label)
        if folder.exists():
            raise ConfigError(
                f"season folder {folder} is incomplete or follows a missing season; "
                "move it out of the run folder to train that season again"
            )


def set_aside_interrupted_logs(tensorboard: Path, labels: list[str], finished: int) -> None:
    """Move TensorBoard logs of seasons a killed run started but did not finish to ``tb/interrupted/``."""
    for index, label in enumerate(labels[finished:], start=finished + 1):
        for logs in tensorboard.glob(f"season_{index}_{label}_*"):
            aside = tensorboard / "interrupted" / f"{logs.name}-{time.strftime('%Y%m%d-%H%M%S')}"
            aside.parent.mkdir(parents=True, exist_ok=True)
            logs.rename(aside)


def save_checkpoint(
    final: Path,
    learner: ContinualLearner,
    evaluator: SeasonEvaluator,
    seasons: list[str],
    index: int,
    curve: list[dict[str, Any]],
) -> None:
    """Evaluate the learner on every season and commit checkpoint, row and curve as one folder."""
    raw, normalized = evaluator.row(learner, seasons)
    staging = rf.staging_dir(final)
    learner.save(staging)
    row = {"season_index": index, "season": learner.season if index else None, "return": raw, "normalized": normalized}
    (staging / ROW_FILE).write_text(json.dumps(row, indent=1) + "\n")
    (staging / CURVE_FILE).write_text(rf.curves_csv(curve))
    rf.commit_dir(staging, final)


def checkpoint_dirs(run_dir: Path, labels: list[str]) -> list[Path]:
    """The checkpoint folders of the matrix rows: untrained, then every finished season."""
    finished = labels[: finished_seasons(run_dir, labels)]
    return [run_dir / rf.UNTRAINED] + [run_dir / rf.season_dir_name(i, label) for i, label in enumerate(finished, start=1)]


def read_rows(run_dir: Path, labels: list[str]) -> tuple[list[str], list[dict[str, Any]]]:
    """Row labels and row records of the matrix: untrained, then every finished season."""
    rows = [rf.read_json(folder / ROW_FILE) for folder in checkpoint_dirs(run_dir, labels)]
    return ["untrained", *labels[: len(rows) - 1]], rows


def write_summaries(
    run_dir: Path, config: dict[str, Any], rows: list[dict[str, Any]] | None = None, out: Path | None = None
) -> None:
    """Write the return matrices, ``curves.csv`` and ``metrics.json`` from the season folders.

    ``rows`` replaces the stored rows (``evergreen eval``), and ``out`` the folder they go to.
    """
    out = out or run_dir
    labels = [season_label(season) for season in config["seasons"]]
    row_labels, stored_rows = read_rows(run_dir, labels)
    rows = rows or stored_rows
    header = ["after", *labels]
    for name, key in ((rf.MATRIX, "return"), (rf.MATRIX_NORMALIZED, "normalized")):
        body = [[label, *row[key]] for label, row in zip(row_labels, rows, strict=True)]
        rf.atomic_write_text(out / name, rf.csv_text(header, body))

    curves: list[dict[str, Any]] = []
    for index, label in enumerate(row_labels[1:], start=1):
        curves += rf.read_curves_file(run_dir / rf.season_dir_name(index, label) / CURVE_FILE)
    rf.atomic_write_text(out / rf.CURVES, rf.curves_csv(curves))

    normalized = np.array([row["normalized"] for row in rows], dtype=float)
    metrics: dict[str, Any] = {"method": config["method"], "seed": config["seed"], "finished_seasons": len(rows) - 1}
    if len(rows) == len(labels) + 1:
        metrics.update(run_metrics(normalized, labels, curves))
    season_compute = [
        read_learner_info(run_dir / rf.season_dir_name(i, label))["compute"] for i, label in enumerate(row_labels[1:], start=1)
    ]
    metrics["compute"] = season_compute[-1] if season_compute else None
    metrics["compute_per_season"] = season_compute
    rf.atomic_write_json(out / rf.METRICS, metrics)


def say(enabled: bool, message: str) -> None:
    """Print a progress message unless progress output is off."""
    if enabled:
        print(message, flush=True)
