"""The sweep-throughput benchmark's pieces that need no cluster: a node confined to its core, the plain arm's command."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from experiments.benchmarks.sweep_speed import CONFIG, confine, train_command
from experiments.sweep.runs import run_spec


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores to tell a confined process apart")
def test_confine_pins_a_process_its_children_and_what_they_start_later_to_one_core() -> None:
    # A parent that starts one child now and another after confine() ran.
    script = "import subprocess, sys, time; a = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)']); "
    script += "time.sleep(1.5); b = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)']); time.sleep(30)"
    parent = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 10
        while not psutil.Process(parent.pid).children() and time.monotonic() < deadline:
            time.sleep(0.05)
        confine(parent.pid, 1)
        while len(psutil.Process(parent.pid).children()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        processes = [psutil.Process(parent.pid), *psutil.Process(parent.pid).children()]
        assert len(processes) == 3 and all(process.cpu_affinity() == [1] for process in processes)
    finally:
        for process in psutil.Process(parent.pid).children():
            process.kill()
        parent.kill()
        parent.wait()


def test_the_plain_arm_trains_the_grid_run_with_evergreen_train(tmp_path: Path) -> None:
    run = run_spec("run0", "finetune", 0, config={**CONFIG, "steps": 4096, "eval_every": 4096})
    command = train_command(run, tmp_path)
    assert command[:4] == [sys.executable, "-m", "experiments.cli", "train"] and command[-1] == "--no-progress"
    options = dict(zip(command[4:-1:2], command[5:-1:2], strict=True))
    assert options == {
        "--method": "finetune",
        "--seed": "0",
        "--seasons": "spring,winter",
        "--steps": "4096",
        "--eval-every": "4096",
        "--eval-episodes": "2",
        "--run-dir": str(tmp_path / "run0"),
    }
