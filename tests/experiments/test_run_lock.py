"""One process trains a run folder at a time: a second ``evergreen train`` on it is refused at once, in one line."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from experiments.pipeline import run_folder
from experiments.pipeline.config import ConfigError, resolve_config
from experiments.pipeline.run_lock import RunLocked, run_lock
from experiments.pipeline.train import train_run
from tests.experiments.cli_runs import TINY, assert_user_error, evergreen


def test_a_second_train_on_a_folder_being_trained_is_refused_before_it_writes(config_file: Path, tmp_path: Path) -> None:
    run_dir = tmp_path / "runs" / "finetune"
    # This process holds the lock as a first `evergreen train` would; the second is a real process.
    with run_lock(run_dir):
        start = time.monotonic()
        result = evergreen("train", "--method", "finetune", "--config", config_file, "--run-dir", run_dir, "--no-progress")
        seconds = time.monotonic() - start
    assert_user_error(result, f"run folder {run_dir} is being trained by another process", f"pid {os.getpid()} on ")
    assert "--run-dir" in result.stderr
    assert not run_dir.exists()  # nothing written: not even the folder
    assert seconds < 60  # refused at once (the process start and imports aside), not after training


def test_the_lock_is_held_for_the_whole_run_and_released_after(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    config = resolve_config(TINY, {"method": "finetune", "steps": 64, "eval_every": 64})
    lock = run_folder.lock_path(run_dir)
    assert lock.parent == tmp_path and lock.name == ".run.lock"  # beside the folder, not in it
    with run_lock(tmp_path / "." / "run"), pytest.raises(RunLocked) as raised:  # another spelling, the same lock
        train_run(config, run_dir, progress=False)
    assert isinstance(raised.value, ConfigError) and "\n" not in str(raised.value)
    assert not run_dir.exists()

    # A run that fails releases the lock (so does a killed one: the OS drops an flock with its process).
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    with pytest.raises(ConfigError, match="exists and is not a folder"):
        train_run(config, not_a_folder, progress=False)
    with run_lock(not_a_folder):
        pass
    with pytest.raises(ConfigError, match=r"--checkpoint-every must be 0 \(no mid-season checkpoints\) or a number"):
        train_run(config, run_dir, progress=False, checkpoint_every=-1)
