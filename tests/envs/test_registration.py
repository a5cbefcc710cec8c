"""Every registered id builds, passes both env checkers without warnings, and has the right spaces."""

from __future__ import annotations

import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

import envs
from envs.garden_env import GardenWateringEnv


@pytest.mark.parametrize("env_id", envs.ENV_IDS)
def test_check_env_passes_without_warnings(env_id: str) -> None:
    env = gym.make(env_id, render_mode="rgb_array")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(env.unwrapped)
        sb3_check_env(env.unwrapped)
    env.close()


@pytest.mark.parametrize("season", envs.DEFAULT_SEASON_NAMES)
def test_season_ids_match_generic_id(season: str) -> None:
    env = gym.make(envs.season_env_id(season))
    assert env.unwrapped.spec_season.name == season
    assert env.spec.max_episode_steps == envs.default_season(season).episode_steps
    env.close()


def test_generic_id_takes_season_name_and_spec() -> None:
    spec = envs.default_season("winter").replace(name="late-winter", index=5)
    for season in ("winter", spec):
        env = gym.make("GardenWatering-v0", season=season)
        _, info = env.reset(seed=0)
        assert info["season"] == (season if isinstance(season, str) else "late-winter")
        env.close()
    assert gym.spec("GardenWatering-v0").max_episode_steps == envs.MAX_EPISODE_STEPS


@pytest.mark.parametrize("observe_season", [False, True])
def test_spaces_identical_across_seasons(observe_season: bool) -> None:
    spaces = []
    for season in envs.DEFAULT_SEASON_NAMES:
        env = gym.make("GardenWatering-v0", season=season, observe_season=observe_season)
        spaces.append((env.observation_space, env.action_space))
        obs, _ = env.reset(seed=0)
        assert obs.dtype == np.float32 and env.observation_space.contains(obs)
        env.close()
    assert all(s == spaces[0] for s in spaces)
    assert np.isfinite(spaces[0][0].low).all() and np.isfinite(spaces[0][0].high).all()
    assert spaces[0][1] == gym.spaces.Box(-1.0, 1.0, (3,), np.float32)


def test_season_one_hot_marks_the_season() -> None:
    for season in envs.DEFAULT_SEASON_NAMES:
        env = GardenWateringEnv(season=season, observe_season=True, max_seasons=8)
        obs, _ = env.reset(seed=1)
        one_hot = obs[-8:]
        assert one_hot.sum() == 1.0 and one_hot[envs.default_season(season).index] == 1.0
        env.close()
    env = GardenWateringEnv(season="spring", observe_season=True, season_index=6)
    assert env.reset(seed=0)[0][-8:][6] == 1.0
    env.close()


def test_observation_names_document_every_index() -> None:
    env = GardenWateringEnv(season="autumn", observe_season=True)
    assert len(env.observation_names) == env.observation_space.shape[0]
    assert len(set(env.observation_names)) == len(env.observation_names)
    env.close()
