"""The Ray task of a sweep: one run, trained by exactly ``train_run`` (the code path of ``evergreen train``) into its folder.

The driver wraps :func:`train_in_worker` with ``ray.remote(num_cpus=1, max_calls=1, max_retries=K)``:

- one CPU: one torch thread, and the run's envs stepped in the task's own process;
- ``max_calls=1``: every attempt runs in a fresh worker process, as ``evergreen train`` runs in a fresh
  process: no torch, PyBullet or RNG state is left over from another run, and a leak dies with it;
- ``max_retries``: Ray runs the task again when its worker process or node dies (not when it raises);
  ``train_run`` then resumes after the run's last checkpoint.

The task's output (``train_run``'s lines, the resume line naming the checkpoint, a traceback)
goes to ``<run folder>.log`` beside the run folder, on the storage every node sees; each attempt
starts with a line naming the sweep, the attempt, the node and the process.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: Begins the first line of every attempt in a run's log (the driver counts them to show retries).
ATTEMPT = "== sweep"


def log_path(run_dir: Path) -> Path:
    """The log of a run's attempts: ``<run folder>.log`` beside the folder (inside, it would make the folder not a run's)."""
    return run_dir.with_name(run_dir.name + ".log")


def attempts(run_dir: Path, sweep_id: str) -> int:
    """How many attempts of sweep ``sweep_id`` have started on ``run_dir`` (from its log)."""
    try:
        text = log_path(run_dir).read_text(errors="replace")
    except OSError:
        return 0
    return sum(line.startswith(f"{ATTEMPT} {sweep_id} ") for line in text.splitlines())


@contextlib.contextmanager
def output_to(path: Path) -> Iterator[None]:
    """Send this process's stdout and stderr (file descriptors too: PyBullet prints from C) to ``path``, appended."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with open(path, "ab", buffering=0) as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)


def train_in_worker(
    name: str, config: dict[str, Any], run_dir: str, force: bool, checkpoint_every: int | None, sweep_id: str
) -> dict[str, Any]:
    """Train one run in this (Ray worker) process with ``train_run``; return where and how long it ran.

    User errors (``ConfigError``, ``CheckpointError``, a run locked by another process) propagate
    unchanged: the driver reports them. Anything else is written to the run's log, then re-raised.
    """
    import ray
    import torch

    # agent pins the CPU numerics (also passed in the task's environment) before torch runs a kernel.
    import agent  # noqa: F401
    from agent import CheckpointError
    from experiments.pipeline.config import ConfigError

    torch.set_num_threads(1)  # Ray sets OMP_NUM_THREADS=1 too; torch may have read it before (ray#4692)
    from experiments.pipeline.train import train_run

    folder = Path(run_dir)
    node = ray.get_runtime_context().get_node_id()
    attempt = attempts(folder, sweep_id) + 1
    start = time.perf_counter()
    with output_to(log_path(folder)):
        print(
            f"{ATTEMPT} {sweep_id} attempt {attempt}: {name} on {socket.gethostname()} node {node} pid {os.getpid()} "
            f"at {time.strftime('%Y-%m-%d %H:%M:%S')}",
            flush=True,
        )
        try:
            train_run(config, folder, force=force, progress=False, checkpoint_every=checkpoint_every)
        except (ConfigError, CheckpointError):  # user errors (RunLocked is a ConfigError): the driver says them
            raise
        except BaseException:
            traceback.print_exc()
            raise
        print(f"finished {name} in {time.perf_counter() - start:.1f} s", flush=True)
    seconds = time.perf_counter() - start
    return {"name": name, "node": node, "host": socket.gethostname(), "seconds": seconds, "attempt": attempt}
