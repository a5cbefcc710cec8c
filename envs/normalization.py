"""Normalized return: 0 for a uniformly random policy, 1 for the scripted gardener of the season.

The two reference returns of a season are measured once with fixed seeds and cached on disk,
keyed by the env version and the season's content, so every script and run normalizes the same
way. Each env version has its own physics and its own gardener
(``envs.gardeners.make_gardener(season, version)``), so its own references; ``envs.env_version(env_id)``
gives the version of an id.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

from envs.atomic_io import atomic_write_json
from envs.gardeners import make_gardener
from envs.ids import generic_env_id
from envs.physics import physics_settings
from envs.rollout import Act, Step, rollout
from envs.season_spec import SeasonSpec, resolve_season

#: Episodes and first seed of the reference measurement (seeds REFERENCE_SEED + 0..n-1).
REFERENCE_EPISODES = 50
REFERENCE_SEED = 900_000
#: Bump when the env's dynamics or reward change in a way a season's content does not show.
REFERENCE_VERSION = 4


@dataclass(frozen=True)
class ReferenceReturns:
    """Mean episode returns of the two reference policies in one season."""

    random: float
    gardener: float

    def normalize(self, value: float | np.ndarray) -> float | np.ndarray:
        """Map a return onto the random (0) to gardener (1) scale."""
        return (value - self.random) / (self.gardener - self.random)


def cache_path() -> Path:
    """Where reference returns are cached (``$EVERGREEN_CACHE`` or ``~/.cache/evergreen-rl``)."""
    root = os.environ.get("EVERGREEN_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "evergreen-rl")
    return Path(root) / "reference_returns.json"


@dataclass(frozen=True)
class DayRecord:
    """How one day went: what the reward paid and what the rules counted."""

    episode_return: float
    success: bool
    """Every thirsty plant was standing and watered at the end."""
    damaged: int
    """Plants that must stay dry and were watered (frost damage in winter)."""
    trampled: int
    """Plants the rover ran over."""
    steps: int


def play_days(
    season: str | SeasonSpec, act: Act, episodes: int, seed: int, version: int = 0, **env_kwargs: Any
) -> list[DayRecord]:
    """Play ``episodes`` days with ``act(env, obs)`` in env version ``version``, day k seeded ``seed + k``."""
    physics_settings(version)  # an unknown version fails here, naming the valid ones
    env = gym.make(generic_env_id(version), season=season, **env_kwargs)
    records = []
    try:
        for k in range(episodes):
            counts = {"damaged": 0, "trampled": 0}

            def count(step: Step, counts: dict[str, int] = counts) -> None:
                # Each term is a negative multiple of its weight: count the events, not the cost.
                counts["damaged"] += step.info.get("reward_damage", 0.0) < 0.0
                counts["trampled"] += step.info.get("reward_trample", 0.0) < 0.0

            day = rollout(env, act, seed + k, on_step=count)
            records.append(DayRecord(day.episode_return, day.success, counts["damaged"], counts["trampled"], day.steps))
    finally:
        env.close()
    return records


def episode_returns(
    season: str | SeasonSpec, act: Act, episodes: int, seed: int, version: int = 0, **env_kwargs: Any
) -> np.ndarray:
    """Returns of ``episodes`` days played by ``act(env, obs)`` in env version ``version``, day k seeded ``seed + k``."""
    return np.array([day.episode_return for day in play_days(season, act, episodes, seed, version, **env_kwargs)])


def random_returns(
    season: str | SeasonSpec, episodes: int = REFERENCE_EPISODES, seed: int = REFERENCE_SEED, version: int = 0
) -> np.ndarray:
    """Returns of a uniformly random policy (its actions drawn from a generator seeded with ``seed``)."""
    rng = np.random.default_rng(seed)
    return episode_returns(season, lambda env, obs: rng.uniform(-1.0, 1.0, 3).astype(np.float32), episodes, seed, version)


def gardener_days(
    season: str | SeasonSpec,
    gardener_season: str | SeasonSpec | None = None,
    episodes: int = REFERENCE_EPISODES,
    seed: int = REFERENCE_SEED,
    version: int = 0,
) -> list[DayRecord]:
    """Days of env version ``version``'s scripted gardener configured for ``gardener_season`` (default: the same season)."""
    gardener = make_gardener(gardener_season if gardener_season is not None else season, version)
    return play_days(season, lambda env, obs: gardener.act(env), episodes, seed, version)


def gardener_returns(
    season: str | SeasonSpec,
    gardener_season: str | SeasonSpec | None = None,
    episodes: int = REFERENCE_EPISODES,
    seed: int = REFERENCE_SEED,
    version: int = 0,
) -> np.ndarray:
    """Returns of the scripted gardener configured for ``gardener_season`` (default: the same season)."""
    return np.array([day.episode_return for day in gardener_days(season, gardener_season, episodes, seed, version)])


def reference_returns(season: str | SeasonSpec, use_cache: bool = True, version: int = 0) -> ReferenceReturns:
    """The season's random and gardener mean returns in env version ``version``, measured once and cached."""
    spec = resolve_season(season)
    physics_settings(version)  # an unknown version fails here, naming the valid ones
    env_id = generic_env_id(version)
    key = f"v{REFERENCE_VERSION}-{env_id}-{spec.name}-{spec.fingerprint()}-{REFERENCE_EPISODES}-{REFERENCE_SEED}"
    path = cache_path()
    cache: dict[str, dict[str, float]] = {}
    if use_cache and path.is_file():
        try:
            cache = json.loads(path.read_text())
        except (OSError, ValueError):
            cache = {}  # a damaged cache is only a cache: measure again
        if key in cache:
            return ReferenceReturns(**cache[key])
    reference = ReferenceReturns(
        random=float(random_returns(spec, REFERENCE_EPISODES, REFERENCE_SEED, version).mean()),
        gardener=float(gardener_returns(spec, None, REFERENCE_EPISODES, REFERENCE_SEED, version).mean()),
    )
    if use_cache:
        cache[key] = {"random": reference.random, "gardener": reference.gardener}
        atomic_write_json(path, cache, sort_keys=True)
    return reference
