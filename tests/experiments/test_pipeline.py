"""Train -> eval -> render -> compare through the ``evergreen`` command, and resume after SIGKILL.

The commands run through ``experiments.cli.main`` in the test process (a new process would spend seconds
importing torch for each); the killed run is a real ``evergreen`` process. The tiny runs are the fixtures
of ``conftest.py``; bad input, and the console script's own error output, are tested in ``test_bad_input.py``.
"""

from __future__ import annotations

import csv
import json
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml
from stable_baselines3.common.save_util import load_from_zip_file

from agent.core.ppo_defaults import default_ppo_config
from experiments.benchmarks.methods import archive_run, is_current
from experiments.sweep.runs import finished
from tests.experiments.cli_runs import EVERGREEN, TINY, assert_user_error, evergreen_here, tree_digest


def test_train_writes_the_run_folder(finetune_run: Path) -> None:
    for name in ("config.yaml", "return_matrix.csv", "return_matrix_normalized.csv", "curves.csv", "metrics.json"):
        assert (finetune_run / name).is_file(), name
    for folder in ("untrained", "season_1_spring", "season_2_winter"):
        for name in ("model.zip", "learner.json", "state.pt", "row.json"):
            assert (finetune_run / folder / name).is_file(), f"{folder}/{name}"
    assert list((finetune_run / "tb").iterdir()), "TensorBoard logs"
    config = yaml.safe_load((finetune_run / "config.yaml").read_text())
    assert config["method"] == "finetune" and config["seed"] == 1 and config["ppo"]["n_steps"] == 64
    assert config["ppo"]["gamma"] == default_ppo_config()["gamma"]  # the resolved config holds the defaults too

    with open(finetune_run / "return_matrix.csv") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["after", "spring", "winter"]
    assert [row[0] for row in rows[1:]] == ["untrained", "spring", "winter"]
    assert all(np.isfinite(float(v)) for row in rows[1:] for v in row[1:])

    metrics = json.loads((finetune_run / "metrics.json").read_text())
    assert metrics["method"] == "finetune" and metrics["finished_seasons"] == 2
    for key in ("average_return", "forgetting", "forgetting_cw", "backward_transfer", "auc"):
        assert metrics[key] is not None, key
    assert metrics["compute"]["env_steps"] == 2 * TINY["steps"]
    assert metrics["compute"]["trainable_parameters"] > 0

    with open(finetune_run / "curves.csv") as handle:
        points = list(csv.DictReader(handle))
    trained = {(p["season_index"], p["season_step"]) for p in points}
    assert ("1", "0") in trained and ("2", str(TINY["steps"])) in trained
    assert {p["eval_season"] for p in points} == {"spring", "winter"}


def test_training_again_on_a_finished_run_trains_nothing(finetune_run: Path, config_file: Path) -> None:
    before = tree_digest(finetune_run / "season_2_winter")
    result = evergreen_here("train", "--method", "finetune", "--config", config_file, "--run-dir", finetune_run, "--seed", "1")
    assert result.returncode == 0, result.stderr
    assert tree_digest(finetune_run / "season_2_winter") == before


def test_eval_recomputes_the_matrix_from_checkpoints(finetune_run: Path) -> None:
    result = evergreen_here("eval", finetune_run)
    assert result.returncode == 0, result.stderr
    assert "untrained" in result.stdout and "winter" in result.stdout
    # Same checkpoints, same evaluation days: the same matrix as training wrote.
    assert (finetune_run / "eval" / "return_matrix.csv").read_text() == (finetune_run / "return_matrix.csv").read_text()


@pytest.mark.slow
def test_render_policy_and_scripted_videos(finetune_run: Path, tmp_path: Path) -> None:
    import imageio.v2 as imageio

    result = evergreen_here(
        "render", finetune_run, "--season", "winter", "--checkpoint", "spring", "--out", tmp_path / "w.mp4"
    )
    assert result.returncode == 0, result.stderr
    frames = imageio.mimread(tmp_path / "w.mp4", memtest=False)
    assert len(frames) > 20 and frames[0].shape == (360, 480, 3)
    result = evergreen_here("render", "--scripted", "--season", "summer", "--out", tmp_path / "s.gif")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "s.gif").stat().st_size > 0


@pytest.mark.slow
def test_compare_writes_the_report(finetune_run: Path, config_file: Path, tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    trained = evergreen_here("train", "--method", "scratch", "--config", config_file, "--run-dir", scratch, "--no-progress")
    assert trained.returncode == 0, trained.stderr
    result = evergreen_here("compare", finetune_run, scratch, "--out", tmp_path / "report")
    assert result.returncode == 0, result.stderr
    report = (tmp_path / "report" / "report.md").read_text()
    for text in ("| finetune |", "| scratch |", "Forgetting", "Compute", "first season (spring)"):
        assert text.lower() in report.lower(), text
    for png in ("heatmap_finetune.png", "heatmap_scratch.png", "final_returns.png", "learning_curves.png"):
        assert (tmp_path / "report" / png).read_bytes()[:4] == b"\x89PNG"


def test_an_archived_benchmark_run_is_finished_and_compares_like_its_run_folder(finetune_run: Path, tmp_path: Path) -> None:
    archived = archive_run(finetune_run, tmp_path / "archive")
    assert finished(archived) and not list(archived.rglob("*.zip"))  # results only, no checkpoints
    for run in (finetune_run, archived):
        assert evergreen_here("compare", run, "--out", tmp_path / run.parent.name).returncode == 0
    reports = [(tmp_path / run.parent.name / "report.md").read_text() for run in (finetune_run, archived)]
    assert reports[0].split("## Metrics")[1] == reports[1].split("## Metrics")[1]
    expected = yaml.safe_load((finetune_run / "config.yaml").read_text())
    assert is_current(archived, expected)
    # A run trained with other method options, or on a season whose content has since changed, is not reused.
    changed_option = {**expected, "method_options": {"action_bound_coef": 0.0}}
    assert finished(archived) and not is_current(archived, changed_option)
    config = yaml.safe_load((archived / "config.yaml").read_text())
    config["season_fingerprints"][0] = "0" * 16
    (archived / "config.yaml").write_text(yaml.safe_dump(config))
    assert finished(archived) and not is_current(archived, expected)


@pytest.mark.slow
def test_resume_after_sigkill_matches_an_uninterrupted_run(config_file: Path, tmp_path: Path) -> None:
    common = ("train", "--method", "finetune", "--config", config_file, "--steps", "1024", "--no-progress")
    uninterrupted = tmp_path / "uninterrupted"
    assert evergreen_here(*common, "--run-dir", uninterrupted).returncode == 0

    killed = tmp_path / "killed"
    process = subprocess.Popen([EVERGREEN, *map(str, common), "--run-dir", str(killed)], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while not (killed / "season_1_spring" / "row.json").exists():
        assert process.poll() is None and time.monotonic() < deadline, "the run ended before its second season"
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)  # during the second season
    process.wait()
    assert not (killed / "metrics.json").exists()
    first_season = tree_digest(killed / "season_1_spring")

    result = evergreen_here(*common, "--run-dir", killed)
    assert result.returncode == 0, result.stderr
    assert tree_digest(killed / "season_1_spring") == first_season
    for name in ("return_matrix.csv", "return_matrix_normalized.csv", "curves.csv"):
        assert (killed / name).read_text() == (uninterrupted / name).read_text()
    _, resumed_params, _ = load_from_zip_file(killed / "season_2_winter" / "model.zip")
    _, straight_params, _ = load_from_zip_file(uninterrupted / "season_2_winter" / "model.zip")
    assert resumed_params is not None and straight_params is not None
    for part in ("policy", "policy.optimizer"):
        assert str(resumed_params[part]) == str(straight_params[part])
        if part == "policy":
            for key, tensor in dict(resumed_params[part]).items():
                assert torch.equal(tensor, straight_params[part][key]), key


@pytest.mark.slow
def test_method_runs_evaluate_and_render(method_runs: dict[str, Path], tmp_path: Path) -> None:
    replay, progressive = method_runs["replay"], method_runs["progressive"]
    assert (replay / "season_2_winter" / "replay_memory.npz").is_file()
    assert yaml.safe_load((replay / "config.yaml").read_text())["method_options"]["states_per_season"] == 64
    compute = json.loads((progressive / "metrics.json").read_text())["compute_per_season"]
    assert compute[1]["total_parameters"] > compute[0]["total_parameters"]  # a column per season
    assert evergreen_here("eval", progressive).returncode == 0
    video = evergreen_here("render", progressive, "--season", "spring", "--checkpoint", "1", "--out", tmp_path / "v.gif")
    assert video.returncode == 0 and (tmp_path / "v.gif").stat().st_size > 0, video.stderr
    # A season the progressive network has no column for is refused in one line.
    assert_user_error(
        evergreen_here("render", progressive, "--season", "autumn", "--out", tmp_path / "a.gif"),
        "no column for season slot 2",
        "spring, winter",
    )


def test_a_run_keeps_how_its_columns_started_in_its_metrics(config_file: Path, tmp_path: Path) -> None:
    run = tmp_path / "best"
    result = evergreen_here(
        "train",
        "--method",
        "progressive",
        "--config",
        config_file,
        "-o",
        "column_init=best",
        "--run-dir",
        run,
        "--no-progress",
    )
    assert result.returncode == 0, result.stderr
    metrics = json.loads((run / "metrics.json").read_text())
    (start,) = metrics["column_starts"]  # spring's column starts fresh; winter's is chosen
    assert start["season"] == "winter" and start["chosen"] in ("column 0 (spring)", "column 0 (spring), the latest")
    assert metrics["compute"]["env_steps"] == 2 * TINY["steps"] + start["env_steps"]  # the trial days counted
