"""The distillation benchmark: the last season's distillation redone from the same start, setting by setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from experiments.benchmarks import distillation
from tests.experiments.cli_runs import evergreen_here


@pytest.fixture(scope="module")
def compress_run(tmp_path_factory: pytest.TempPathFactory, config_file: Path) -> Path:
    run = tmp_path_factory.mktemp("distill") / "progress-compress"
    options = ["-o", "states_per_season=64", "-o", "distill_steps=20", "-o", "distill_batch=32"]
    result = evergreen_here(
        "train", "--method", "progress-compress", "--config", config_file, *options, "--run-dir", run, "--no-progress"
    )
    assert result.returncode == 0, result.stderr
    return run


def test_each_setting_starts_from_the_same_weights_and_samples(compress_run: Path) -> None:
    first, other = distillation.redistill(compress_run, ["32:20:0.001", "64:10:0.002"], episodes=1)
    assert other["final_loss"] != first["final_loss"] and len(first["rounds"]) == 1
    # Every round starts again from the saved knowledge base: the last of three rounds distills the same.
    again, _ = distillation.redistill(compress_run, ["32:20:0.001", "64:10:0.002"], episodes=1, repeats=3)
    assert again["final_loss"] == first["final_loss"] and again["errors"] == first["errors"]
    assert len(again["rounds"]) == 3 and again["seconds"] == sorted(again["rounds"])[1]
    assert set(first["normalized"]) == {"spring", "winter"} and list(first["errors"]) == ["spring", "winter"]


def test_bad_settings_and_runs_are_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for options, message in (
        (["--run", str(tmp_path), "--settings", "256:3000"], "is not BATCH:STEPS:LR"),
        (["--run", str(tmp_path), "--settings", "256:0:0.001"], "must be > 0"),
        (["--run", str(tmp_path)], "needs at least two finished seasons"),
    ):
        with pytest.raises(SystemExit) as exit_info:
            distillation.app(options)
        err = capsys.readouterr().err
        assert exit_info.value.code == 2 and err.count("\n") == 1 and message in err
