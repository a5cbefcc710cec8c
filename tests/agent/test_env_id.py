"""The env version is part of a learner and of a run: every env a learner trains, clones or is evaluated on is its env id's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import gymnasium as gym
import pytest
import yaml

import envs
from agent import load_learner, make_learner
from agent.core.season_envs import DEFAULT_ENV_ID, check_env_id, season_env_ids
from envs.ids import LEGACY_ENV_ID
from envs.normalization import ReferenceReturns
from experiments.pipeline import evaluation, run_folder
from experiments.pipeline.checkpoint_checks import check_checkpoint
from experiments.pipeline.config import ConfigError, config_yaml, resolve_config
from experiments.pipeline.evaluation import SeasonEvaluator
from experiments.pipeline.train import open_run_dir

#: A second garden id for these tests (the same env under another name), so that an env made from the
#: default id instead of the learner's shows.
PROBE = "GardenWateringProbe-v0"
TINY_PPO = {"n_envs": 2, "n_steps": 32, "batch_size": 32, "n_epochs": 1, "policy_kwargs": {"net_arch": [16]}}
#: Each method's cheapest options that still make it build what it makes at a season's end.
OPTIONS = {
    "replay": {"states_per_season": 16},
    "ewc": {"fisher_states": 16},
    "progress-compress": {"states_per_season": 16, "distill_steps": 2, "distill_batch": 8},
}


@pytest.fixture
def probe_env() -> Iterator[str]:
    """:data:`PROBE` registered for the test (removed after it: other tests list the registered ids)."""
    gym.register(id=PROBE, entry_point=envs.ENTRY_POINT, max_episode_steps=envs.MAX_EPISODE_STEPS)
    try:
        yield PROBE
    finally:
        del gym.registry[PROBE]


@pytest.fixture
def made_ids(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The id of every env ``gymnasium.make`` builds during the test (make_vec_env calls it too)."""
    made: list[str] = []
    make = gym.make

    def spy(env_id: str, *args: object, **kwargs: object) -> gym.Env:
        made.append(env_id)
        return make(env_id, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(gym, "make", spy)
    return made


def test_the_valid_env_ids_are_the_garden_ids_that_take_a_season() -> None:
    assert DEFAULT_ENV_ID in season_env_ids() and LEGACY_ENV_ID == "GardenWatering-v0"
    assert "GardenWateringWinter-v0" not in season_env_ids()  # fixes its season
    with pytest.raises(ValueError, match=r"unknown env 'GardenWatering-v9'; valid envs .*: GardenWatering-v0"):
        check_env_id("GardenWatering-v9")
    with pytest.raises(ValueError, match="unknown env 'GardenWateringWinter-v0'"):
        make_learner("finetune", env_id="GardenWateringWinter-v0")


@pytest.mark.parametrize("method", ["retrain", "replay", "ewc", "progress-compress"])
def test_every_env_a_learner_makes_is_of_its_env_id(method: str, probe_env: str, made_ids: list[str], tmp_path: Path) -> None:
    learner = make_learner(method, ppo_config=TINY_PPO, seed=0, env_id=probe_env, **OPTIONS.get(method, {}))
    learner.start_season("spring")
    learner.learn(64)
    learner.end_season()  # replay, ewc and progress-compress play the season with the final policy
    learner.save(tmp_path / "spring")
    learner.start_season("winter")  # retrain mixes the seasons in one vec env
    learner.close()
    assert made_ids and set(made_ids) == {probe_env}

    assert json.loads((tmp_path / "spring" / "learner.json").read_text())["env_id"] == probe_env
    assert load_learner(tmp_path / "spring").env_id == probe_env


def test_evaluation_plays_and_normalizes_with_the_run_env(made_ids: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    env_id = season_env_ids()[-1]  # the newest version
    versions: list[int] = []

    def references(season: str, use_cache: bool = True, version: int = 0) -> ReferenceReturns:
        versions.append(version)  # measuring them takes seconds: the version asked for is what counts here
        return ReferenceReturns(random=0.0, gardener=1.0)

    monkeypatch.setattr(evaluation, "reference_returns", references)
    evaluator = SeasonEvaluator(["winter"], 1, env_id=env_id)
    learner = make_learner("scratch", ppo_config=TINY_PPO, env_id=env_id)
    learner.start_season("winter")
    evaluator.row(learner, ["winter"])
    evaluator.close()
    learner.close()
    assert set(made_ids) == {env_id} and versions == [envs.env_version(env_id)]


def test_a_checkpoint_without_an_env_id_loads_as_v0(tmp_path: Path) -> None:
    learner = make_learner("finetune", ppo_config=TINY_PPO, seed=0)
    learner.start_season("spring")
    learner.save(tmp_path)
    learner.close()
    info = json.loads((tmp_path / "learner.json").read_text())
    assert info["env_id"] == DEFAULT_ENV_ID
    del info["env_id"]
    (tmp_path / "learner.json").write_text(json.dumps(info))
    assert load_learner(tmp_path).env_id == LEGACY_ENV_ID


def test_the_env_is_part_of_the_run_config(probe_env: str, tmp_path: Path) -> None:
    config = resolve_config(None, {"method": "finetune", "ppo": TINY_PPO})
    assert config["env"] == DEFAULT_ENV_ID
    assert resolve_config(None, {"method": "finetune", "env": probe_env})["env"] == probe_env
    with pytest.raises(ConfigError, match=r"unknown env 'GardenWatering-v7'; valid envs .*GardenWatering-v0") as raised:
        resolve_config(None, {"method": "finetune", "env": "GardenWatering-v7"})
    assert "\n" not in str(raised.value)

    # A run folder made before the env was recorded (no env key) is the same run as today's on v0 ...
    on_v0 = resolve_config(None, {"method": "finetune", "ppo": TINY_PPO, "env": LEGACY_ENV_ID})
    run_dir = tmp_path / "old"
    run_dir.mkdir()
    old = {key: value for key, value in on_v0.items() if key != "env"}
    (run_dir / run_folder.CONFIG).write_text(config_yaml(old))
    assert run_folder.read_config(run_dir) == on_v0
    open_run_dir(run_dir, on_v0, force=False)  # resumes: the same config
    assert "env" not in yaml.safe_load((run_dir / run_folder.CONFIG).read_text())  # and is left as it was
    # ... and not a run on another env, the default one included.
    for other in (probe_env, DEFAULT_ENV_ID):
        with pytest.raises(ConfigError, match=r"different config \(differs in: env\)"):
            open_run_dir(run_dir, {**on_v0, "env": other}, force=False)

    # A checkpoint trained on another env than the config says is refused, naming both.
    learner = make_learner("finetune", ppo_config=TINY_PPO, env_id=probe_env)
    learner.start_season("spring")
    learner.save(run_dir / run_folder.UNTRAINED)
    learner.close()
    with pytest.raises(
        ConfigError, match=rf"learner.json was trained with env '{probe_env}' but .*config.yaml says 'GardenWatering-v0'"
    ):
        check_checkpoint(run_dir, on_v0, run_dir / run_folder.UNTRAINED, 0)
