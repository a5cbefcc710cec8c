"""Evergreen's seasonal garden: importing this package registers the Gymnasium ids.

For each env version N (0 and 1; what changed: the Version History of ``GardenWateringEnv``):

- ``GardenWatering-vN`` takes ``season=`` (a default name, a YAML path or a ``SeasonSpec``);
- ``GardenWateringSpring-vN``, ``GardenWateringSummer-vN``, ``GardenWateringAutumn-vN`` and
  ``GardenWateringWinter-vN`` fix one default season each.
"""

from __future__ import annotations

import warnings

from gymnasium.envs.registration import register, registry

from envs.garden_env import GardenWateringEnv
from envs.ids import ENV_IDS, env_version, generic_env_id, season_env_id
from envs.physics import ENV_VERSIONS, LATEST_VERSION, PhysicsSettings, physics_settings
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

#: Upper bound on the generic ids' episode length; each season ends its own day earlier.
MAX_EPISODE_STEPS = 100
ENTRY_POINT = "envs.garden_env:GardenWateringEnv"

# v0 stays registered on purpose (archived results are measured on it): gymnasium's "out of
# date, consider upgrading" DeprecationWarning on every make of a v0 id would only be noise.
warnings.filterwarnings(
    "ignore", message=r".*The environment GardenWatering\w*-v0 is out of date", category=DeprecationWarning
)


def _register() -> None:
    for version in ENV_VERSIONS:
        if generic_env_id(version) not in registry:
            register(
                id=generic_env_id(version),
                entry_point=ENTRY_POINT,
                max_episode_steps=MAX_EPISODE_STEPS,
                kwargs={"version": version},
            )
        for name in DEFAULT_SEASON_NAMES:
            if season_env_id(name, version) not in registry:
                register(
                    id=season_env_id(name, version),
                    entry_point=ENTRY_POINT,
                    max_episode_steps=default_season(name).episode_steps,
                    kwargs={"season": name, "version": version},
                )


_register()

__all__ = [
    "DEFAULT_SEASON_NAMES",
    "ENV_IDS",
    "ENV_VERSIONS",
    "LATEST_VERSION",
    "MAX_SEASONS",
    "PLANT_KINDS",
    "Episode",
    "GardenWateringEnv",
    "ObstacleSpec",
    "PhysicsSettings",
    "RewardWeights",
    "RoverState",
    "SeasonSpec",
    "default_season",
    "default_seasons",
    "env_version",
    "generic_env_id",
    "physics_settings",
    "resolve_season",
    "rollout",
    "season_env_id",
    "season_label",
]
