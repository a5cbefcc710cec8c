"""The scripted gardener of each env version, the reference of its normalized return."""

from __future__ import annotations

from envs.gardener import ScriptedGardener
from envs.physics import physics_settings
from envs.planning_gardener import PlanningGardener
from envs.season_spec import SeasonSpec

#: A scripted gardener of some version (both have ``act(env) -> action``).
Gardener = ScriptedGardener | PlanningGardener


def make_gardener(season: str | SeasonSpec, version: int = 0) -> Gardener:
    """The scripted gardener of an env version: :class:`ScriptedGardener` for v0, :class:`PlanningGardener` from v1."""
    physics_settings(version)  # an unknown version fails here, naming the valid ones
    return ScriptedGardener(season) if version == 0 else PlanningGardener(season)
