"""The launcher's run lock: of two claimers at once, exactly one trains the run."""

from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path
from typing import Any

from experiments.pipeline.launcher import TrainJob, claim


def test_two_threads_claiming_at_once_one_wins(tmp_path: Path) -> None:
    lock = tmp_path / "run.lock"
    barrier, loser_done, results = threading.Barrier(2), threading.Event(), []

    def claimer() -> None:
        barrier.wait()  # both claim at the same moment
        with claim(lock) as claimed:
            results.append(claimed)
            if claimed:
                loser_done.wait(timeout=10)  # the winner holds the lock while the other one tries
            else:
                loser_done.set()

    threads = [threading.Thread(target=claimer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [False, True]
    with claim(lock) as claimed:  # released when its holder is done
        assert claimed


def _claim_in_process(lock: Path, start: Any, hold: float, queue: Any) -> None:
    """Claim ``lock`` once ``start`` lets every claimer go, say whether we hold it, and hold it ``hold`` seconds."""
    start.wait()
    with claim(lock) as claimed:
        queue.put(claimed)
        if claimed:
            time.sleep(hold)


def test_two_processes_claiming_at_once_one_wins(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    lock, start, queue = tmp_path / "run.lock", context.Barrier(2), context.Queue()
    processes = [context.Process(target=_claim_in_process, args=(lock, start, 2.0, queue)) for _ in range(2)]
    for process in processes:
        process.start()
    results = sorted(queue.get(timeout=60) for _ in processes)
    for process in processes:
        process.join(timeout=60)
    assert results == [False, True]
    assert all(process.exitcode == 0 for process in processes)


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    lock, start, queue = tmp_path / "run.lock", context.Barrier(1), context.Queue()
    holder = context.Process(target=_claim_in_process, args=(lock, start, 60.0, queue))
    holder.start()
    assert queue.get(timeout=60) is True
    with claim(lock) as claimed:
        assert not claimed  # held by a live process
    holder.kill()
    holder.join(timeout=10)
    with claim(lock) as claimed:
        assert claimed  # the OS released it with its holder


def test_train_commands_give_one_season_per_seasons_option(tmp_path: Path) -> None:
    command = TrainJob(tmp_path / "run", tmp_path / "c.yaml", "finetune", seasons=["spring", "winter"]).command()
    assert command[command.index("--seasons") :][:4] == ["--seasons", "spring", "--seasons", "winter"]
