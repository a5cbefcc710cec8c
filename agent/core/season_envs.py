"""Vectorized garden envs for learners: one season, or several seasons mixed in one vec env.

Every learner is told the season: observations end with the season one-hot
(``observe_season=True``), so one network can act differently per season. The env version is
part of a run's identity: every env here is made from an ``env_id``, one of :func:`season_env_ids`
(the registered garden ids that take ``season=``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import gymnasium as gym
import numpy as np
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.monitor import Monitor
from stable_baselines3.common.vec_env import DummyVecEnv, VecEnv

import envs
from envs.season_spec import SeasonSpec

Season = str | SeasonSpec

#: The env new learners and runs use unless told otherwise: the newest version.
DEFAULT_ENV_ID = envs.generic_env_id(envs.LATEST_VERSION)


def season_env_ids() -> list[str]:
    """The registered garden env ids that take ``season=`` (one per env version), sorted."""
    return sorted(
        env_id
        for env_id, spec in gym.registry.items()
        if env_id.startswith("GardenWatering") and "season" not in (spec.kwargs or {})
    )


def check_env_id(env_id: Any) -> str:
    """``env_id`` if it is one of :func:`season_env_ids`; ValueError naming the valid ones otherwise."""
    valid = season_env_ids()
    if not isinstance(env_id, str) or env_id not in valid:
        raise ValueError(f"unknown env {env_id!r}; valid envs (registered ids that take season=): {', '.join(valid)}")
    return env_id


def season_vec_env(
    season: Season, n_envs: int, seed: int, env_id: str = DEFAULT_ENV_ID, wrapper: Callable[[gym.Env], gym.Env] | None = None
) -> VecEnv:
    """``n_envs`` copies of one season of ``env_id`` in a DummyVecEnv (copy ``i`` seeded ``seed + i``).

    ``wrapper`` wraps each copy outside its ``Monitor`` (SB3's ``wrapper_class``), e.g. a training-time reward term.
    """
    env_kwargs = {"season": season, "observe_season": True}
    return make_vec_env(env_id, n_envs=n_envs, seed=seed, env_kwargs=env_kwargs, wrapper_class=wrapper)


def collect_states(
    model: BaseAlgorithm, season: str, n_states: int, n_envs: int, seed: int, env_id: str = DEFAULT_ENV_ID
) -> np.ndarray:
    """``n_states`` observations of ``season`` visited by ``model``'s stochastic policy (as it trains).

    Plays ``n_envs`` seeded copies of the season (of env ``env_id``) and keeps every observation the policy acts on
    (season one-hot included), ``float32`` of shape ``(n_states, obs_dim)``.
    """
    env = season_vec_env(season, n_envs, seed, env_id=env_id)
    try:
        observations = []
        obs = env.reset()
        collected = 0
        while collected < n_states:
            assert isinstance(obs, np.ndarray)  # the garden's observations are one flat Box
            observations.append(obs.astype(np.float32, copy=True))
            collected += len(obs)
            actions, _ = model.predict(obs, deterministic=False)
            obs, _, _, _ = env.step(actions)
    finally:
        env.close()
    return np.concatenate(observations)[:n_states]


def mixed_season_vec_env(seasons: Sequence[Season], n_envs: int, seed: int, env_id: str = DEFAULT_ENV_ID) -> VecEnv:
    """``n_envs`` envs dealt round-robin over ``seasons`` (copy ``i`` plays ``seasons[i % k]``).

    With more seasons than envs, the vec env grows to one env per season so that no season is
    left out of the mix.
    """
    if not seasons:
        raise ValueError("mixed_season_vec_env needs at least one season")
    n_envs = max(n_envs, len(seasons))
    fns: list[Callable[[], gym.Env]] = [
        partial(_monitored_season_env, seasons[i % len(seasons)], env_id) for i in range(n_envs)
    ]
    vec_env = DummyVecEnv(fns)
    vec_env.seed(seed)
    return vec_env


def _monitored_season_env(season: Season, env_id: str) -> gym.Env:
    # Monitor records episode returns for SB3's logger and progress bar, as make_vec_env does.
    return Monitor(gym.make(env_id, season=season, observe_season=True))


def env_rng_states(vec_env: VecEnv) -> list[dict[str, Any]] | None:
    """The bit-generator state of every env's ``np_random`` (None for a vec env whose envs live elsewhere)."""
    if not isinstance(vec_env, DummyVecEnv):
        return None
    return [dict(env.unwrapped.np_random.bit_generator.state) for env in vec_env.envs]


def restore_env_rng(vec_env: VecEnv, states: list[dict[str, Any]] | None) -> bool:
    """Give every env the ``np_random`` state :func:`env_rng_states` saved; whether it could.

    The envs' pending reset seeds are dropped, so their next reset draws its day from the restored
    stream instead of re-seeding (which would play the season's first days again).
    """
    if states is None or not isinstance(vec_env, DummyVecEnv) or len(states) != vec_env.num_envs:
        return False
    for env, state in zip(vec_env.envs, states, strict=True):
        env.unwrapped.np_random.bit_generator.state = state
    vec_env._reset_seeds()
    return True


def close_envs(model: BaseAlgorithm | None) -> None:
    """Close the vec env ``model`` holds, if any (each env holds a Bullet world)."""
    env = model.get_env() if model is not None else None
    if env is not None:
        env.close()
