"""The registered Gymnasium ids of every env version, and the version an id names."""

from __future__ import annotations

import re

from envs.physics import ENV_VERSIONS
from envs.season_spec import DEFAULT_SEASON_NAMES

_ID = re.compile(r"GardenWatering(?:Spring|Summer|Autumn|Winter)?-v(\d+)")


def generic_env_id(version: int) -> str:
    """The id that takes ``season=``, e.g. ``GardenWatering-v1``."""
    return f"GardenWatering-v{version}"


def season_env_id(name: str, version: int = 0) -> str:
    """The registered id of a default season, e.g. ``GardenWateringWinter-v0``."""
    return f"GardenWatering{name.capitalize()}-v{version}"


def env_version(env_id: str) -> int:
    """The version an id of this package names (``GardenWateringWinter-v1`` -> 1); ValueError for any other id."""
    match = _ID.fullmatch(env_id) if isinstance(env_id, str) else None
    if match is None or int(match[1]) not in ENV_VERSIONS:
        valid = ", ".join(generic_env_id(v) for v in ENV_VERSIONS)
        raise ValueError(f"unknown env id {env_id!r}; valid ids: {valid} and their per-season ids (`evergreen envs`)")
    return int(match[1])


#: The env of checkpoints and run folders saved before the env id was recorded: they were all trained on
#: v0, whatever the default env becomes.
LEGACY_ENV_ID = generic_env_id(0)

#: Every registered id: per version, the generic id and one per default season.
ENV_IDS: tuple[str, ...] = tuple(
    env_id
    for version in ENV_VERSIONS
    for env_id in (generic_env_id(version), *(season_env_id(n, version) for n in DEFAULT_SEASON_NAMES))
)
