"""The lock of a run folder: one process trains a run at a time (``evergreen train`` and the sweep alike)."""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import filelock

from experiments.pipeline import run_folder
from experiments.pipeline.config import ConfigError


class RunLocked(ConfigError):
    """Another process holds the run folder's lock (it is training that run); nothing was written."""


@contextlib.contextmanager
def run_lock(run_dir: Path) -> Iterator[None]:
    """Hold the lock of ``run_dir`` (:func:`run_folder.lock_path`, beside the folder) while the block runs.

    An OS file lock (``filelock``, ``flock`` underneath): of two processes (on one machine or on a
    shared file system) only one holds it, and the OS releases it when its holder ends, even when
    killed, so a stale lock never blocks a resume. Raises :class:`RunLocked` at once, naming the
    folder and the holder, when another process holds it; nothing has been written then.
    """
    path = run_folder.lock_path(run_dir)
    lock = filelock.FileLock(path, timeout=0)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except filelock.Timeout:
        raise RunLocked(
            f"run folder {run_dir} is being trained by another process ({lock_holder(path)}); "
            "wait for it to end (or stop it), or choose another --run-dir"
        ) from None
    except OSError as error:
        raise ConfigError(f"cannot lock run folder {run_dir} (lock file {path}): {error.strerror or error}") from None
    try:
        # Who holds it, for the message of a refused second process. Written in place (never renamed over:
        # a new inode would be another lock).
        with contextlib.suppress(OSError):
            path.write_text(f"pid {os.getpid()} on {socket.gethostname()} since {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        yield
    finally:
        lock.release()


def lock_holder(path: Path) -> str:
    """What the holder of a run lock wrote in it (its pid, host and start), or that it is unknown."""
    try:
        return path.read_text().strip() or "holder unknown"
    except OSError:
        return "holder unknown"
