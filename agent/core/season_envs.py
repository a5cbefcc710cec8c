"""Vectorized garden envs for learners: one season, or several seasons mixed in one vec env.

Every learner is told the season: observations end with the season one-hot
(``observe_season=True``), so one network can act differently per season.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import gymnasium as gym
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.monitor import Monitor
from stable_baselines3.common.vec_env import DummyVecEnv, VecEnv

import envs  # noqa: F401  (registers the ids)
from envs.season_spec import SeasonSpec

Season = str | SeasonSpec


def season_vec_env(season: Season, n_envs: int, seed: int) -> VecEnv:
    """``n_envs`` copies of one season in a DummyVecEnv (copy ``i`` seeded ``seed + i``)."""
    return make_vec_env("GardenWatering-v0", n_envs=n_envs, seed=seed, env_kwargs={"season": season, "observe_season": True})


def mixed_season_vec_env(seasons: Sequence[Season], n_envs: int, seed: int) -> VecEnv:
    """``n_envs`` envs dealt round-robin over ``seasons`` (copy ``i`` plays ``seasons[i % k]``).

    With more seasons than envs, the vec env grows to one env per season so that no season is
    left out of the mix.
    """
    if not seasons:
        raise ValueError("mixed_season_vec_env needs at least one season")
    n_envs = max(n_envs, len(seasons))
    fns: list[Callable[[], gym.Env]] = [partial(_monitored_season_env, seasons[i % len(seasons)]) for i in range(n_envs)]
    vec_env = DummyVecEnv(fns)
    vec_env.seed(seed)
    return vec_env


def _monitored_season_env(season: Season) -> gym.Env:
    # Monitor records episode returns for SB3's logger and progress bar, as make_vec_env does.
    return Monitor(gym.make("GardenWatering-v0", season=season, observe_season=True))
