"""The garden as a season-agnostic learner lives in it: seasons that change on their own, untold.

In ``evergreen train --season-agnostic`` the run, not the learner, decides when the season changes:
a :class:`WorldClock` counts the env steps of the whole sequence and names the season each step is
in (season ``k`` holds steps ``k * steps`` to ``(k + 1) * steps``). The learner's training envs
(:func:`stream_vec_env`, given to it as its ``env_source``) play whatever season the clock says: a
day that starts after a change is played in the new season, a day under way is finished in the old
one. The season one-hot the envs write is replaced by the one of the season the learner believes it
is in, so nothing the learner observes tells it the garden moved on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np
from stable_baselines3.common.monitor import Monitor
from stable_baselines3.common.vec_env import DummyVecEnv, VecEnv

from envs import MAX_SEASONS
from envs.season_spec import resolve_season


@dataclass
class WorldClock:
    """Env steps since the sequence began, and the season they fall in.

    :param seasons: the sequence
    :param steps: env steps per season
    """

    seasons: list[str]
    steps: int
    now: int = 0

    @property
    def index(self) -> int:
        """The position in the sequence of the season now (the last one once the sequence is over)."""
        return min(self.now // self.steps, len(self.seasons) - 1)

    @property
    def total(self) -> int:
        """Env steps of the whole sequence."""
        return self.steps * len(self.seasons)

    def boundaries(self) -> list[int]:
        """The env steps at which each season after the first begins."""
        return [k * self.steps for k in range(1, len(self.seasons))]


class SeasonStreamEnv(gym.Env[np.ndarray, np.ndarray]):
    """One env of the stream: each day is played in the season the clock names when it starts.

    Every step moves the clock on by one. Observations end with the one-hot of ``believed`` (the
    season the learner believes it is in), never the world's.
    """

    def __init__(self, clock: WorldClock, env_id: str, believed: str) -> None:
        self.clock, self.env_id = clock, env_id
        self.believed = np.zeros(MAX_SEASONS, dtype=np.float32)
        self.believed[resolve_season(believed).index] = 1.0
        self._inner: gym.Env[Any, Any] = self._make(clock.index)
        self._inner_index = clock.index
        self._rng: np.random.Generator | None = None
        self.observation_space = self._inner.observation_space
        self.action_space = self._inner.action_space

    def _make(self, index: int) -> gym.Env[Any, Any]:
        return gym.make(self.env_id, season=self.clock.seasons[index], observe_season=True)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        """Start a day in the season the clock names now (a new season's first day seeded from the env's own stream)."""
        if seed is not None or self._rng is None:
            self._rng = np.random.default_rng(seed)
            seed = int(self._rng.integers(2**31))
        if self.clock.index != self._inner_index:
            self._inner.close()
            self._inner, self._inner_index = self._make(self.clock.index), self.clock.index
            seed = int(self._rng.integers(2**31))
        observation, info = self._inner.reset(seed=seed, options=options)
        return self._believe(observation), info

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """A step of the day under way (in the season it started in); the clock moves on by one."""
        self.clock.now += 1
        observation, reward, terminated, truncated, info = self._inner.step(action)
        return self._believe(observation), float(reward), terminated, truncated, info

    def _believe(self, observation: np.ndarray) -> np.ndarray:
        observation = np.array(observation, dtype=np.float32)
        observation[-MAX_SEASONS:] = self.believed
        return observation

    def close(self) -> None:
        """Close the Bullet world of the season under way."""
        self._inner.close()


def stream_vec_env(clock: WorldClock, believed: str, n_envs: int, seed: int, env_id: str) -> VecEnv:
    """``n_envs`` envs of the stream in a DummyVecEnv (copy ``i`` seeded ``seed + i``), as the learner's season env."""
    vec_env = DummyVecEnv([lambda: Monitor(SeasonStreamEnv(clock, env_id, believed)) for _ in range(n_envs)])
    vec_env.seed(seed)
    return vec_env
