"""Normalized return: 0 for a uniformly random policy, 1 for the scripted gardener of the season.

The two reference returns of a season are measured once with fixed seeds and cached on disk,
keyed by the season's content, so every script and run normalizes the same way.
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
from envs.gardener import ScriptedGardener
from envs.rollout import Act, rollout
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


def episode_returns(season: str | SeasonSpec, act: Act, episodes: int, seed: int, **env_kwargs: Any) -> np.ndarray:
    """Returns of ``episodes`` days played by ``act(env, obs)``, day k seeded ``seed + k``."""
    env = gym.make("GardenWatering-v0", season=season, **env_kwargs)
    returns = np.zeros(episodes)
    try:
        for k in range(episodes):
            returns[k] = rollout(env, act, seed + k).episode_return
    finally:
        env.close()
    return returns


def random_returns(season: str | SeasonSpec, episodes: int = REFERENCE_EPISODES, seed: int = REFERENCE_SEED) -> np.ndarray:
    """Returns of a uniformly random policy (its actions drawn from a generator seeded with ``seed``)."""
    rng = np.random.default_rng(seed)
    return episode_returns(season, lambda env, obs: rng.uniform(-1.0, 1.0, 3).astype(np.float32), episodes, seed)


def gardener_returns(
    season: str | SeasonSpec,
    gardener_season: str | SeasonSpec | None = None,
    episodes: int = REFERENCE_EPISODES,
    seed: int = REFERENCE_SEED,
) -> np.ndarray:
    """Returns of the scripted gardener configured for ``gardener_season`` (default: the same season)."""
    gardener = ScriptedGardener(gardener_season if gardener_season is not None else season)
    return episode_returns(season, lambda env, obs: gardener.act(env), episodes, seed)


def reference_returns(season: str | SeasonSpec, use_cache: bool = True) -> ReferenceReturns:
    """The season's random and gardener mean returns, measured once and cached."""
    spec = resolve_season(season)
    key = f"v{REFERENCE_VERSION}-{spec.name}-{spec.fingerprint()}-{REFERENCE_EPISODES}-{REFERENCE_SEED}"
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
        random=float(random_returns(spec, REFERENCE_EPISODES, REFERENCE_SEED).mean()),
        gardener=float(gardener_returns(spec, None, REFERENCE_EPISODES, REFERENCE_SEED).mean()),
    )
    if use_cache:
        cache[key] = {"random": reference.random, "gardener": reference.gardener}
        atomic_write_json(path, cache, sort_keys=True)
    return reference
