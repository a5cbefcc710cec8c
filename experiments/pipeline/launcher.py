"""Several ``evergreen train`` runs at once, one subprocess each (the quick preset and the benchmarks).

A machine with 2 cores runs two trainings side by side at close to full speed each (every run
uses one torch thread and steps its envs in its own process). Each run logs to ``<run_dir>.log``,
finished runs are skipped, and a file lock (``<run_dir>.lock``) keeps two benchmark processes
from training the same run folder.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import filelock

from experiments.pipeline.run_folder import METRICS, read_json


@dataclass(frozen=True)
class TrainJob:
    """One ``evergreen train`` run: a config file plus command-line overrides."""

    run_dir: Path
    config: Path
    method: str
    seed: int | None = None
    options: dict[str, Any] = field(default_factory=dict)
    seasons: Sequence[str] | None = None
    force: bool = False  # move aside a run folder made with another config (``evergreen train --force``)

    def command(self) -> list[str]:
        """The ``evergreen train`` command line (through this Python interpreter)."""
        command = [sys.executable, "-m", "experiments.cli", "train", "--config", str(self.config), "--method", self.method]
        command += ["--run-dir", str(self.run_dir), "--no-progress"]
        if self.seed is not None:
            command += ["--seed", str(self.seed)]
        for key, value in self.options.items():
            command += ["--option", f"{key}={json.dumps(value)}"]  # JSON is YAML: None -> null
        for season in self.seasons or ():
            command += ["--seasons", season]  # a list option takes one value per --seasons (or commas)
        if self.force:
            command.append("--force")
        return command


def finished(run_dir: Path) -> bool:
    """Whether a run folder holds the metrics of every season."""
    path = Path(run_dir) / METRICS
    return path.is_file() and "average_return" in read_json(path)


@contextlib.contextmanager
def claim(lock: Path) -> Iterator[bool]:
    """Hold the file lock ``lock`` unless another holder has it; yield whether we do.

    An OS file lock (``filelock.FileLock`` with ``timeout=0``): taking it is one atomic step, so of two
    processes (or threads) claiming it at once exactly one wins, and the OS releases it when its
    holder ends, even when killed, so no stale lock is left behind.
    """
    file_lock = filelock.FileLock(lock, timeout=0)
    try:
        file_lock.acquire()
    except filelock.Timeout:
        yield False
        return
    try:
        yield True
    finally:
        file_lock.release()


def train(job: TrainJob) -> float | None:
    """Run one job to the end (``RuntimeError`` naming its log if it fails); minutes, or None if skipped."""
    run_dir = Path(job.run_dir)
    run_dir.parent.mkdir(parents=True, exist_ok=True)
    log_path = run_dir.with_name(run_dir.name + ".log")
    with claim(run_dir.with_name(run_dir.name + ".lock")) as claimed:
        if not claimed:
            return None
        start = time.perf_counter()
        with open(log_path, "a") as log:
            result = subprocess.run(job.command(), stdout=log, stderr=subprocess.STDOUT)
        if result.returncode != 0:
            raise RuntimeError(f"training {run_dir} failed (exit {result.returncode}); see {log_path}")
        return (time.perf_counter() - start) / 60


def train_all(
    jobs: Sequence[TrainJob],
    workers: int = 2,
    on_done: Callable[[TrainJob], None] | None = None,
    done: Callable[[Path], bool] = finished,
) -> None:
    """Train every job not ``done`` yet, ``workers`` at a time, saying when each starts and ends.

    ``on_done(job)`` runs after each job this call finishes (e.g. to archive its results);
    ``done(run_dir)`` says whether a run needs no training (default: its folder is finished).
    """
    pending = [job for job in jobs if not done(job.run_dir)]
    print(f"{len(jobs) - len(pending)} of {len(jobs)} runs already finished; training {len(pending)}.", flush=True)

    def one(job: TrainJob) -> None:
        print(f"start {job.run_dir}", flush=True)
        minutes = train(job)
        print(
            f"skip  {job.run_dir}: another process trains it"
            if minutes is None
            else f"done  {job.run_dir} in {minutes:.1f} min",
            flush=True,
        )
        if minutes is not None and on_done is not None and done(job.run_dir):
            on_done(job)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for future in [pool.submit(one, job) for job in pending]:
            future.result()
