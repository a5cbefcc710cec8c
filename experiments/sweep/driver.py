"""The driver of a sweep: plan the runs, train the missing ones as Ray tasks, and say how each ended.

1. Plan, before Ray starts: a run whose folder holds its config and is finished is skipped (no task
   is started); a folder made with another config is refused unless ``force`` (``train_run`` then
   moves it aside, never deletes it); the others are trained, in the order given.
2. Keep as many runs in flight as the Ray instance has CPUs (``jobs``), in order, and wait for
   them (``ray.wait``). Ray itself runs a task again when its worker process or node dies (up to
   ``retries`` times); the retry resumes after the run's last checkpoint.
3. How a run ends:

   - finished: ``on_finished`` is called (the methods benchmark archives it);
   - a user error in the run (``ConfigError``, ``CheckpointError``): the sweep ends with that error,
     the runs in flight are stopped (they resume when the sweep runs again) and every finished run
     stays as it is;
   - locked by another process that trains the same folder (``RunLocked``): not trained twice; the
     driver waits, checks the folder, and tries again later (backing off) until it is finished
     or free;
   - its worker or node died more than ``retries`` times, or it raised something else (a bug,
     traceback in its log): it is reported as failed and the other runs go on.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent import CheckpointError
from agent.core.numerics import PINNED_NUMERICS
from experiments.pipeline.config import ConfigError
from experiments.pipeline.run_folder import CONFIG
from experiments.pipeline.run_lock import RunLocked
from experiments.sweep.progress import Progress, season_text
from experiments.sweep.ray_instance import SweepError, connected
from experiments.sweep.runs import FolderState, RunSpec, folder_state
from experiments.sweep.task import log_path, train_in_worker

#: glibc malloc keeps freed memory instead of handing it back to the kernel: a Ray worker otherwise returns
#: torch's freed buffers and faults them back zeroed, in kernel time (measured in docs/cluster.md). No
#: number a run computes changes.
MALLOC_KEEPS_MEMORY = {"MALLOC_TRIM_THRESHOLD_": str(2**30), "MALLOC_MMAP_THRESHOLD_": str(2**30)}
#: The environment of every task: the pinned CPU numerics (a run's numbers do not depend on its node), one thread.
TASK_ENV = {**PINNED_NUMERICS, "OMP_NUM_THREADS": "1", **MALLOC_KEEPS_MEMORY}
#: Seconds between two looks at a run locked by another process, doubled each time up to the cap.
LOCKED_WAIT, LOCKED_WAIT_MAX = 20.0, 600.0


class RunsFailed(RuntimeError):
    """Some runs failed after their retries, or on a bug (their logs hold the tracebacks); the others finished."""


@dataclass
class SweepResult:
    """How each run of a sweep ended: ``trained``, ``skipped`` (finished before), or ``failed`` (with why)."""

    trained: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    elsewhere: list[str] = field(default_factory=list)  # finished by another process while the sweep waited


def check_storage(storage: Path, create: bool) -> None:
    """Refuse a storage root that does not exist (unless ``create``: the default ``runs/``) or cannot be written."""
    if create:
        try:
            storage.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise SweepError(f"cannot create the storage root {storage}: {error.strerror or error}") from None
    if not storage.is_dir():
        what = "is not a folder" if storage.exists() else "does not exist"
        raise SweepError(f"storage root {storage} {what}; give an existing folder every node sees (--storage DIR)")
    try:
        with tempfile.TemporaryFile(dir=storage):
            pass
    except OSError as error:
        raise SweepError(f"storage root {storage} is not writable: {error.strerror or error}") from None


def plan(
    runs: Sequence[RunSpec], storage: Path, force: bool, skip: Callable[[RunSpec], bool] | None = None
) -> tuple[list[RunSpec], list[RunSpec]]:
    """``(to train, finished)``: :class:`SweepError` naming the first folder made with another config unless ``force``."""
    to_train, done = [], []
    for run in runs:
        if skip is not None and skip(run):
            done.append(run)
            continue
        state = folder_state(storage / run.name, run.config)
        if state is FolderState.FINISHED:
            done.append(run)
        elif state is FolderState.NOT_A_RUN:
            raise SweepError(
                f"{storage / run.name} is in the way of run {run.name} and is not an evergreen run folder "
                f"(no readable {CONFIG}); move it out of the storage root, or use another --storage"
            )
        elif state is FolderState.OTHER_CONFIG and not force:
            raise SweepError(
                f"run folder {storage / run.name} was made with another config; "
                "use --force to move it aside (it is kept, renamed) and train it again, or another --storage"
            )
        else:
            to_train.append(run)
    return to_train, done


@dataclass
class _Flight:
    """The runs of a sweep on their way: queued, in flight (task ref -> run), and waiting for another process."""

    queue: list[RunSpec]
    in_flight: dict[Any, RunSpec] = field(default_factory=dict)
    locked: dict[str, tuple[RunSpec, float]] = field(default_factory=dict)  # name -> (run, when to try again)
    waits: dict[str, float] = field(default_factory=dict)  # name -> seconds to wait the next time it is locked


def run_sweep(
    runs: Sequence[RunSpec],
    storage: Path,
    *,
    address: str | None = None,
    jobs: int | None = None,
    retries: int = 2,
    force: bool = False,
    checkpoint_every: int | None = None,
    skip: Callable[[RunSpec], bool] | None = None,
    on_finished: Callable[[RunSpec], None] | None = None,
    progress: bool = True,
    poll: float = 1.0,
) -> SweepResult:
    """Train every run of ``runs`` not finished yet into ``storage/<name>``, each as a Ray task; say how each ended.

    ``address`` None starts a local Ray instance (127.0.0.1) of ``jobs`` CPUs (default: the machine's cores);
    ``auto`` or ``HOST:PORT`` joins a running cluster, where ``jobs`` (if given) caps the runs in flight.
    ``skip(run)`` marks more runs as finished (archived ones). Raises :class:`SweepError` (a user error)
    or :class:`RunsFailed` once every other run has ended.
    """
    storage = Path(storage).absolute()  # the tasks run in other processes (and on other nodes)
    to_train, done = plan(runs, storage, force, skip)
    result = SweepResult(skipped=[run.name for run in done])
    display = Progress(len(runs), enabled=progress)
    display.say(f"{len(done)} of {len(runs)} runs already finished; training {len(to_train)} under {storage}.")
    if not to_train:
        return result  # nothing to train: no Ray instance to start or cluster to join
    cpus = jobs or os.cpu_count() or 1
    with connected(address, cpus) as ray:
        remote = ray.remote(num_cpus=1, max_calls=1, max_retries=retries, retry_exceptions=False)(train_in_worker)
        task = remote.options(runtime_env={"env_vars": TASK_ENV})
        sweep_id = uuid.uuid4().hex[:8]
        flight = _Flight(list(to_train))
        with cancelled_on_error(ray, flight), contextlib.closing(display):
            while flight.queue or flight.in_flight or flight.locked:
                capacity = jobs if jobs else max(1, int(ray.cluster_resources().get("CPU", 1)))
                _submit(
                    flight,
                    capacity,
                    lambda run: task.remote(run.name, run.config, str(storage / run.name), force, checkpoint_every, sweep_id),
                )
                ready, _ = ray.wait(list(flight.in_flight), num_returns=1, timeout=poll) if flight.in_flight else ([], [])
                for ref in ready:
                    _ended(ray, ref, flight.in_flight.pop(ref), flight, result, display, storage, on_finished)
                _look_at_locked(flight, result, storage, display)
                running = {run.name: season_text(run, storage / run.name, sweep_id) for run in flight.in_flight.values()}
                finished = len(done) + len(result.trained) + len(result.elsewhere)
                display.show(finished, running, len(result.failed), len(flight.locked))
                if not ready and not flight.in_flight:
                    time.sleep(poll)  # only runs locked elsewhere: wait for them
    raise_if_failed(result, len(runs), storage)
    return result


def raise_if_failed(result: SweepResult, total: int, storage: Path) -> None:
    """Raise :class:`RunsFailed` naming every failed run, why, and its log, if any failed."""
    if result.failed:
        lines = "; ".join(f"{name}: {why} (log {log_path(storage / name)})" for name, why in result.failed.items())
        raise RunsFailed(f"{len(result.failed)} of {total} runs failed: {lines}")


@contextlib.contextmanager
def cancelled_on_error(ray: Any, flight: _Flight) -> Iterator[None]:
    """On a user error or Ctrl-C, cancel the runs in flight; they resume when the sweep runs again."""
    try:
        yield
    except BaseException:
        for ref in flight.in_flight:
            ray.cancel(ref, force=True)
        raise


def _submit(flight: _Flight, capacity: int, start: Callable[[RunSpec], Any]) -> None:
    """Start queued runs (``start(run)`` returns the task's ref) until ``capacity`` runs are in flight."""
    while flight.queue and len(flight.in_flight) < capacity:
        run = flight.queue.pop(0)
        flight.in_flight[start(run)] = run


def _ended(
    ray: Any,
    ref: Any,
    run: RunSpec,
    flight: _Flight,
    result: SweepResult,
    display: Progress,
    storage: Path,
    on_finished: Callable[[RunSpec], None] | None,
) -> None:
    """Take in a finished task: the run finished, failed, was locked elsewhere, or ended the sweep with a user error."""
    try:
        info = ray.get(ref)
    except ray.exceptions.RayTaskError as error:
        cause = getattr(error, "cause", None)
        if isinstance(cause, RunLocked):
            wait = flight.waits.get(run.name, LOCKED_WAIT)
            flight.locked[run.name] = (run, time.monotonic() + wait)
            flight.waits[run.name] = min(2 * wait, LOCKED_WAIT_MAX)  # if it is still locked then, wait longer
            display.say(f"{run.name}: another process trains it; waiting for it ({str(cause).splitlines()[0]})")
            return
        if isinstance(cause, ConfigError | CheckpointError):
            stopped = len(flight.in_flight)
            also = f"; {stopped} runs in flight stopped (they resume when the sweep runs again)" if stopped else ""
            raise SweepError(f"run {run.name}: {str(cause).splitlines()[0]}{also}") from None
        why = f"{type(cause).__name__}: {cause}" if cause is not None else str(error)
        result.failed[run.name] = why.splitlines()[0]
        display.say(f"failed  {run.name}: {result.failed[run.name]} (traceback in {log_path(storage / run.name)})")
        return
    except ray.exceptions.RayError as error:  # the worker or node died once more than the retries allow, and the like
        result.failed[run.name] = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        display.say(f"failed  {run.name}: {result.failed[run.name]}")
        return
    result.trained.append(run.name)
    retried = f", attempt {info['attempt']}" if info.get("attempt", 1) > 1 else ""
    display.say(f"done    {run.name} in {info['seconds'] / 60:.1f} min on {info['host']}{retried}")
    if on_finished is not None:
        on_finished(run)


def _look_at_locked(flight: _Flight, result: SweepResult, storage: Path, display: Progress) -> None:
    """Runs locked by another process: finished there (done), or time to try again (queued, waiting twice as long next)."""
    now = time.monotonic()
    for name, (run, next_look) in list(flight.locked.items()):
        if folder_state(storage / name, run.config) is FolderState.FINISHED:
            del flight.locked[name]
            result.elsewhere.append(name)
            display.say(f"done    {name} (trained by another process)")
        elif now >= next_look:
            del flight.locked[name]
            flight.queue.insert(0, run)  # if the other process still holds it, the task says so again


def write_reports(reports: dict[Path, list[RunSpec]], storage: Path) -> list[Path]:
    """``compare``'s report of each group of finished runs (``report.md`` and its figures); the report files."""
    from experiments.report.compare import write_report

    return [write_report([storage / run.name for run in group], folder) for folder, group in reports.items()]
