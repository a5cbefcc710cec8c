"""An archive of finished runs: their results without the checkpoints, small enough to keep in a repository.

A run folder holds checkpoints (megabytes per season); ``evergreen compare`` reads only a run's config,
return matrices, learning curves and metrics. ``evergreen sweep --archive DIR`` copies those files of
each finished run to ``DIR/<run name>``, skips every run whose archive is current, and writes the
report from the archive: so a benchmark continues in a fresh checkout, and a report is rebuilt
without training (the benchmarks' archives are under ``docs/results/``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from envs.atomic_io import atomic_write_text
from experiments.pipeline.config import read_run_config
from experiments.pipeline.run_folder import CONFIG, CURVES, MATRIX, MATRIX_NORMALIZED, METRICS
from experiments.sweep.runs import RunSpec, finished

#: The files kept: what ``evergreen compare`` reads. The metrics go last: a run counts as archived once they are there.
ARCHIVED_FILES = (CONFIG, MATRIX, MATRIX_NORMALIZED, CURVES, METRICS)


def is_current(run_dir: Path, expected: dict[str, Any]) -> bool:
    """Whether a run (its folder or its archive) is finished and was trained with the config ``expected``.

    A run made before a season's content, the PPO defaults or a method's default options changed
    (its resolved config differs from the one it would be trained with now) does not count.
    Options added since it was trained count at the value that trains as it did
    (:func:`experiments.pipeline.config.read_run_config`).
    """
    return finished(run_dir) and read_run_config(run_dir) == expected


def archive_run(run_dir: Path, archive: Path) -> Path:
    """Copy a finished run's results (not its checkpoints) to ``archive/<run name>`` atomically; return that folder."""
    target = archive / run_dir.name
    target.mkdir(parents=True, exist_ok=True)
    for name in ARCHIVED_FILES:
        atomic_write_text(target / name, (run_dir / name).read_text())
    return target


def archive_finished(runs: Sequence[RunSpec], storage: Path, archive: Path) -> list[str]:
    """Archive the runs finished in ``storage`` whose archive is missing or out of date (e.g. after a stop); their names."""
    copied = []
    for run in runs:
        if is_current(storage / run.name, run.config) and not is_current(archive / run.name, run.config):
            archive_run(storage / run.name, archive)
            copied.append(run.name)
    return copied


def archive_hooks(
    runs: Sequence[RunSpec], storage: Path, archive: Path | None
) -> tuple[Callable[[RunSpec], bool] | None, Callable[[RunSpec], None] | None]:
    """The sweep's ``skip`` and ``on_finished`` for ``--archive DIR`` (none without one).

    Runs finished before a stop are archived first; ``skip`` then counts a run as finished when its
    archive holds its config, and ``on_finished`` copies a run's results (what ``compare`` reads, no
    checkpoints) to ``DIR/<run>`` as it ends, so the report can be written from ``DIR``.
    """
    if archive is None:
        return None, None
    shelf = archive
    archive_finished(runs, storage, shelf)

    def skip(run: RunSpec) -> bool:
        return is_current(shelf / run.name, run.config)

    def on_finished(run: RunSpec) -> None:
        archive_run(storage / run.name, shelf)

    return skip, on_finished
