"""Measurements of what makes each season itself: ice slides, wind pushes, drag slows, stems and obstacles block.

Each function drives the rover of one env version through a scripted manoeuvre in a season and
returns one number. ``tests/envs/test_season_character.py`` holds thresholds measured on v0 and
checks every version against them, so that no change to the physics can quietly change a season;
``python -m experiments.benchmarks.season_character`` prints the numbers of every version.

The manoeuvres run in the env itself (its drag, wind and contact rules), with the day's plants
moved out of the way (except where a stem is the point), no rain, and the day made long enough
never to end.
"""

from __future__ import annotations

import math

import numpy as np

from envs.garden_env import GardenWateringEnv
from envs.physics import PhysicsSettings, physics_settings
from envs.season_spec import ObstacleSpec, SeasonSpec, resolve_season

#: Commands: full speed ahead and wheels stopped, pump off.
FULL_AHEAD = np.array([1.0, 1.0, -1.0], dtype=np.float32)
STOP = np.array([0.0, 0.0, -1.0], dtype=np.float32)
#: Below this speed (m/s) the rover counts as stopped.
STOPPED = 0.01
#: Seed of the day every manoeuvre starts from (its wind direction and gust phase).
DAY_SEED = 3


def _settings(version: int | PhysicsSettings) -> PhysicsSettings:
    return version if isinstance(version, PhysicsSettings) else physics_settings(version)


def _env(version: int | PhysicsSettings, season: str | SeasonSpec, clear_plants: bool = True) -> GardenWateringEnv:
    """An env of ``season`` reset to day ``DAY_SEED`` whose day never ends, plants parked outside the garden."""
    # No rain: it would water the parked plants and end the day (rain moves no body).
    spec = resolve_season(season).replace(episode_steps=2000, rain_rate=0.0)
    env = GardenWateringEnv(season=spec, physics=_settings(version))
    env.reset(seed=DAY_SEED)
    if clear_plants:
        for slot, body in enumerate(env.garden.plant_bodies):
            env.world.move_body(body, (10.0 + slot, 10.0, 0.18))
    return env


def _place(env: GardenWateringEnv, x: float, y: float, yaw: float) -> None:
    """Put the rover at rest at a pose and let it settle for one control step."""
    env.rover.place(x, y, yaw)
    env.step(STOP)


def _speed(env: GardenWateringEnv) -> float:
    return math.hypot(env.state.vx, env.state.vy)


def rest_height(version: int | PhysicsSettings, season: str | SeasonSpec = "spring") -> float:
    """Height (m) of the rover's chassis centre after standing still for 1 s (it is placed at ``REST_HEIGHT``)."""
    env = _env(version, season)
    try:
        _place(env, -1.0, 0.0, 0.0)
        for _ in range(5):
            env.step(STOP)
        return float(env.world.base_pose(env.rover.body)[0][2])
    finally:
        env.close()


def braking_distance(version: int | PhysicsSettings, season: str | SeasonSpec) -> float:
    """Metres the rover travels after a full-speed stop command (wheels commanded to 0) until it stands still.

    It drives east along y = 0 from x = -1.5 at full command for 2 s (top speed on every ground),
    then commands the wheels to stop.
    """
    env = _env(version, season)
    try:
        _place(env, -1.5, 0.0, 0.0)
        for _ in range(10):
            env.step(FULL_AHEAD)
        start = (env.state.x, env.state.y)
        for _ in range(50):
            env.step(STOP)
            if _speed(env) < STOPPED:
                break
        return math.hypot(env.state.x - start[0], env.state.y - start[1])
    finally:
        env.close()


def crossing_steps(
    version: int | PhysicsSettings, season: str | SeasonSpec, lane_y: float = 0.0, distance: float = 2.4
) -> float:
    """Control steps (0.2 s each, interpolated) the rover needs to drive ``distance`` metres east at full command from rest.

    It starts at x = -1.6 on the lane ``y = lane_y`` heading east.
    """
    env = _env(version, season)
    try:
        _place(env, -1.6, lane_y, 0.0)
        x0 = previous = env.state.x
        for step in range(1, 200):
            env.step(FULL_AHEAD)
            x = env.state.x
            if x - x0 >= distance:
                return step - 1 + (x0 + distance - previous) / (x - previous)
            previous = x
        return math.inf
    finally:
        env.close()


def distance_driven(version: int | PhysicsSettings, season: str | SeasonSpec, x: float, y: float, steps: int = 3) -> float:
    """Metres the rover covers in ``steps`` control steps at full command from rest at (x, y), heading east."""
    env = _env(version, season)
    try:
        _place(env, x, y, 0.0)
        start = (env.state.x, env.state.y)
        for _ in range(steps):
            env.step(FULL_AHEAD)
        return math.hypot(env.state.x - start[0], env.state.y - start[1])
    finally:
        env.close()


def gust_drift(version: int | PhysicsSettings, season: str | SeasonSpec, steps: int = 10) -> float:
    """Metres the rover ends up off its line after driving ``steps`` control steps at full command across the wind.

    It starts at rest at (-1.0, 0) heading at right angles to the day's wind, the wind blowing
    from its left, and drives straight ahead. The wind pushes at the chassis centre, behind the
    wheel axle, so it also turns the rover (into the wind): the distance is measured off the line
    on either side.
    """
    env = _env(version, season)
    try:
        wind = env.wind
        downwind = wind / max(1e-9, float(np.hypot(*wind)))
        heading = math.atan2(downwind[1], downwind[0]) + math.pi / 2.0  # wind from the left
        _place(env, -1.0, 0.0, heading)
        start = np.array([env.state.x, env.state.y])
        for _ in range(steps):
            env.step(FULL_AHEAD)
        return abs(float(np.dot(np.array([env.state.x, env.state.y]) - start, downwind)))
    finally:
        env.close()


def obstacle_stop(
    version: int | PhysicsSettings, season: str | SeasonSpec, lane_y: float, obstacle_x: float
) -> tuple[float, int]:
    """Drive east at full command along ``y = lane_y`` into a solid obstacle whose west face is at ``obstacle_x``.

    Returns the farthest x the rover's centre reached and the number of control steps whose
    ``collision`` reward term was paid (the rover touched the obstacle).
    """
    env = _env(version, season)
    try:
        _place(env, -1.6, lane_y, 0.0)
        farthest, touching = -math.inf, 0
        for _ in range(25):
            _, _, _, _, info = env.step(FULL_AHEAD)
            farthest = max(farthest, env.state.x)
            touching += info["reward_collision"] < 0.0
        return farthest - obstacle_x, touching
    finally:
        env.close()


def stem_hit(version: int | PhysicsSettings, season: str | SeasonSpec, speed: float) -> int:
    """Plants run over when the rover drives at ``speed`` (fraction of full command) straight at a stem 0.8 m ahead."""
    env = _env(version, season, clear_plants=False)
    try:
        target = env.garden.positions[0]
        # Start 0.8 m west of the first plant (the others are parked), facing it.
        for slot, body in enumerate(env.garden.plant_bodies[1:], start=1):
            env.world.move_body(body, (10.0 + slot, 10.0, 0.18))
        _place(env, float(target[0]) - 0.8, float(target[1]), 0.0)
        hit = 0
        for _ in range(20):
            _, _, _, _, info = env.step(np.array([speed, speed, -1.0], dtype=np.float32))
            hit += round(-info["reward_trample"] / env.spec_season.rewards.trample)
        return hit
    finally:
        env.close()


#: A bush across the lane of :func:`obstacle_stop` (summer's bushes stand against the fences).
LANE_BUSH = ObstacleSpec("bush", 0.5, 0.0, (0.3, 0.5))


def season_character(version: int | PhysicsSettings) -> dict[str, float]:
    """Every number of this module for one env version, by name (what the tests and the benchmark compare).

    - ``rest_height``: :func:`rest_height` on spring's ground (m);
    - ``braking_<season>``: :func:`braking_distance` (m); ``braking_ratio_ice_grass``: winter's over spring's;
    - ``crossing_<season>``: :func:`crossing_steps` over 2.4 m along y = 0 (control steps);
    - ``gust_drift_autumn``: :func:`gust_drift` in autumn (m); ``calm_drift_autumn``: the same without wind;
    - ``leaf_pile_slowdown``: :func:`distance_driven` from rest in 3 steps from the centre of autumn's
      leaf pile at (-0.3, 0.9), over the same without leaf piles (no wind in both);
    - ``drift_gap``, ``drift_touching_steps``: :func:`obstacle_stop` into winter's east snow drift
      (its west face at x = 1.05); ``bush_gap``, ``bush_touching_steps``: into a summer bush put
      across the lane (west face at x = 0.2);
    - ``stems_run_over_<season>``: :func:`stem_hit` at full speed.
    """
    seasons = ("spring", "summer", "autumn", "winter")
    result: dict[str, float] = {"rest_height": rest_height(version)}
    for season in seasons:
        result[f"braking_{season}"] = braking_distance(version, season)
    result["braking_ratio_ice_grass"] = result["braking_winter"] / result["braking_spring"]
    for season in seasons:
        result[f"crossing_{season}"] = crossing_steps(version, season)
    calm = resolve_season("autumn").replace(wind_mean=0.0, wind_gust=0.0)
    result["gust_drift_autumn"] = gust_drift(version, "autumn")
    result["calm_drift_autumn"] = gust_drift(version, calm)
    in_pile = distance_driven(version, calm, -0.3, 0.9)
    result["leaf_pile_slowdown"] = in_pile / distance_driven(version, calm.replace(obstacles=()), -0.3, 0.9)
    result["drift_gap"], touching = obstacle_stop(version, "winter", lane_y=0.0, obstacle_x=1.05)
    result["drift_touching_steps"] = float(touching)
    summer = resolve_season("summer").replace(obstacles=(LANE_BUSH,))
    result["bush_gap"], touching = obstacle_stop(version, summer, lane_y=0.0, obstacle_x=LANE_BUSH.x - LANE_BUSH.size[0])
    result["bush_touching_steps"] = float(touching)
    for season in seasons:
        result[f"stems_run_over_{season}"] = float(stem_hit(version, season, 1.0))
    return result
