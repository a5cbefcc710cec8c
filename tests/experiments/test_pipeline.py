"""Train -> eval -> render -> compare through the ``evergreen`` command, resume after SIGKILL, and bad input."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

EVERGREEN = shutil.which("evergreen", path=str(Path(sys.executable).parent)) or "evergreen"
TINY = {
    "seasons": ["spring", "winter"],
    "steps": 256,
    "eval_episodes": 2,
    "eval_every": 128,
    "ppo": {"n_envs": 2, "n_steps": 64, "batch_size": 64, "n_epochs": 2, "policy_kwargs": {"net_arch": [32, 32]}},
}


def evergreen(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([EVERGREEN, *map(str, args)], capture_output=True, text=True, timeout=600)


def assert_user_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def tree_digest(folder: Path) -> dict[str, str]:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.fixture(scope="module")
def config_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("config") / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY))
    return path


@pytest.fixture(scope="module")
def finetune_run(tmp_path_factory: pytest.TempPathFactory, config_file: Path) -> Path:
    run_dir = tmp_path_factory.mktemp("runs") / "finetune"
    result = evergreen("train", "--method", "finetune", "--config", config_file, "--run-dir", run_dir, "--seed", "1")
    assert result.returncode == 0, result.stderr
    return run_dir


def test_train_writes_the_run_folder(finetune_run: Path) -> None:
    for name in ("config.yaml", "return_matrix.csv", "return_matrix_normalized.csv", "curves.csv", "metrics.json"):
        assert (finetune_run / name).is_file(), name
    for folder in ("untrained", "season_1_spring", "season_2_winter"):
        for name in ("model.zip", "learner.json", "state.pt", "row.json"):
            assert (finetune_run / folder / name).is_file(), f"{folder}/{name}"
    assert list((finetune_run / "tb").iterdir()), "TensorBoard logs"
    config = yaml.safe_load((finetune_run / "config.yaml").read_text())
    assert config["method"] == "finetune" and config["seed"] == 1 and config["ppo"]["n_steps"] == 64
    assert config["ppo"]["gamma"] == 0.97  # the resolved config holds the defaults too

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
    result = evergreen("train", "--method", "finetune", "--config", config_file, "--run-dir", finetune_run, "--seed", "1")
    assert result.returncode == 0, result.stderr
    assert tree_digest(finetune_run / "season_2_winter") == before


def test_eval_recomputes_the_matrix_from_checkpoints(finetune_run: Path) -> None:
    result = evergreen("eval", finetune_run)
    assert result.returncode == 0, result.stderr
    assert "untrained" in result.stdout and "winter" in result.stdout
    # Same checkpoints, same evaluation days: the same matrix as training wrote.
    assert (finetune_run / "eval" / "return_matrix.csv").read_text() == (finetune_run / "return_matrix.csv").read_text()


def test_render_policy_and_scripted_videos(finetune_run: Path, tmp_path: Path) -> None:
    import imageio.v2 as imageio

    result = evergreen("render", finetune_run, "--season", "winter", "--checkpoint", "spring", "--out", tmp_path / "w.mp4")
    assert result.returncode == 0, result.stderr
    frames = imageio.mimread(tmp_path / "w.mp4", memtest=False)
    assert len(frames) > 20 and frames[0].shape == (360, 480, 3)
    result = evergreen("render", "--scripted", "--season", "summer", "--out", tmp_path / "s.gif")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "s.gif").stat().st_size > 0


def test_compare_writes_the_report(finetune_run: Path, config_file: Path, tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    trained = evergreen("train", "--method", "scratch", "--config", config_file, "--run-dir", scratch, "--no-progress")
    assert trained.returncode == 0, trained.stderr
    result = evergreen("compare", finetune_run, scratch, "--out", tmp_path / "report")
    assert result.returncode == 0, result.stderr
    report = (tmp_path / "report" / "report.md").read_text()
    for text in ("| finetune |", "| scratch |", "Forgetting", "Compute", "first season (spring)"):
        assert text.lower() in report.lower(), text
    for png in ("heatmap_finetune.png", "heatmap_scratch.png", "final_returns.png", "learning_curves.png"):
        assert (tmp_path / "report" / png).read_bytes()[:4] == b"\x89PNG"


def test_resume_after_sigkill_matches_an_uninterrupted_run(config_file: Path, tmp_path: Path) -> None:
    common = ("train", "--method", "finetune", "--config", config_file, "--steps", "1024", "--no-progress")
    uninterrupted = tmp_path / "uninterrupted"
    assert evergreen(*common, "--run-dir", uninterrupted).returncode == 0

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

    result = evergreen(*common, "--run-dir", killed)
    assert result.returncode == 0, result.stderr
    assert tree_digest(killed / "season_1_spring") == first_season
    for name in ("return_matrix.csv", "return_matrix_normalized.csv"):
        assert (killed / name).read_text() == (uninterrupted / name).read_text()


def test_bad_input_exits_2_with_one_line(finetune_run: Path, config_file: Path, tmp_path: Path) -> None:
    train = ("train", "--config", config_file, "--no-progress")
    unknown_method = evergreen(*train, "--method", "elastic", "--run-dir", tmp_path / "a")
    assert_user_error(unknown_method, "elastic", "finetune, scratch, retrain")
    assert_user_error(evergreen(*train, "--method", "finetune", "--seasons", "spring", "monsoon"), "monsoon", "spring, summer")
    assert_user_error(evergreen(*train, "--method", "finetune", "--steps", "0"), "steps must be a positive integer")
    bad_key = tmp_path / "bad_key.yaml"
    bad_key.write_text("method: finetune\nlearning_rate: 0.1\n")
    assert_user_error(evergreen("train", "--config", bad_key), "unknown key 'learning_rate'", "valid keys")
    malformed = tmp_path / "malformed.yaml"
    malformed.write_text("method: [finetune\n")
    assert_user_error(evergreen("train", "--config", malformed), "not valid YAML")
    assert not (tmp_path / "a").exists()

    # A run folder made with another config is refused, and nothing in it changes.
    before = tree_digest(finetune_run)
    assert_user_error(
        evergreen("train", "--method", "finetune", "--config", config_file, "--run-dir", finetune_run, "--steps", "512"),
        "different config",
        "--force",
    )
    assert tree_digest(finetune_run) == before

    # Missing and corrupted checkpoints name the file.
    broken = tmp_path / "broken"
    shutil.copytree(finetune_run, broken)
    (broken / "season_2_winter" / "model.zip").write_bytes(b"PK\x03\x04 truncated")
    assert_user_error(evergreen("eval", broken), "corrupted checkpoint file", "season_2_winter/model.zip")
    (broken / "season_1_spring" / "state.pt").unlink()
    assert_user_error(evergreen("eval", broken), "missing checkpoint file", "season_1_spring/state.pt")
    assert_user_error(evergreen("eval", tmp_path), "not an evergreen run folder")

    # Unwritable outputs.
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert_user_error(evergreen("compare", finetune_run, "--out", blocker / "report"), "cannot write")
    assert_user_error(evergreen("render", "--scripted", "--season", "winter", "--out", blocker / "v.mp4"), "cannot write")
    assert_user_error(evergreen("render", finetune_run, "--season", "winter", "--out", tmp_path / "v.avi"), ".mp4 or .gif")
    no_checkpoint = evergreen("render", finetune_run, "--checkpoint", "autumn", "--out", tmp_path / "v.mp4")
    assert_user_error(no_checkpoint, "valid checkpoints")
    assert_user_error(evergreen("compare", tmp_path, "--out", tmp_path / "r"), "run folder")
