"""Evergreen's seasonal garden: importing this package registers the Gymnasium ids.

- ``GardenWatering-v0`` takes ``season=`` (a default name, a YAML path or a ``SeasonSpec``);
- ``GardenWateringSpring-v0``, ``GardenWateringSummer-v0``, ``GardenWateringAutumn-v0`` and
  ``GardenWateringWinter-v0`` fix one default season each.
"""

from __future__ import annotations

from gymnasium.envs.registration import register, registry

from envs.garden_env import GardenWateringEnv
from envs.robot import RoverState
from envs.rollout import Episode, rollout
from envs.season_spec import (
    DEFAULT_SEASON_NAMES,
    MAX_SEASONS,
    PLANT_KINDS,
    ObstacleSpec,
    RewardWeights,
    SeasonSpec,
    default_season,
    default_seasons,
    resolve_season,
    season_label,
)

#: Upper bound on the generic id's episode length; each season ends its own day earlier.
MAX_EPISODE_STEPS = 100
ENTRY_POINT = "envs.garden_env:GardenWateringEnv"


def season_env_id(name: str) -> str:
    """The registered id of a default season, e.g. ``GardenWateringWinter-v0``."""
    return f"GardenWatering{name.capitalize()}-v0"


ENV_IDS: tuple[str, ...] = ("GardenWatering-v0", *(season_env_id(n) for n in DEFAULT_SEASON_NAMES))


def _register() -> None:
    if "GardenWatering-v0" not in registry:
        register(id="GardenWatering-v0", entry_point=ENTRY_POINT, max_episode_steps=MAX_EPISODE_STEPS)
    for name in DEFAULT_SEASON_NAMES:
        if season_env_id(name) not in registry:
            register(
                id=season_env_id(name),
                entry_point=ENTRY_POINT,
                max_episode_steps=default_season(name).episode_steps,
                kwargs={"season": name},
            )


_register()

__all__ = [
    "DEFAULT_SEASON_NAMES",
    "ENV_IDS",
    "MAX_SEASONS",
    "PLANT_KINDS",
    "Episode",
    "GardenWateringEnv",
    "ObstacleSpec",
    "RewardWeights",
    "RoverState",
    "SeasonSpec",
    "default_season",
    "default_seasons",
    "resolve_season",
    "rollout",
    "season_env_id",
    "season_label",
]
