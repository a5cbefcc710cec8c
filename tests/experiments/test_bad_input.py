"""Bad input: every user error exits 2 with one line naming the problem and the valid choices, and nothing is lost.

Most cases run the command's ``main()`` in this process (:func:`evergreen_here`); the console script itself
runs for Ctrl-C and for a few user errors, to show the real entry point keeps the same contract. A bug
(any other exception) keeps its traceback.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from tests.experiments.cli_runs import EVERGREEN, Outcome, assert_user_error, evergreen, evergreen_here, tree_digest

Here = Callable[..., Outcome]


@pytest.fixture
def here() -> Here:
    """``here(*args)``: run ``evergreen ARGS`` in this process."""
    return evergreen_here


def test_bad_input_exits_2_with_one_line(here: Here, finetune_run: Path, config_file: Path, tmp_path: Path) -> None:
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
    (tmp_path / "latin.yaml").write_bytes("method: finetune\nseasons: [été]\n".encode("latin-1"))
    blocker = tmp_path / "file"
    # (command, fragments the one line must hold); none of them may write anything.
    cases = [
        ((*train, "--method", "elastic", "--run-dir", tmp_path / "a"), ("elastic", "finetune, scratch, retrain")),
        ((*train, "--method", "finetune", "--seasons", "spring,monsoon"), ("monsoon", "spring, summer")),
        ((*train, "--method", "finetune", "--seasons", "spring,,winter"), ("--seasons", "empty item", "spring,summer")),
        ((*train, "--method", "finetune", "--steps", "0"), ("steps must be a positive integer, got 0",)),
        (
            ("train", "--config", tmp_path / "bad_key.yaml"),
            ("config key 'learning_rate'", "bad_key.yaml", "valid keys: method"),
        ),
        (("train", "--config", tmp_path / "malformed.yaml"), ("not valid YAML",)),
        (("train", "--config", tmp_path / "latin.yaml"), ("latin.yaml is not UTF-8 text", "byte 0xe9 on line 2")),
        (("train", "--steps", "abc"), ("Invalid value for '--steps'",)),
        (("train", "--method", "finetune", "--seasons"), ("'--seasons' requires an argument",)),
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
        (("compare", finetune_run, "--out", blocker / "report"), ("cannot write to", "file/report")),
        (("compare", tmp_path, "--out", tmp_path / "r"), ("run folder",)),
        (("render", "--scripted", "--season", "winter", "--out", blocker / "v.mp4"), ("cannot write to", "file/v.mp4")),
        (("render", "--scripted", "--season", "winter", "--out", tmp_path), (".mp4 or .gif",)),
        (("render", finetune_run, "--season", "winter", "--out", tmp_path / "v.avi"), (".mp4 or .gif",)),
        (("render", finetune_run, "--checkpoint", "autumn", "--out", tmp_path / "v.mp4"), ("valid checkpoints",)),
    ]
    if Path("/proc/self").is_dir():  # a folder nothing can be written to: refused before any rendering
        cases.append((("render", "--scripted", "--out", "/proc/evergreen.mp4"), ("cannot write to /proc/evergreen.mp4",)))
    before = tree_digest(finetune_run)
    for command, fragments in cases:
        assert_user_error(here(*command), *fragments)
    assert tree_digest(finetune_run) == before  # the refused resume changed nothing
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists() and not (tmp_path / "r").exists()


def test_damaged_run_folders_are_named(here: Here, finetune_run: Path, config_file: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(finetune_run, broken)
    shutil.rmtree(broken / "eval", ignore_errors=True)  # left by an earlier `evergreen eval` of the shared run
    before = tree_digest(broken)
    (broken / "eval").write_text("in the way")
    assert_user_error(here("eval", broken), "cannot write to", "broken/eval")
    (broken / "eval").unlink()

    # Missing and corrupted checkpoints name the file and say what is wrong with it.
    model = broken / "season_2_winter" / "model.zip"
    original = model.read_bytes()
    model.write_bytes(b"PK\x03\x04 truncated")
    assert_user_error(here("eval", broken), "corrupted checkpoint file", "season_2_winter/model.zip", "not a zip archive")
    model.write_bytes(original)
    info_path = broken / "season_2_winter" / "learner.json"
    info = info_path.read_text()
    info_path.write_text(info.replace('"method": "finetune"', '"method": ["finetune"]'))
    assert_user_error(here("eval", broken), "season_2_winter/learner.json", "'method' must be a method name")
    info_path.write_text(info.replace('"method": "finetune"', '"method": "elastic"'))
    assert_user_error(here("eval", broken), "learner.json was trained with method 'elastic'", "config.yaml says 'finetune'")
    info_path.write_text(info)
    state = broken / "season_2_winter" / "state.pt"
    original = state.read_bytes()
    state.write_bytes(original[: len(original) // 2])
    assert_user_error(here("eval", broken), "season_2_winter/state.pt", "not a torch file (truncated or overwritten)")
    state.write_bytes(original)
    assert tree_digest(broken) == before

    (broken / "season_1_spring" / "state.pt").unlink()
    assert_user_error(here("eval", broken), "missing checkpoint file", "season_1_spring/state.pt")
    (broken / "config.yaml").write_text("method: [finetune\n")
    assert_user_error(here("eval", broken), "corrupted run config", "config.yaml")
    (broken / "config.yaml").write_bytes(b"method: finetune\nseed: \xe9\n")
    assert_user_error(here("eval", broken), "corrupted run config", "not UTF-8 text (byte 0xe9 on line 2)")

    # A season folder missing from the middle of a run: refused before any training, nothing changes.
    gap = tmp_path / "gap"
    shutil.copytree(finetune_run, gap)
    (gap / "season_1_spring" / "row.json").unlink()
    before = tree_digest(gap)
    resumed = here("train", "--method", "finetune", "--config", config_file, "--run-dir", gap, "--seed", "1")
    assert_user_error(resumed, "season_1_spring is incomplete or follows a missing season")
    assert tree_digest(gap) == before


def test_a_config_edited_to_another_run_is_refused(here: Here, finetune_run: Path, config_file: Path, tmp_path: Path) -> None:
    """config.yaml edited to seed 5 beside checkpoints made with seed 1: eval, render and train refuse it."""
    edited = tmp_path / "edited"
    shutil.copytree(finetune_run, edited)
    config = yaml.safe_load((edited / "config.yaml").read_text())
    (edited / "config.yaml").write_text(yaml.safe_dump({**config, "seed": 5}, sort_keys=False))
    before = tree_digest(edited)
    said = ("untrained/learner.json was trained with seed 1", "config.yaml says 5")
    assert_user_error(here("eval", edited), *said)
    assert_user_error(here("render", edited, "--checkpoint", "1", "--out", tmp_path / "v.gif"), "season_1_spring/learner.json")
    assert_user_error(
        here("train", "--method", "finetune", "--config", config_file, "--run-dir", edited, "--seed", "5"), *said
    )
    assert tree_digest(edited) == before and not (tmp_path / "v.gif").exists()


@pytest.mark.slow
def test_method_bad_input_exits_2_and_leaves_the_run_folder(
    here: Here,
    method_runs: dict[str, Path],
    config_file: Path,
    tmp_path: Path,
) -> None:
    replay, progressive = method_runs["replay"], method_runs["progressive"]
    train = ("train", "--seasons", "spring", "--steps", "64", "--no-progress", "--run-dir")
    cases = [
        ((*train, tmp_path / "a", "--method", "replay", "-o", "states_per_season=0"), ("states_per_season", "positive")),
        ((*train, tmp_path / "a", "--method", "replay", "-o", "beta_policy=-1"), ("beta_policy", "non-negative")),
        ((*train, tmp_path / "a", "--method", "ewc", "-o", "ewc_lambda=-0.5"), ("ewc_lambda", "non-negative")),
        ((*train, tmp_path / "a", "--method", "replay", "-o", "beta=1"), ("unknown option 'beta'", "beta_policy")),
    ]
    for command, fragments in cases:
        assert_user_error(here(*command), *fragments)
    assert not (tmp_path / "a").exists()

    # A damaged or missing replay memory names the file; nothing in the run folder changes.
    broken = tmp_path / "replay"
    shutil.copytree(replay, broken)
    (broken / "season_2_winter" / "replay_memory.npz").write_bytes(b"PK\x03\x04 damaged")
    before = tree_digest(broken)
    assert_user_error(here("eval", broken), "corrupted checkpoint file", "season_2_winter/replay_memory.npz")
    assert tree_digest(broken) == before
    # Resuming after season 1 whose memory file is gone: refused before any training.
    (broken / "season_1_spring" / "replay_memory.npz").unlink()
    shutil.rmtree(broken / "season_2_winter")
    before = tree_digest(broken)
    resume = ("train", "--method", "replay", "--config", config_file, "--run-dir", broken, "-o", "states_per_season=64")
    assert_user_error(here(*resume), "missing checkpoint file", "season_1_spring/replay_memory.npz")
    assert tree_digest(broken) == before

    # A progressive zip whose column count disagrees with its learner.json (one season) names the zip.
    mismatch = tmp_path / "progressive"
    shutil.copytree(progressive, mismatch)
    shutil.copy(mismatch / "season_2_winter" / "model.zip", mismatch / "season_1_spring" / "model.zip")
    before = tree_digest(mismatch)
    assert_user_error(here("eval", mismatch), "season_1_spring/model.zip", "2 columns for 1 seasons")
    assert tree_digest(mismatch) == before


def test_a_full_disk_names_the_folder_being_written(
    here: Here, config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agent import ContinualLearner

    def full(self: ContinualLearner, directory: Path) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(ContinualLearner, "save", full)
    run_dir = tmp_path / "run"
    result = here("train", "--method", "finetune", "--config", config_file, "--run-dir", run_dir, "--no-progress")
    assert_user_error(result, f"{run_dir / 'untrained'}: No space left on device")
    assert (run_dir / "config.yaml").is_file() and not (run_dir / "untrained").exists()


def test_a_failed_video_write_names_the_video(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """imageio-ffmpeg reports a dead ffmpeg with its whole command line; the error names the video in one line."""
    import numpy as np

    from experiments.media import video

    def dead_ffmpeg(*args: object, **kwargs: object) -> None:
        raise OSError("[Errno 32] Broken pipe\n\nFFMPEG COMMAND:\nffmpeg -y -f rawvideo ...\n\nFFMPEG STDERR OUTPUT:\n")

    monkeypatch.setattr(video.imageio, "get_writer", dead_ffmpeg)
    with pytest.raises(OSError) as raised:
        video.write_video(tmp_path / "day.mp4", [np.zeros((8, 8, 3), np.uint8)], fps=5)
    assert raised.value.filename == str(tmp_path / "day.mp4")
    assert raised.value.strerror == "cannot write the video ([Errno 32] Broken pipe)"
    assert list(tmp_path.iterdir()) == []


def test_a_bug_keeps_its_traceback(here: Here, config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only user errors exit 2: any other exception propagates (exit 1 with a traceback), even a ValueError or OSError."""
    from experiments.pipeline import train

    def crash(error: Exception) -> Callable[..., None]:
        def train_run(*args: object, **kwargs: object) -> None:
            raise error

        return train_run

    command = ("train", "--method", "finetune", "--config", config_file, "--run-dir", tmp_path / "run")
    for error in (
        RuntimeError("[enforce fail at inline_container.cc:672]"),
        ValueError("a bug"),
        OSError(5, "I/O", "/elsewhere"),
    ):
        monkeypatch.setattr(train, "train_run", crash(error))
        with pytest.raises(type(error)):
            here(*command)

    # An error raised while a Ctrl-C unwinds (torch's writer fails so mid-save) is the interrupt.
    def interrupted_save(*args: object, **kwargs: object) -> None:
        try:
            raise KeyboardInterrupt
        finally:
            raise RuntimeError("[enforce fail at inline_container.cc:672] . unexpected pos")

    monkeypatch.setattr(train, "train_run", interrupted_save)
    result = here(*command)
    assert result.returncode == 130 and result.stderr == "evergreen: interrupted, run the same command to resume\n"


def test_the_console_script_says_user_errors_in_one_line(config_file: Path, tmp_path: Path) -> None:
    cases = [
        (("train", "--steps", "abc"), ("Invalid value for '--steps'",)),
        (("train", "--config", config_file, "--method", "elastic"), ("unknown method 'elastic'", "finetune, scratch")),
        (("eval", tmp_path), ("not an evergreen run folder",)),
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:  # each call pays torch's import: two at a time
        results = list(pool.map(lambda case: evergreen(*case[0]), cases))
    for (_, fragments), result in zip(cases, results, strict=True):
        assert_user_error(result, *fragments)


@pytest.mark.slow
def test_ctrl_c_says_how_to_resume_and_loses_nothing(config_file: Path, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    command = [EVERGREEN, "train", "--method", "finetune", "--config", str(config_file), "--steps", "1024", "--no-progress"]
    command += ["--run-dir", str(run_dir)]
    # A shell's background jobs ignore SIGINT, and children inherit that: give the command the default, as a terminal does.
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 300
    while not (run_dir / "season_1_spring" / "row.json").exists():
        assert process.poll() is None and time.monotonic() < deadline, "the run ended before its second season"
        time.sleep(0.05)
    first_season = tree_digest(run_dir / "season_1_spring")
    process.send_signal(signal.SIGINT)  # during the second season
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130 and stderr == "evergreen: interrupted, run the same command to resume\n", stderr
    assert tree_digest(run_dir / "season_1_spring") == first_season and not (run_dir / "season_2_winter").exists()

    resumed = evergreen_here(*command[1:])  # the same command, in this process
    assert resumed.returncode == 0, resumed.stderr
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["finished_seasons"] == 2 and tree_digest(run_dir / "season_1_spring") == first_season
