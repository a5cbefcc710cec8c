"""The observation vector: its layout (names by index) and how it is assembled from the state."""

from __future__ import annotations

import math

import numpy as np

from envs.garden import Garden
from envs.robot import TOP_SPEED, RoverState
from envs.scene import HALF_SIZE
from envs.season_spec import PLANT_KINDS

#: Scales that map readings into [-1, 1].
YAW_RATE_SCALE, WIND_SCALE, TEMPERATURE_SCALE, PLANT_DISTANCE_SCALE = 6.0, 20.0, 40.0, 4.0

ROBOT_FEATURES: tuple[str, ...] = (
    "heading_cos",
    "heading_sin",
    "velocity_forward",
    "velocity_left",
    "yaw_rate",
    "position_x",
    "position_y",
    "wind_forward",
    "wind_left",
    "temperature",
    "daylight_left",
)
PLANT_FEATURES: tuple[str, ...] = (
    "present",
    "forward",
    "left",
    "distance",
    "bearing_cos",
    "bearing_sin",
    "moisture",
    *(f"kind_{k}" for k in PLANT_KINDS),
)


def observation_names(plant_slots: int, observe_season: bool, max_seasons: int) -> list[str]:
    """The name of every observation index, in order."""
    names = list(ROBOT_FEATURES)
    for slot in range(plant_slots):
        names += [f"plant{slot}_{feature}" for feature in PLANT_FEATURES]
    if observe_season:
        names += [f"season_{i}" for i in range(max_seasons)]
    return names


def build_observation(
    out: np.ndarray,
    state: RoverState,
    wind: tuple[float, float],
    garden: Garden,
    daylight_left: float,
    plant_slots: int,
) -> None:
    """Fill ``out`` in place: robot features, then plant slots nearest first; values in [-1, 1].

    Built from Python floats and written with one slice assignment: for a few plants this costs
    less than a chain of small numpy operations.
    """
    x, y, yaw, vx, vy, yaw_rate = state
    cos, sin = math.cos(yaw), math.sin(yaw)
    wx, wy = wind
    values = [
        cos,
        sin,
        (cos * vx + sin * vy) / TOP_SPEED,
        (cos * vy - sin * vx) / TOP_SPEED,
        yaw_rate / YAW_RATE_SCALE,
        x / HALF_SIZE,
        y / HALF_SIZE,
        (cos * wx + sin * wy) / WIND_SCALE,
        (cos * wy - sin * wx) / WIND_SCALE,
        garden.temperature / TEMPERATURE_SCALE,
        daylight_left,
    ]
    # Standing plants only (a run-over plant leaves its slot empty), nearest first.
    plants = [(px - x, py - y, kind, moisture) for px, py, kind, moisture in garden.standing_plants()]
    plants.sort(key=lambda p: p[0] * p[0] + p[1] * p[1])
    scale = 1.0 / PLANT_DISTANCE_SCALE
    for dx, dy, kind, moisture in plants:
        forward, left = cos * dx + sin * dy, cos * dy - sin * dx
        distance = math.hypot(dx, dy) + 1e-9
        values += (
            1.0,
            forward * scale,
            left * scale,
            distance * scale,
            forward / distance,
            left / distance,
            moisture,
        )
        values += _KIND_ONE_HOT[kind]
    values += _EMPTY_SLOT * (plant_slots - len(plants))
    view = out[: len(values)]
    view[:] = values
    # np.minimum/np.maximum in place: the same values as np.clip at a fraction of its call cost.
    np.minimum(view, 1.0, out=view)
    np.maximum(view, -1.0, out=view)


_EMPTY_SLOT = [0.0] * len(PLANT_FEATURES)
_KIND_ONE_HOT = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))
assert len(PLANT_KINDS) == len(_KIND_ONE_HOT), "build_observation writes the kind one-hot for exactly three kinds"
