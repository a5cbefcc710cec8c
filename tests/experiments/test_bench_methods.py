"""The methods benchmark's run list and the config each run must have been trained with to count."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from agent.methods import learner_class
from experiments.benchmarks.methods import ARCHIVE, TWO_YEARS, RunSpec, expected_config, job, main, run_specs
from experiments.pipeline.launcher import train_all


def test_runs_are_seed_major_then_the_seed_0_sweeps_and_two_garden_years() -> None:
    names = [spec.name for spec in run_specs(["finetune", "replay", "progress-compress"], [0, 1], sweeps=True)]
    assert names[:6] == [f"{m}_seed{s}" for s in (0, 1) for m in ("finetune", "replay", "progress-compress")]
    assert names[6:] == ["replay-states_per_season1000_seed0", "replay-states_per_season50000_seed0", TWO_YEARS.name]


def test_expected_config_is_the_benchmark_config_with_the_runs_options() -> None:
    sweep = expected_config(RunSpec("replay", 0, {"states_per_season": 1_000}))
    assert sweep["method"] == "replay" and sweep["seed"] == 0 and sweep["steps"] == 100_000
    assert sweep["method_options"] == {**learner_class("replay").default_options(), "states_per_season": 1_000}
    assert expected_config(TWO_YEARS)["seasons"] == ["spring", "summer", "autumn", "winter"] * 2
    assert expected_config(RunSpec("finetune", 2))["method_options"] == learner_class("finetune").default_options()


def test_jobs_move_stale_folders_aside_and_the_benchmark_says_what_is_done(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = RunSpec("finetune", 0)
    command = job(spec, tmp_path).command()
    assert command[-1] == "--force"  # evergreen train moves a folder made with another config aside
    # train_all asks the benchmark whether a run is done, not merely whether its folder is finished.
    train_all([job(spec, tmp_path)], workers=1, done=lambda run_dir: True)
    assert "1 of 1 runs already finished; training 0." in capsys.readouterr().out


def test_a_report_of_archived_runs_without_sweeps_writes_no_sweeps_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The archive kept in the repository: a current run is reported without training.
    archived = Path(__file__).resolve().parents[2] / ARCHIVE / "progressive_seed0"
    shutil.copytree(archived, tmp_path / "archive" / "progressive_seed0")
    argv = ["bench_methods", "--out", str(tmp_path / "runs"), "--report", str(tmp_path / "report")]
    argv += ["--archive", str(tmp_path / "archive"), "--methods", "progressive", "--seeds", "0"]
    monkeypatch.setattr(sys, "argv", [*argv, "--no-sweeps"])
    main()
    assert "| progressive | 1 |" in (tmp_path / "report" / "report.md").read_text()
    assert not (tmp_path / "report" / "sweeps.md").exists()
