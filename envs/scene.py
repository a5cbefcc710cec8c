"""The bodies of a season's garden (panda-gym's ``_create_scene``): ground, fence, obstacles, plants, puddles.

Built once per environment, in a fixed order (body ids follow it); an episode only moves and
recolours these bodies (see :mod:`envs.garden`).
"""

from __future__ import annotations

from dataclasses import dataclass

from envs.bullet import BulletWorld
from envs.season_spec import ObstacleSpec, SeasonSpec

#: The garden spans [-HALF_SIZE, HALF_SIZE] on both axes (m).
HALF_SIZE = 2.0
#: Collision radius (m) of a plant stem, what the rover must not touch.
STEM_RADIUS = 0.035

FENCE_COLOR = (0.55, 0.40, 0.25, 1.0)
STEM_COLOR = (0.35, 0.25, 0.12, 1.0)
FOLIAGE_COLOR = (0.3, 0.7, 0.3, 1.0)
PUDDLE_COLOR = (0.2, 0.45, 0.95, 0.9)
OBSTACLE_COLORS = {
    "bush": (0.16, 0.45, 0.14, 1.0),
    "leaf_pile": (0.62, 0.28, 0.06, 1.0),
    "snow_drift": (0.97, 0.98, 1.0, 1.0),
}


@dataclass(frozen=True)
class Scene:
    """Body ids of one garden's scene."""

    ground: int
    fence: list[int]
    """The four fence boards (north, south, east, west)."""
    solid_obstacles: list[int]
    """Bushes and snow drifts, in the season's order (leaf piles have no collision and no entry)."""
    plant_bodies: list[int]
    """One stem per plant slot, parked outside the garden until an episode places it."""
    puddles: list[int]
    """One puddle decal per plant slot, shown where a plant was sprayed."""


def create_scene(world: BulletWorld, spec: SeasonSpec, plant_slots: int) -> Scene:
    """Create the season's bodies in ``world``: ground, fence, obstacles, then ``plant_slots`` plants and puddles."""
    ground = world.create_ground((HALF_SIZE + 1.5, HALF_SIZE + 1.5, 0.001), (*spec.ground_color, 1.0))
    world.set_contact_dynamics(ground, -1, lateral_friction=spec.ground_friction, restitution=0.0)
    fence = [
        world.create_static_body("box", half, pos, FENCE_COLOR)
        for half, pos in (
            ((HALF_SIZE + 0.1, 0.05, 0.15), (0.0, HALF_SIZE + 0.05, 0.15)),
            ((HALF_SIZE + 0.1, 0.05, 0.15), (0.0, -HALF_SIZE - 0.05, 0.15)),
            ((0.05, HALF_SIZE, 0.15), (HALF_SIZE + 0.05, 0.0, 0.15)),
            ((0.05, HALF_SIZE, 0.15), (-HALF_SIZE - 0.05, 0.0, 0.15)),
        )
    ]
    solid_obstacles = [body for body in (_create_obstacle(world, o) for o in spec.obstacles) if body is not None]
    plant_bodies = [_create_plant(world, slot) for slot in range(plant_slots)]
    puddles = [
        world.create_static_body("cylinder", (0.16, 0.004), (0.0, 0.0, -1.0), PUDDLE_COLOR, collide=False)
        for _ in range(plant_slots)
    ]
    return Scene(ground, fence, solid_obstacles, plant_bodies, puddles)


def _create_obstacle(world: BulletWorld, obstacle: ObstacleSpec) -> int | None:
    """Create one obstacle's body; the id of a solid one, None for a leaf pile."""
    color = OBSTACLE_COLORS[obstacle.kind]
    if obstacle.kind == "bush":
        radius, height = obstacle.size
        return world.create_static_body("cylinder", (radius, height), (obstacle.x, obstacle.y, height / 2), color)
    if obstacle.kind == "snow_drift":
        hx, hy, height = obstacle.size
        return world.create_static_body("box", (hx, hy, height / 2), (obstacle.x, obstacle.y, height / 2), color)
    # Leaf piles are soft: no collision, they only drag (see Garden.external_force).
    radius, height = obstacle.size
    world.create_static_body("cylinder", (radius, height / 4), (obstacle.x, obstacle.y, height / 8), color, collide=False)
    return None


def _create_plant(world: BulletWorld, slot: int) -> int:
    """A plant: a stem with a foliage ball (link 0), parked outside the garden until an episode places it."""
    return world.create_stem_with_crown(
        (10.0 + slot, 10.0, 0.18),
        collision_radius=STEM_RADIUS,
        radius=0.02,
        length=0.36,
        rgba=STEM_COLOR,
        crown_radius=0.11,
        crown_height=0.2,
        crown_rgba=FOLIAGE_COLOR,
    )
