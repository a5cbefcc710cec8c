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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml
from stable_baselines3.common.save_util import load_from_zip_file

from experiments.benchmarks.methods import archive_run, is_current
from experiments.pipeline.launcher import finished

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


def test_an_archived_benchmark_run_is_finished_and_compares_like_its_run_folder(finetune_run: Path, tmp_path: Path) -> None:
    archived = archive_run(finetune_run, tmp_path / "archive")
    assert finished(archived) and not list(archived.rglob("*.zip"))  # results only, no checkpoints
    for run in (finetune_run, archived):
        assert evergreen("compare", run, "--out", tmp_path / run.parent.name).returncode == 0
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
    for name in ("return_matrix.csv", "return_matrix_normalized.csv", "curves.csv"):
        assert (killed / name).read_text() == (uninterrupted / name).read_text()
    _, resumed_params, _ = load_from_zip_file(killed / "season_2_winter" / "model.zip")
    _, straight_params, _ = load_from_zip_file(uninterrupted / "season_2_winter" / "model.zip")
    for part in ("policy", "policy.optimizer"):
        assert str(resumed_params[part]) == str(straight_params[part])
        if part == "policy":
            for key, tensor in resumed_params[part].items():
                assert torch.equal(tensor, straight_params[part][key]), key


def test_bad_input_exits_2_with_one_line(finetune_run: Path, config_file: Path, tmp_path: Path) -> None:
    train = ("train", "--config", config_file, "--no-progress")
    files = {
        "bad_key.yaml": "method: finetune\nlearning_rate: 0.1\n",
        "malformed.yaml": "method: [finetune\n",
        "bad_season.yaml": "name: [wet\n",
        "bad_ppo.yaml": "method: finetune\nppo: {batch_size: big}\n",
        "bad_options.yaml": "method: replay\nmethod_options: [states_per_season]\n",
        "file": "x",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    blocker = tmp_path / "file"
    # (command, fragments the one line must hold); none of them may write anything.
    cases = [
        ((*train, "--method", "elastic", "--run-dir", tmp_path / "a"), ("elastic", "finetune, scratch, retrain")),
        ((*train, "--method", "finetune", "--seasons", "spring", "monsoon"), ("monsoon", "spring, summer")),
        ((*train, "--method", "finetune", "--steps", "0"), ("steps must be a positive integer",)),
        (("train", "--config", tmp_path / "bad_key.yaml"), ("unknown key 'learning_rate'", "valid keys")),
        (("train", "--config", tmp_path / "malformed.yaml"), ("not valid YAML",)),
        (("train", "--steps", "abc"), ("Invalid value for '--steps'",)),
        (("train", "--method", "finetune", "--seasons"), ("--seasons needs at least one value",)),
        ((*train, "--method", "finetune", "--seasons", tmp_path / "bad_season.yaml"), ("not valid YAML", "bad_season.yaml")),
        (("train", "--config", tmp_path / "bad_ppo.yaml", "--run-dir", tmp_path / "b"), ("invalid PPO settings",)),
        (("train", "--config", tmp_path / "bad_options.yaml", "-o", "beta_policy=2"), ("method_options", "mapping")),
        (("train", "--config", tmp_path / "bad_options.yaml"), ("method_options must be a mapping",)),
        (
            (*train, "--method", "finetune", "--run-dir", finetune_run, "--seed", "1", "--steps", "512"),
            ("different config", "--force"),
        ),
        ((*train, "--method", "finetune", "--run-dir", blocker), ("is not a folder",)),
        (("eval", tmp_path), ("not an evergreen run folder",)),
        (("compare", finetune_run, "--out", blocker / "report"), ("cannot write",)),
        (("compare", tmp_path, "--out", tmp_path / "r"), ("run folder",)),
        (("render", "--scripted", "--season", "winter", "--out", blocker / "v.mp4"), ("cannot write",)),
        (("render", finetune_run, "--season", "winter", "--out", tmp_path / "v.avi"), (".mp4 or .gif",)),
        (("render", finetune_run, "--checkpoint", "autumn", "--out", tmp_path / "v.mp4"), ("valid checkpoints",)),
    ]
    before = tree_digest(finetune_run)
    with ThreadPoolExecutor(max_workers=2) as pool:  # each call pays torch's import: two at a time
        results = list(pool.map(lambda case: evergreen(*case[0]), cases))
    for (_, fragments), result in zip(cases, results, strict=True):
        assert_user_error(result, *fragments)
    assert tree_digest(finetune_run) == before  # the refused resume changed nothing
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()

    # Missing and corrupted checkpoints name the file.
    broken = tmp_path / "broken"
    shutil.copytree(finetune_run, broken)
    (broken / "season_2_winter" / "model.zip").write_bytes(b"PK\x03\x04 truncated")
    assert_user_error(evergreen("eval", broken), "corrupted checkpoint file", "season_2_winter/model.zip")
    (broken / "season_1_spring" / "state.pt").unlink()
    assert_user_error(evergreen("eval", broken), "missing checkpoint file", "season_1_spring/state.pt")
    (broken / "config.yaml").write_text("method: [finetune\n")
    assert_user_error(evergreen("eval", broken), "corrupted run config", "config.yaml")

    # A season folder missing from the middle of a run: refused before any training, nothing changes.
    gap = tmp_path / "gap"
    shutil.copytree(finetune_run, gap)
    (gap / "season_1_spring" / "row.json").unlink()
    before = tree_digest(gap)
    resumed = evergreen("train", "--method", "finetune", "--config", config_file, "--run-dir", gap, "--seed", "1")
    assert_user_error(resumed, "season_1_spring is incomplete or follows a missing season")
    assert tree_digest(gap) == before


@pytest.fixture(scope="module")
def method_runs(tmp_path_factory: pytest.TempPathFactory, config_file: Path) -> dict[str, Path]:
    """Tiny two-season runs of the methods that keep files of their own: replay (memory) and progressive."""
    runs = {}
    options = {"replay": ["--option", "states_per_season=64"], "progressive": []}
    for method, extra in options.items():
        run_dir = tmp_path_factory.mktemp("runs") / method
        result = evergreen("train", "--method", method, "--config", config_file, "--run-dir", run_dir, "--no-progress", *extra)
        assert result.returncode == 0, result.stderr
        runs[method] = run_dir
    return runs


def test_method_runs_evaluate_and_render(method_runs: dict[str, Path], tmp_path: Path) -> None:
    replay, progressive = method_runs["replay"], method_runs["progressive"]
    assert (replay / "season_2_winter" / "replay_memory.npz").is_file()
    assert yaml.safe_load((replay / "config.yaml").read_text())["method_options"]["states_per_season"] == 64
    compute = json.loads((progressive / "metrics.json").read_text())["compute_per_season"]
    assert compute[1]["total_parameters"] > compute[0]["total_parameters"]  # a column per season
    assert evergreen("eval", progressive).returncode == 0
    video = evergreen("render", progressive, "--season", "spring", "--checkpoint", "1", "--out", tmp_path / "v.gif")
    assert video.returncode == 0 and (tmp_path / "v.gif").stat().st_size > 0, video.stderr
    # A season the progressive network has no column for is refused in one line.
    assert_user_error(
        evergreen("render", progressive, "--season", "autumn", "--out", tmp_path / "a.gif"),
        "no column for season slot 2",
        "spring, winter",
    )


def test_method_bad_input_exits_2_and_leaves_the_run_folder(
    method_runs: dict[str, Path], config_file: Path, tmp_path: Path
) -> None:
    replay, progressive = method_runs["replay"], method_runs["progressive"]
    train = ("train", "--seasons", "spring", "--steps", "64", "--no-progress", "--run-dir")
    cases = [
        ((*train, tmp_path / "a", "--method", "replay", "-o", "states_per_season=0"), ("states_per_season", "positive")),
        ((*train, tmp_path / "a", "--method", "replay", "-o", "beta_policy=-1"), ("beta_policy", "non-negative")),
        ((*train, tmp_path / "a", "--method", "ewc", "-o", "ewc_lambda=-0.5"), ("ewc_lambda", "non-negative")),
        ((*train, tmp_path / "a", "--method", "replay", "-o", "beta=1"), ("unknown option 'beta'", "beta_policy")),
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda case: evergreen(*case[0]), cases))
    for (_, fragments), result in zip(cases, results, strict=True):
        assert_user_error(result, *fragments)
    assert not (tmp_path / "a").exists()

    # A damaged or missing replay memory names the file; nothing in the run folder changes.
    broken = tmp_path / "replay"
    shutil.copytree(replay, broken)
    (broken / "season_2_winter" / "replay_memory.npz").write_bytes(b"PK\x03\x04 damaged")
    before = tree_digest(broken)
    assert_user_error(evergreen("eval", broken), "corrupted checkpoint file", "season_2_winter/replay_memory.npz")
    assert tree_digest(broken) == before
    # Resuming after season 1 whose memory file is gone: refused before any training.
    (broken / "season_1_spring" / "replay_memory.npz").unlink()
    shutil.rmtree(broken / "season_2_winter")
    before = tree_digest(broken)
    resume = ("train", "--method", "replay", "--config", config_file, "--run-dir", broken, "-o", "states_per_season=64")
    assert_user_error(evergreen(*resume), "missing checkpoint file", "season_1_spring/replay_memory.npz")
    assert tree_digest(broken) == before

    # A progressive checkpoint whose column count disagrees with its learner.json names the zip.
    mismatch = tmp_path / "progressive"
    shutil.copytree(progressive, mismatch)
    info_path = mismatch / "season_1_spring" / "learner.json"
    info = json.loads(info_path.read_text())
    info["seasons"] = ["spring", "winter"]
    info_path.write_text(json.dumps(info))
    before = tree_digest(mismatch)
    assert_user_error(evergreen("eval", mismatch), "season_1_spring/model.zip", "1 columns for 2 seasons")
    assert tree_digest(mismatch) == before
