"""The scripted gardener: a hand-written controller that plays a season well from privileged state.

It reads the true plant positions, moisture and the wind from the env (a learner sees only the
observation) and follows the rules and the driving style of the season it was configured for.
Configured for its own season it is the reference for normalized return (random policy = 0,
scripted gardener = 1); configured for another season it shows how much the seasons conflict.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np

from envs.garden import MOISTURE_THRESHOLD, SPRAY_DRIFT, Garden
from envs.garden_env import GardenWateringEnv
from envs.garden_grid import GardenGrid
from envs.robot import NOZZLE_REACH, SPRAY_RADIUS
from envs.scene import HALF_SIZE, STEM_RADIUS
from envs.season_spec import PLANT_KINDS, ObstacleSpec, SeasonSpec, resolve_season


@dataclass(frozen=True)
class GardenerConfig:
    """How the gardener works in one season: what it waters, how fast it drives, what it avoids."""

    water_kinds: tuple[str, ...]
    """Plant kinds it waters."""
    dry_kinds: tuple[str, ...]
    """Plant kinds it never sprays."""
    cruise_speed: float
    """Wheel command when far from the target (fraction of top speed)."""
    approach_gain: float
    """Wheel command per metre of remaining distance near the target (lower brakes earlier)."""
    turn_gain: float
    """Wheel speed difference per radian of heading error."""
    obstacles: tuple[ObstacleSpec, ...]
    """The obstacles it plans around (its map of the garden)."""
    compensate_wind: bool
    """Aim the spray upwind by the expected drift."""
    ground_friction: float = 0.8
    """The ground's friction as it expects it (the v1 gardener brakes for it; v0's gains above do)."""

    @classmethod
    def for_season(cls, season: str | SeasonSpec) -> GardenerConfig:
        """The configuration that suits ``season``: slow and early braking on slippery ground."""
        spec = resolve_season(season)
        grip = min(1.0, spec.ground_friction / 0.8)
        return cls(
            water_kinds=spec.thirsty_kinds,
            dry_kinds=spec.dormant_kinds,
            cruise_speed=0.5 + 0.5 * grip,
            approach_gain=1.3 + 1.7 * grip,
            turn_gain=0.45 + 0.55 * grip,
            obstacles=spec.obstacles,
            compensate_wind=spec.wind_mean + spec.wind_gust > 0.0,
            ground_friction=spec.ground_friction,
        )


class ScriptedGardener:
    """Drives the nozzle to the nearest plant that needs water along a planned path, and sprays it.

    Path: Dijkstra on a 10 cm occupancy grid of the garden (stems, obstacles of its season map
    and the fence, inflated by the rover's size) from the rover to the nearest free cell from
    which the nozzle reaches the plant; replanned when the target changes and every few steps.
    Control: pure pursuit of the path with a speed that falls with the remaining distance
    (earlier on slippery ground), then turn to face the plant; spray when the spray would land
    on the plant and on no plant of a kind that must stay dry.

    :param season: the season whose rules and driving style it follows (name, YAML path or spec).
    """

    #: Clearance kept between the rover's centre and stems / obstacles (m).
    CLEARANCE = 0.33
    #: Grid resolution (m) and how often the path is replanned (control steps).
    CELL = 0.1
    REPLAN_EVERY = 8

    def __init__(self, season: str | SeasonSpec) -> None:
        self.config = GardenerConfig.for_season(season)
        self._water = {PLANT_KINDS.index(k) for k in self.config.water_kinds}
        self._dry = {PLANT_KINDS.index(k) for k in self.config.dry_kinds}
        grid = GardenGrid(self.CELL)
        self._gx, self._gy = grid.x, grid.y
        self._static_blocked = grid.obstacle_mask(self.config.obstacles, self.CLEARANCE, fence=0.22)
        self._path: list[np.ndarray] = []
        self._path_key: tuple[int, int] | None = None
        self._steps_since_plan = 0

    def _plan(self, start: np.ndarray, aim: np.ndarray, blocked: np.ndarray) -> list[np.ndarray]:
        """Cell centres from the start to the nearest free cell whose distance to ``aim`` suits the nozzle."""
        n = blocked.shape[0]
        ring = ~blocked & (np.abs(np.hypot(self._gx - aim[0], self._gy - aim[1]) - NOZZLE_REACH) < 0.07)
        if not ring.any():
            ring = np.abs(np.hypot(self._gx - aim[0], self._gy - aim[1]) - NOZZLE_REACH) < 0.07
        si = min(n - 1, max(0, int((start[0] + HALF_SIZE) / self.CELL)))
        sj = min(n - 1, max(0, int((start[1] + HALF_SIZE) / self.CELL)))
        cost = {(si, sj): 0.0}
        parent: dict[tuple[int, int], tuple[int, int]] = {}
        queue = [(0.0, si, sj)]
        goal = None
        steps = (
            (1, 0, 1.0),
            (-1, 0, 1.0),
            (0, 1, 1.0),
            (0, -1, 1.0),
            (1, 1, 1.414),
            (1, -1, 1.414),
            (-1, 1, 1.414),
            (-1, -1, 1.414),
        )
        while queue:
            d, i, j = heapq.heappop(queue)
            if d > cost.get((i, j), math.inf):
                continue
            if ring[i, j]:
                goal = (i, j)
                break
            for di, dj, w in steps:
                a, b = i + di, j + dj
                # Leaving a blocked cell is allowed (the rover may start too close to a stem).
                if 0 <= a < n and 0 <= b < n and not blocked[a, b]:
                    nd = d + w
                    if nd < cost.get((a, b), math.inf):
                        cost[(a, b)] = nd
                        parent[(a, b)] = (i, j)
                        heapq.heappush(queue, (nd, a, b))
        if goal is None:
            return [aim + NOZZLE_REACH * (start - aim) / max(1e-6, float(np.hypot(*(start - aim))))]
        cells = [goal]
        while cells[-1] in parent:
            cells.append(parent[cells[-1]])
        return [np.array([self._gx[c], self._gy[c]]) for c in reversed(cells)]

    def act(self, env: GardenWateringEnv) -> np.ndarray:
        """The action for the env's current state (``env`` is the unwrapped env)."""
        garden = env.garden
        state = env.state
        position = np.array([state.x, state.y])
        wind = env.wind
        chosen = self._choose_target(garden, position, wind)
        if chosen is None:
            return np.array([0.0, 0.0, -1.0], dtype=np.float32)
        target, aim = chosen
        self._update_path(garden, position, target, aim)
        left, right = self._steer(position, state.yaw, aim)
        pump = self._pump(garden, position, state.yaw, wind, target)
        return np.array([left, right, pump], dtype=np.float32)

    def _choose_target(self, garden: Garden, position: np.ndarray, wind: np.ndarray) -> tuple[int, np.ndarray] | None:
        """The nearest plant to water (by where to aim the spray) and that aim point; None when none is left."""
        drift = SPRAY_DRIFT * wind if self.config.compensate_wind else np.zeros(2)
        kinds = garden.kinds
        alive = garden.alive
        targets = [
            i
            for i in range(garden.n_plants)
            if alive[i] and kinds[i] in self._water and garden.moisture[i] < MOISTURE_THRESHOLD
        ]
        if not targets:
            return None
        aims = {i: garden.positions[i] - drift for i in targets}
        target = min(targets, key=lambda i: float(np.hypot(*(aims[i] - position))))
        return target, aims[target]

    def _update_path(self, garden: Garden, position: np.ndarray, target: int, aim: np.ndarray) -> None:
        """Replan on a new day, a new target, every ``REPLAN_EVERY`` steps or with no path; drop reached points."""
        key = (id(garden), target)
        self._steps_since_plan += 1
        new_day = garden.t == 0
        if new_day or self._path_key != key or self._steps_since_plan >= self.REPLAN_EVERY or not self._path:
            alive = garden.alive
            blocked = self._static_blocked.copy()
            for j, (px, py) in enumerate(garden.positions):
                if j != target and alive[j]:
                    blocked |= np.hypot(self._gx - px, self._gy - py) < STEM_RADIUS + self.CLEARANCE
            self._path = self._plan(position, aim, blocked)
            self._path_key = key
            self._steps_since_plan = 0
        # Drop path points already reached; pursue the first one at least 0.3 m ahead.
        while len(self._path) > 1 and np.hypot(*(self._path[0] - position)) < 0.3:
            self._path.pop(0)

    def _steer(self, position: np.ndarray, yaw: float, aim: np.ndarray) -> tuple[float, float]:
        """Wheel commands (left, right) of pure pursuit along the path, facing the plant at its end."""
        cfg = self.config
        waypoint = self._path[0]
        remaining = float(np.hypot(*(self._path[-1] - position))) + 0.1 * (len(self._path) - 1)
        if len(self._path) == 1 and remaining < 0.08:  # there: face the plant
            waypoint, remaining = aim, 0.0
        to_waypoint = waypoint - position
        heading = math.atan2(to_waypoint[1], to_waypoint[0])
        error = math.atan2(math.sin(heading - yaw), math.cos(heading - yaw))
        speed = min(cfg.cruise_speed, cfg.approach_gain * remaining)
        speed *= max(0.0, math.cos(error)) ** 3  # turn first, then drive
        turn = max(-0.6, min(0.6, cfg.turn_gain * error))
        left, right = speed - turn, speed + turn
        scale = max(1.0, abs(left), abs(right))
        return left / scale, right / scale

    def _pump(self, garden: Garden, position: np.ndarray, yaw: float, wind: np.ndarray, target: int) -> float:
        """1.0 (spray) when the spray would land on the target and on no plant that must stay dry, else -1.0."""
        nozzle = position + NOZZLE_REACH * np.array([math.cos(yaw), math.sin(yaw)])
        spray = nozzle + SPRAY_DRIFT * wind
        if not np.hypot(*(garden.positions[target] - spray)) < 0.8 * SPRAY_RADIUS:
            return -1.0
        kinds = garden.kinds
        for j in range(garden.n_plants):
            if kinds[j] in self._dry and np.hypot(*(garden.positions[j] - spray)) < SPRAY_RADIUS + 0.05:
                return -1.0
        return 1.0
