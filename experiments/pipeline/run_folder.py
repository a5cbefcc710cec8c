"""The run folder: what ``evergreen train`` writes and how it is read back.

Layout of a run folder ``DIR``::

    DIR/config.yaml                    the resolved training config (the run's identity)
    DIR/untrained/                     the learner before any training, and its row of the matrix
    DIR/season_1_spring/               one folder per finished season:
        model.zip                      SB3 checkpoint (``stable_baselines3.PPO.load`` opens it)
        learner.json                   method, seasons seen, cumulative compute accounting
        state.pt                       method state and the torch / numpy / python RNG states
        row.json                       raw and normalized returns on every season of the sequence
        curve.csv                      the learning curve points of this season
    DIR/return_matrix.csv              raw mean returns (rows: untrained, then after each season)
    DIR/return_matrix_normalized.csv   the same, normalized (0 = random, 1 = scripted gardener)
    DIR/curves.csv                     every learning-curve point of the run
    DIR/metrics.json                   average return, forgetting, transfer, compute
    DIR/tb/                            TensorBoard logs
    DIR/mid_season/season_2_summer_at_40960/
                                       the season being trained, saved after 40,960 of its steps
                                       (``evergreen train --checkpoint-every``): the model being
                                       trained, learner.json, state.pt (RNG states included), the
                                       method's files, curve.csv so far and mid_season.json; the
                                       season's folder replaces it when the season ends
    DIR/../.DIR.lock                   the lock of a run being trained (beside the folder; see
                                       :func:`lock_path`)

A season folder is written under a temporary name and renamed when complete, so a killed run
never leaves a half-written season behind; a mid-season checkpoint is written the same way under
a new name (its step count), and only then are the older ones of its season removed. Every file
is written to a temp file, then renamed (``envs.atomic_io``, whose writers this module re-exports).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import yaml

# The one atomic writer (envs.atomic_io), re-exported: callers write run files through this module.
from envs.atomic_io import atomic_write_bytes as atomic_write_bytes
from envs.atomic_io import atomic_write_json as atomic_write_json
from envs.atomic_io import atomic_write_text as atomic_write_text
from envs.ids import LEGACY_ENV_ID

CONFIG = "config.yaml"
UNTRAINED = "untrained"
MATRIX = "return_matrix.csv"
MATRIX_NORMALIZED = "return_matrix_normalized.csv"
CURVES = "curves.csv"
METRICS = "metrics.json"
#: Written by ``evergreen eval --season-agnostic``: the matrices and metrics not told the season, and
#: how each checkpoint's recognizer named the days.
AGNOSTIC_DIR = "eval_agnostic"
RECOGNITION = "recognizer.json"
#: A season-agnostic run's record of when it noticed each season change (written last: the run has finished).
DETECTION = "detection.json"
#: In every checkpoint folder: its row of the return matrix and its season's learning curve.
ROW_FILE = "row.json"
CURVE_FILE = "curve.csv"
CURVE_COLUMNS = ("season_index", "trained_season", "season_step", "step", "eval_season", "return", "normalized")


def season_dir_name(index: int, season: str) -> str:
    """Folder name of the ``index``-th (1-based) season of a run, e.g. ``season_2_summer``."""
    return f"season_{index}_{season}"


def lock_path(run_dir: Path) -> Path:
    """The lock file of a run folder: ``.NAME.lock`` beside it (hidden, so ``runs/*`` still lists run folders only).

    Beside, not inside, so that taking the lock writes nothing into the folder; the path is made
    absolute first, so every spelling of the folder takes the same lock.
    """
    folder = Path(run_dir).resolve()
    return folder.with_name(f".{folder.name}.lock")


#: The folder of mid-season checkpoints inside a run folder, and the progress file in each checkpoint.
MID_SEASON = "mid_season"
MID_SEASON_FILE = "mid_season.json"


def mid_season_dir(run_dir: Path, index: int, season: str, steps: int) -> Path:
    """The checkpoint of season ``index`` after ``steps`` of its env steps, e.g. ``mid_season/season_2_summer_at_40960``."""
    return Path(run_dir) / MID_SEASON / f"{season_dir_name(index, season)}_at_{steps}"


def mid_season_checkpoints(run_dir: Path, index: int, season: str) -> list[tuple[int, Path]]:
    """The committed mid-season checkpoints of season ``index``, as ``(steps, folder)``, fewest steps first."""
    prefix = f"{season_dir_name(index, season)}_at_"
    found = []
    folder = Path(run_dir) / MID_SEASON
    for path in folder.iterdir() if folder.is_dir() else []:
        steps = path.name.removeprefix(prefix)
        if path.name.startswith(prefix) and steps.isdigit() and path.is_dir():
            found.append((int(steps), path))
    return sorted(found)


def csv_text(header: list[str] | tuple[str, ...], rows: list[list[Any]] | list[tuple[Any, ...]]) -> str:
    """CSV text of a header and rows (floats written with full precision)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([repr(float(v)) if isinstance(v, float | np.floating) else v for v in row])
    return buffer.getvalue()


def curves_csv(points: list[dict[str, Any]]) -> str:
    """CSV text of learning-curve points (``CURVE_COLUMNS``)."""
    return csv_text(CURVE_COLUMNS, [[point[column] for column in CURVE_COLUMNS] for point in points])


def commit_dir(staging: Path, final: Path) -> None:
    """Move a fully written staging folder into place (replacing nothing that is complete)."""
    if final.exists():
        shutil.rmtree(staging)
        raise FileExistsError(f"{final} already exists")
    os.replace(staging, final)


def staging_dir(final: Path) -> Path:
    """A fresh temporary folder beside ``final``; left-overs of a killed run are removed first."""
    staging = final.with_name(f".{final.name}.partial")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    return staging


#: Keys every run folder's config.yaml holds.
REQUIRED_CONFIG_KEYS = ("method", "seasons", "steps", "seed", "eval_episodes", "eval_every", "ppo")


def read_config(run_dir: Path) -> dict[str, Any]:
    """The resolved config of a run folder; ``ValueError`` naming the file if it is missing or damaged.

    A config without ``env`` reads as ``envs.ids.LEGACY_ENV_ID`` (the env it was trained on), so an archived
    run compares equal to the same run resolved today.
    """
    path = Path(run_dir) / CONFIG
    if not path.is_file():
        raise ValueError(f"{run_dir} is not an evergreen run folder (no {CONFIG}); give a folder made by evergreen train")
    try:
        with open(path) as handle:
            config = yaml.safe_load(handle)
    except yaml.YAMLError:
        raise ValueError(f"corrupted run config {path}: not valid YAML") from None
    missing = [key for key in REQUIRED_CONFIG_KEYS if not isinstance(config, dict) or key not in config]
    if missing:
        raise ValueError(f"corrupted run config {path}: missing {', '.join(missing)}")
    config.setdefault("env", LEGACY_ENV_ID)
    return config


def read_json(path: Path) -> Any:
    """A JSON file; ``ValueError`` naming the file if it is missing or damaged."""
    try:
        return json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise ValueError(f"missing file {path}") from None
    except (ValueError, UnicodeDecodeError):
        raise ValueError(f"corrupted file {path}: not valid JSON") from None


def read_matrix(run_dir: Path, normalized: bool = True) -> tuple[list[str], list[str], np.ndarray]:
    """``(row labels, seasons, matrix)`` of a run; row 0 is ``untrained``, row i is after season i."""
    path = Path(run_dir) / (MATRIX_NORMALIZED if normalized else MATRIX)
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    try:
        header, body = rows[0], rows[1:]
        labels = [row[0] for row in body]
        matrix = np.array([[float(v) for v in row[1:]] for row in body], dtype=float)
    except (IndexError, ValueError):
        raise ValueError(f"corrupted return matrix {path}") from None
    if matrix.ndim != 2 or matrix.shape[1] != len(header) - 1:
        raise ValueError(f"corrupted return matrix {path}")
    return labels, header[1:], matrix


def matrix_text(folder: Path) -> str:
    """The normalized return matrix of a folder holding ``return_matrix_normalized.csv``, as a table to print."""
    labels, seasons, matrix = read_matrix(folder, normalized=True)
    lines = ["Normalized return (0 = random, 1 = scripted gardener); rows: after training through"]
    lines.append(f"{'':12s}" + "".join(f"{season:>10s}" for season in seasons))
    lines += [f"{label:12s}" + "".join(f"{value:10.2f}" for value in row) for label, row in zip(labels, matrix, strict=True)]
    return "\n".join(lines)


def read_curves(run_dir: Path) -> list[dict[str, Any]]:
    """The learning-curve points of a run (``CURVE_COLUMNS``, numbers parsed)."""
    return read_curves_file(Path(run_dir) / CURVES)


def read_curves_file(path: Path) -> list[dict[str, Any]]:
    """Learning-curve points of one CSV file (``CURVE_COLUMNS``, numbers parsed)."""
    with open(path, newline="") as handle:
        points = list(csv.DictReader(handle))
    try:
        for point in points:
            for key in ("season_index", "season_step", "step"):
                point[key] = int(point[key])
            for key in ("return", "normalized"):
                point[key] = float(point[key])
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"corrupted learning curve {path}") from None
    return points


def read_metrics(run_dir: Path) -> dict[str, Any]:
    """The ``metrics.json`` of a run."""
    return read_json(Path(run_dir) / METRICS)


def finished_seasons(run_dir: Path, labels: list[str]) -> int:
    """How many seasons of the sequence have a committed folder (in order, without gaps)."""
    finished = 0
    for index, label in enumerate(labels, start=1):
        if not (run_dir / season_dir_name(index, label) / ROW_FILE).is_file():
            break
        finished = index
    return finished


def checkpoint_dirs(run_dir: Path, labels: list[str]) -> list[Path]:
    """The checkpoint folders of the matrix rows: untrained, then every finished season."""
    finished = labels[: finished_seasons(run_dir, labels)]
    return [run_dir / UNTRAINED] + [run_dir / season_dir_name(i, label) for i, label in enumerate(finished, start=1)]


def read_rows(run_dir: Path, labels: list[str]) -> tuple[list[str], list[dict[str, Any]]]:
    """Row labels and row records of the matrix: untrained, then every finished season."""
    rows = [read_json(folder / ROW_FILE) for folder in checkpoint_dirs(run_dir, labels)]
    return ["untrained", *labels[: len(rows) - 1]], rows


@contextlib.contextmanager
def naming(path: Path) -> Iterator[None]:
    """Re-raise an OSError that names no file (a full disk, a broken pipe) as one naming ``path``, the output being written."""
    try:
        yield
    except OSError as error:
        if error.filename is not None:
            raise
        raise OSError(error.errno, error.strerror or str(error).splitlines()[0], str(path)) from error
