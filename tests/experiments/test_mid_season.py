"""Mid-season checkpoints: a run killed within a season resumes from its last checkpoint, for every method.

The tiny run of ``tests/fixtures/tiny_return_matrices.json`` (two seasons of 256 steps, rollouts of
128) saves a mid-season checkpoint after 128 steps of each season by default (every fifth of the
season, at the first rollout boundary after it). A run is "killed" by an exception raised right after
the second season's first checkpoint; the same ``train_run`` then resumes it. What a mid-season resume
keeps is checked exactly: the trained model, its optimizer, the method state and memory, the torch /
numpy / python RNGs and the training envs' RNGs are those saved; the season ends on its exact step
budget, its curve goes on without a gap or a duplicate, and the finished season's files are not
touched. (Its numbers are not those of a run that never stopped: the envs start a new day on resume,
see docs/cli.md.) One test kills a real ``evergreen train`` with SIGKILL.
"""

from __future__ import annotations

import copy
import json
import random
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from stable_baselines3.common.save_util import load_from_zip_file

import experiments.pipeline.train as train
from agent import METHODS, ContinualLearner
from agent.components.replay_memory import MEMORY_FILE, load_memory
from agent.core.season_envs import env_rng_states
from experiments.pipeline import run_folder
from experiments.pipeline.config import resolve_config
from experiments.pipeline.train import train_run
from tests.experiments.behaviour_fixture import FIXTURE, STEPS, tiny_config
from tests.experiments.cli_runs import EVERGREEN, tree_digest


class Killed(Exception):
    """Stands for a kill right after a mid-season checkpoint was committed."""


def kill_after_first_checkpoint(monkeypatch: pytest.MonkeyPatch, season_index: int) -> None:
    """Make the first mid-season checkpoint of season ``season_index`` end the run (after it is committed)."""
    saver = train.mid_season_saver

    def killing_saver(run_dir: Path, learner: ContinualLearner, curve: Any, index: int, *args: Any) -> Callable[[int], None]:
        save = saver(run_dir, learner, curve, index, *args)

        def save_then_die(done: int) -> None:
            save(done)
            if index == season_index:
                raise Killed

        return save_then_die

    monkeypatch.setattr(train, "mid_season_saver", killing_saver)


def learner_state(learner: ContinualLearner) -> dict[str, Any]:
    """What a mid-season resume must restore, read from a live learner."""
    model = learner.model
    assert model is not None
    env = model.get_env()
    assert env is not None
    state = {
        "policy": copy.deepcopy(model.policy.state_dict()),
        "policy.optimizer": copy.deepcopy(model.policy.optimizer.state_dict()),
        "num_timesteps": model.num_timesteps,
        "rng": {"torch": torch.get_rng_state(), "numpy": np.random.get_state(), "python": random.getstate()},
        "env_rng": env_rng_states(env),
        "method_state": copy.deepcopy(learner.method_state()),
    }
    memory = getattr(learner, "memory", None)
    if memory is not None:
        state["memory"] = memory.state_dict()
    return state


def saved_state(folder: Path) -> dict[str, Any]:
    """The same, read from a mid-season checkpoint folder."""
    data, params, _ = load_from_zip_file(folder / "model.zip")
    assert data is not None and params is not None
    saved = torch.load(folder / "state.pt", weights_only=False)
    state = {
        "policy": params["policy"],
        "policy.optimizer": params["policy.optimizer"],
        "num_timesteps": data["num_timesteps"],
        "rng": saved["rng"],
        "env_rng": saved["env_rng"],
        "method_state": saved["method_state"],
    }
    if (folder / MEMORY_FILE).is_file():
        state["memory"] = load_memory(folder / MEMORY_FILE).state_dict()
    return state


def assert_same(a: Any, b: Any, where: str = "") -> None:
    """``a`` and ``b`` hold the same values, tensors and arrays compared exactly."""
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        assert isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and torch.equal(a, b), where
    elif isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        assert np.array_equal(np.asarray(a), np.asarray(b)), where
    elif isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), where
        for key in a:
            assert_same(a[key], b[key], f"{where}/{key}")
    elif isinstance(a, list | tuple):
        assert isinstance(b, list | tuple) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


@pytest.mark.parametrize("method", sorted(set(METHODS) - {"progressive-random"}))  # progressive's code path
def test_a_run_killed_mid_season_resumes_from_its_checkpoint(
    method: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config, run_dir = tiny_config(method), tmp_path / "run"
    with monkeypatch.context() as patch:
        kill_after_first_checkpoint(patch, season_index=2)
        with pytest.raises(Killed):
            train_run(config, run_dir, progress=False)
    [checkpoint] = (run_dir / run_folder.MID_SEASON).iterdir()
    assert checkpoint.name == "season_2_winter_at_128"
    finished = {name: tree_digest(run_dir / name) for name in ("untrained", "season_1_spring")}
    saved = saved_state(checkpoint)

    # Resume, and read what the learner holds when it starts learning the rest of the season.
    seen: dict[str, Any] = {}
    learn = ContinualLearner.learn

    def spying_learn(self: ContinualLearner, timesteps: int, callback: Any = None) -> None:
        if not seen:
            seen.update(learner_state(self), timesteps=timesteps, season_steps=self.season_timesteps(STEPS))
        learn(self, timesteps, callback)

    monkeypatch.setattr(ContinualLearner, "learn", spying_learn)
    capsys.readouterr()
    train_run(config, run_dir, progress=False)
    budget = seen.pop("season_steps")
    assert f"Resuming {run_dir} mid-season 2 (winter) at 128 of {budget:,} steps." in capsys.readouterr().out
    assert seen.pop("timesteps") == budget - 128
    assert_same(seen, saved)

    # The finished season is untouched, the season's folder replaced its checkpoint, and the season
    # trained its exact budget (a season's own work, replay's memory say, is the same every season).
    assert {name: tree_digest(run_dir / name) for name in finished} == finished
    assert not (run_dir / run_folder.MID_SEASON).exists()
    compute = [season["env_steps"] for season in json.loads((run_dir / "metrics.json").read_text())["compute_per_season"]]
    assert compute[1] - compute[0] == budget + (compute[0] - STEPS)
    curve = run_folder.read_curves_file(run_dir / "season_2_winter" / run_folder.CURVE_FILE)
    season_steps = [point["season_step"] for point in curve if point["eval_season"] == "winter"]
    assert season_steps == list(range(0, budget + 1, FIXTURE["config"]["eval_every"]))


def test_checkpoint_every_is_not_part_of_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config, run_dir = tiny_config("finetune", seasons=["winter"]), tmp_path / "run"
    assert not any("checkpoint" in key for key in config)
    with monkeypatch.context() as patch:
        kill_after_first_checkpoint(patch, season_index=1)
        with pytest.raises(Killed):
            train_run(config, run_dir, progress=False, checkpoint_every=64)
    assert [path.name for path in (run_dir / run_folder.MID_SEASON).iterdir()] == ["season_1_winter_at_128"]
    written = (run_dir / run_folder.CONFIG).read_text()
    capsys.readouterr()
    train_run(config, run_dir, progress=False, checkpoint_every=0)  # the same run, resumed; no more checkpoints
    assert f"Resuming {run_dir} mid-season 1 (winter) at 128 of 256 steps." in capsys.readouterr().out
    assert (run_dir / run_folder.CONFIG).read_text() == written
    assert (run_dir / run_folder.METRICS).is_file() and not (run_dir / run_folder.MID_SEASON).exists()


def test_a_sigkilled_train_resumes_mid_season(config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_dir = tmp_path / "killed"
    args = ("train", "--method", "finetune", "--config", config_file, "--steps", "1024", "--eval-every", "1024")
    command = [EVERGREEN, *map(str, args), "--checkpoint-every", "128", "--no-progress", "--run-dir", str(run_dir)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while not list((run_dir / run_folder.MID_SEASON).glob("season_2_winter_at_*")):
        assert process.poll() is None and time.monotonic() < deadline, "the run ended before a checkpoint of its second season"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    first_season = tree_digest(run_dir / "season_1_spring")
    done = max(int(path.name.rsplit("_", 1)[1]) for path in (run_dir / run_folder.MID_SEASON).glob("season_2_winter_at_*"))

    # What the command resolved (its season fingerprints are computed again).
    config = resolve_config({k: v for k, v in run_folder.read_config(run_dir).items() if k != "season_fingerprints"})
    capsys.readouterr()
    train_run(config, run_dir, progress=False)
    assert f"Resuming {run_dir} mid-season 2 (winter) at {done:,} of 1,024 steps." in capsys.readouterr().out
    assert tree_digest(run_dir / "season_1_spring") == first_season
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert [season["env_steps"] for season in metrics["compute_per_season"]] == [1024, 2048]
