"""The scripted gardener of env v1: it plans its plants' order, drives as fast as it can stop, sprays from farther away.

The reference of normalized return on ``GardenWatering-v1`` (``envs.gardeners.make_gardener``
gives each version's gardener); like v0's :class:`envs.gardener.ScriptedGardener` it reads the
true plant positions, moisture and the wind from the env and follows the rules, obstacle map and
ground of the season it was configured for.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from envs.garden import MOISTURE_THRESHOLD, SPRAY_DRIFT, Garden
from envs.garden_env import GardenWateringEnv
from envs.garden_grid import GardenGrid
from envs.gardener import GardenerConfig
from envs.physics import PHYSICS_V1
from envs.robot import NOZZLE_REACH, SPRAY_RADIUS, TOP_SPEED, RoverState
from envs.scene import STEM_RADIUS
from envs.season_spec import PLANT_KINDS, SeasonSpec

#: Gravity (m/s^2): the deceleration a ground of friction mu allows is about mu * GRAVITY.
GRAVITY = 9.81


class PlanningGardener:
    """The gardener of env v1: plans the order of its plants, drives as fast as it can stop, sprays from farther away.

    Against the v0 gardener (:class:`ScriptedGardener`), which stays the reference of v0:

    - **order**: it waters the plants in the order with the shortest total path (over every order
      of up to three plants; nearest first beyond), counting for each plant the path to the cells
      it sprays it from plus, from each of them, the rest of the day and the turn towards it, and
      keeps that order until a plant's need changes, so it never dithers between two targets;
    - **paths**: one distance field per plant (Dijkstra on a 10 cm grid around stems, its
      season's obstacles and the fence, leaf piles costing extra for their drag), followed by
      pure pursuit of the farthest path point it sees in a straight line; a plant it cannot reach
      with its usual clearances it plans for again with tighter ones;
    - **speed**: the speed it can still stop from over the remaining path, and hold on the arc it
      steers, with half the deceleration its ground allows, so on ice it drives at full speed
      until it must brake instead of creeping everywhere; its turn is damped by the yaw rate (more
      on ice, where a turn keeps going); it brakes when sliding on would bring it near a stem, and
      backs off when it has been stuck against something;
    - **spraying**: it sprays from 0.6 m (the spray lands 0.22 m in front of the plant), on the
      move, when the spray will land (where the rover is after this control step: the env moves
      it before it sprays) on a plant that needs water and on no plant that must stay dry.

    :param season: the season whose rules, obstacle map and ground it plans for.
    """

    CELL = 0.1
    #: Clearance kept between the rover's centre and stems (running one over loses the plant) and
    #: solid obstacles (touching one costs a little per step); its farthest point is 0.22 m out.
    STEM_CLEARANCE = 0.33
    OBSTACLE_CLEARANCE = 0.25
    FENCE_CLEARANCE = 0.22
    #: The tighter clearances (m) and the wider band of distances it sprays from (m) of its second
    #: try, when a plant cannot be reached otherwise.
    RELAXED_STEM_CLEARANCE = 0.27
    RELAXED_OBSTACLE_CLEARANCE = 0.2
    RELAXED_FENCE_CLEARANCE = 0.2
    RELAXED_SPRAY_BAND = (0.42, 0.7)
    #: Distance (m) from the rover's centre to the aim point it sprays from, and the band around it.
    SPRAY_DISTANCE = 0.6
    SPRAY_BAND = 0.07
    #: It sprays when the spray will land within this share of the spray radius of a plant.
    SPRAY_TOLERANCE = 0.8
    #: A metre through a leaf pile costs like this many metres (its drag slows the rover down).
    LEAF_PILE_COST = 3.0
    #: Stuck: it has moved less than ``STUCK_DISTANCE`` (m) in ``STUCK_STEPS`` control steps while
    #: driving; it then backs off for ``BACK_OFF_STEPS``.
    STUCK_DISTANCE, STUCK_STEPS, BACK_OFF_STEPS = 0.04, 3, 2
    BACK_OFF_CLEARANCE = 0.6
    #: Pure pursuit: it steers to the farthest point of its path within ``LOOKAHEAD`` (m) that it
    #: sees in a straight line clear of everything it keeps away from.
    LOOKAHEAD = 0.9
    #: Metres of path a radian of turning costs on grippy ground (twice that on ice).
    TURN_COST = 0.3
    #: Within this path length (m) of the cells it sprays from it heads straight for the plant.
    FINAL_APPROACH = 0.35
    #: It brakes when, sliding on, it would come within this distance (m) of a stem's centre (the
    #: rover's farthest point is 0.22 m from its centre) ...
    STEM_SAFETY = 0.3
    #: ... stopping with this share of the deceleration its ground allows.
    SAFETY_BRAKE_SHARE = 0.6
    #: The speed profile plans to brake with this share of the deceleration the ground allows.
    BRAKE_SHARE = 0.5
    #: Deceleration (m/s^2) the motors give on grippy ground, the cap of the braking estimate.
    MOTOR_DECELERATION = 6.0
    #: Margin (m) kept between where the spray lands and a plant that must stay dry, beyond the spray radius.
    DRY_MARGIN = 0.08
    #: Seconds per control step of v1, its env (the spray lands where the rover is after the step).
    CONTROL_PERIOD = PHYSICS_V1.control_period
    #: Largest turn command (wheels at +-0.6: 3.5 rad/s on grippy ground).
    MAX_TURN = 0.6
    #: Beyond this heading error (rad) it stops and turns on the spot, unless a stem's centre is
    #: within ``SWEEP_CLEARANCE`` (m: a turning chassis sweeps 0.22 m, a stem is 0.035 m thick);
    #: then it first drives straight away from it at ``AWAY_SPEED``.
    TURN_ON_THE_SPOT = math.pi / 3.0
    SWEEP_CLEARANCE = 0.3
    AWAY_SPEED = 0.3

    def __init__(self, season: str | SeasonSpec) -> None:
        self.config = GardenerConfig.for_season(season)
        self._water = {PLANT_KINDS.index(k) for k in self.config.water_kinds}
        self._dry = {PLANT_KINDS.index(k) for k in self.config.dry_kinds}
        self._grid = grid = GardenGrid(self.CELL)
        obstacles = self.config.obstacles
        self._static_blocked = grid.obstacle_mask(obstacles, self.OBSTACLE_CLEARANCE, self.FENCE_CLEARANCE)
        self._relaxed_blocked = grid.obstacle_mask(obstacles, self.RELAXED_OBSTACLE_CLEARANCE, self.RELAXED_FENCE_CLEARANCE)
        self._cost = grid.leaf_pile_cost(obstacles, self.LEAF_PILE_COST)
        grip = min(1.0, self.config.ground_friction)
        self._deceleration = min(self.MOTOR_DECELERATION, self.BRAKE_SHARE * grip * GRAVITY)
        # Heading control: a turn on slippery ground builds up slowly and keeps going, so a lower
        # gain and more damping by the yaw rate there (grass: 0.9 and 0.04; ice: 0.58 and 0.09).
        slip = 1.0 - min(1.0, self.config.ground_friction / 0.8)
        self._turn_gain = 0.9 - 0.4 * slip
        self._turn_damping = 0.04 + 0.06 * slip
        self._blocked = self._static_blocked
        self._stems = np.zeros((0, 2))
        self._plan_key: tuple[object, ...] | None = None
        self._order: list[int] = []
        self._fields: dict[int, np.ndarray] = {}
        self._routes: dict[int, np.ndarray] = {}
        # Metres of path a radian of turning costs: it turns slowly on slippery ground.
        self._turn_cost = self.TURN_COST * (1.0 + slip)
        self._recent: list[tuple[float, float, bool]] = []  # (x, y, drove) of the last steps
        self._back_off = 0

    # ------------------------------------------------------------------ the map
    def _needy(self, garden: Garden) -> list[int]:
        """The standing plants of the kinds it waters that need water now."""
        kinds, alive, moisture = garden.kinds, garden.alive, garden.moisture
        return [i for i in range(garden.n_plants) if alive[i] and kinds[i] in self._water and moisture[i] < MOISTURE_THRESHOLD]

    def _plan(self, garden: Garden, position: np.ndarray, needy: list[int]) -> None:
        """A distance field per plant to water, and the order of the plants with the shortest total path.

        When a plant cannot be reached with the usual clearances (it stands in a corner, behind
        another plant), it plans again with tighter ones and a wider band to spray from.
        """
        start = self._grid.cell(*position)
        for relaxed in (False, True):
            goals = self._fields_for(garden, needy, relaxed)
            if all(self._grid.field_at(self._fields[i], start) < math.inf for i in needy):
                break
        if len(needy) > 3:  # too many orders to try: nearest first, each plant by its own field
            self._order = sorted(needy, key=lambda i: self._grid.field_at(self._fields[i], start))
            self._routes = dict(self._fields)
            return
        best, self._order = math.inf, []
        for order in itertools.permutations(needy):
            routes = self._chain(order, goals, garden.positions, self._blocked)
            length = self._grid.field_at(routes[order[0]], start)
            if length < best or not self._order:
                best, self._order, self._routes = length, list(order), routes
        if best == math.inf:  # no order reaches them all: nearest first, each plant by its own field
            self._order = sorted(needy, key=lambda i: self._grid.field_at(self._fields[i], start))
            self._routes = dict(self._fields)

    def _fields_for(self, garden: Garden, needy: list[int], relaxed: bool) -> dict[int, np.ndarray]:
        """Fill the keep-out grid and one distance field per plant to water; return each plant's goal cells."""
        positions, alive, kinds = garden.positions, garden.alive, garden.kinds
        blocked = (self._relaxed_blocked if relaxed else self._static_blocked).copy()
        keep_out = STEM_RADIUS + (self.RELAXED_STEM_CLEARANCE if relaxed else self.STEM_CLEARANCE)
        for j, (px, py) in enumerate(positions):
            if alive[j]:
                blocked |= np.hypot(self._grid.x - px, self._grid.y - py) < keep_out
        self._blocked = blocked
        self._stems = np.array([positions[j] for j in range(garden.n_plants) if alive[j]]).reshape(-1, 2)
        dry = [positions[j] for j in range(garden.n_plants) if alive[j] and kinds[j] in self._dry]
        band_centre = self.SPRAY_DISTANCE
        low, high = self.RELAXED_SPRAY_BAND if relaxed else (band_centre - self.SPRAY_BAND, band_centre + self.SPRAY_BAND)
        self._fields = {}
        goals = {}
        for i in needy:
            px, py = positions[i]
            distance = np.hypot(self._grid.x - px, self._grid.y - py)
            band = ~blocked & (distance > low) & (distance < high)
            # Where the spray lands from each cell when it faces the plant: keep clear of dry plants.
            reach = (distance - NOZZLE_REACH) / np.maximum(distance, 1e-6)
            sx, sy = px + (self._grid.x - px) * (1.0 - reach), py + (self._grid.y - py) * (1.0 - reach)
            goal = band.copy()
            for qx, qy in dry:
                goal &= np.hypot(sx - qx, sy - qy) >= SPRAY_RADIUS + self.DRY_MARGIN
            goals[i] = goal if goal.any() else band  # nowhere safe and free: any free cell of the band
            self._fields[i] = self._grid.distance_field(goals[i], blocked, self._cost)
        return goals

    def _chain(
        self, order: tuple[int, ...], goals: dict[int, np.ndarray], positions: np.ndarray, blocked: np.ndarray
    ) -> dict[int, np.ndarray]:
        """Per plant of ``order``, the field to descend: path length to the cells it sprays it from plus the rest of the day.

        The rest is the next plant's field plus the turn from facing this plant to heading down
        that field (``_turn_cost`` metres per radian): the gardener sprays a plant from the side
        it will leave by.
        """
        routes = {order[-1]: self._fields[order[-1]]}
        for here, after in zip(reversed(order[:-1]), reversed(order[1:]), strict=True):
            following = routes[after]
            direction = self._grid.descent_directions(following)
            to_plant = np.stack([positions[here][0] - self._grid.x, positions[here][1] - self._grid.y], axis=-1)
            to_plant /= np.maximum(np.linalg.norm(to_plant, axis=-1, keepdims=True), 1e-9)
            turn = np.arccos(np.clip(np.sum(direction * to_plant, axis=-1), -1.0, 1.0))
            routes[here] = self._grid.distance_field(goals[here], blocked, self._cost, seed=following + self._turn_cost * turn)
        return routes

    def act(self, env: GardenWateringEnv) -> np.ndarray:
        """The action for the env's current state (``env`` is the unwrapped env)."""
        garden, state = env.garden, env.state
        position = np.array([state.x, state.y])
        wind = env.wind
        needy = self._needy(garden)
        if not needy:
            return np.array([0.0, 0.0, -1.0], dtype=np.float32)
        key = (id(garden), tuple(needy), tuple(garden.alive))
        if garden.t == 0:
            self._recent, self._back_off = [], 0
        if garden.t == 0 or key != self._plan_key:
            self._plan(garden, position, needy)
            self._plan_key = key
        target = self._order[0]
        if self._stuck(state):  # pressed against an obstacle or the fence: back off straight
            return np.array([-0.6, -0.6, -1.0], dtype=np.float32)
        drift = SPRAY_DRIFT * wind if self.config.compensate_wind else np.zeros(2)
        aim = garden.positions[target] - drift
        left, right = self._steer(state, position, target, aim)
        pump = self._pump(garden, state, wind, needy)
        return np.array([left, right, pump], dtype=np.float32)

    def _steer(self, state: RoverState, position: np.ndarray, target: int, aim: np.ndarray) -> tuple[float, float]:
        """Wheel commands: pure pursuit down the target's distance field at a speed it can stop from.

        Within ``LOOKAHEAD`` of the cells it sprays from it heads for the plant itself, so that it
        arrives facing it and the spray lands on the plant on the way in.
        """
        field = self._fields[target]
        remaining = self._grid.field_at(field, self._grid.cell(state.x, state.y))
        if remaining == math.inf:  # no free path (it slid into a corner): straight at the plant
            waypoint, remaining = aim, float(np.hypot(*(aim - position)))
        elif remaining < self.FINAL_APPROACH:
            waypoint = aim
        else:
            waypoint = self._lookahead(self._routes[target], field, position)
        to_waypoint = waypoint - position
        heading = math.atan2(to_waypoint[1], to_waypoint[0])
        error = math.atan2(math.sin(heading - state.yaw), math.cos(heading - state.yaw))
        stoppable = math.sqrt(2.0 * self._deceleration * max(0.0, remaining - 0.02)) / TOP_SPEED
        # The arc to the waypoint has curvature 2 sin(error) / distance; the ground holds the
        # rover on it up to the speed whose centripetal acceleration it can give.
        curvature = 2.0 * abs(math.sin(error)) / max(0.1, float(np.hypot(*to_waypoint)))
        holdable = math.sqrt(self._deceleration / max(curvature, 1e-6)) / TOP_SPEED
        speed = min(1.0, stoppable, holdable) * max(0.0, math.cos(error))
        turn = self._turn_gain * error - self._turn_damping * state.yaw_rate
        turn = max(-self.MAX_TURN, min(self.MAX_TURN, turn))
        if abs(error) > self.TURN_ON_THE_SPOT:
            speed = 0.0  # turn on the spot ...
            if math.hypot(state.vx, state.vy) > 0.15:
                turn = 0.0  # ... once stopped: turning while sliding on ice keeps the slide going
            else:
                # ... unless a stem is within the chassis's sweep: first move straight away from it.
                away = self._away_from_near_stem(state)
                if away:
                    speed, turn = away, 0.0
        if self._sliding_into_a_stem(state):
            speed = turn = 0.0
        left, right = speed - turn, speed + turn
        scale = max(1.0, abs(left), abs(right))
        self._recent.append((state.x, state.y, speed > 0.3))
        del self._recent[: -self.STUCK_STEPS]
        return left / scale, right / scale

    def _stuck(self, state: RoverState) -> bool:
        """Whether to back off this step: it drove forward for ``STUCK_STEPS`` steps and barely moved.

        It only backs off with no stem within ``BACK_OFF_CLEARANCE`` behind it.
        """
        if self._back_off > 0:
            self._back_off -= 1
            self._recent.clear()
            return True
        recent = self._recent[-self.STUCK_STEPS :]
        if len(recent) == self.STUCK_STEPS and all(drove for _, _, drove in recent):
            x0, y0, _ = recent[0]
            if math.hypot(state.x - x0, state.y - y0) < self.STUCK_DISTANCE and self._clear_behind(state):
                self._back_off = self.BACK_OFF_STEPS - 1
                self._recent.clear()
                return True
        return False

    def _clear_behind(self, state: RoverState) -> bool:
        """No standing stem within ``BACK_OFF_CLEARANCE`` of the rover's centre on its rear half."""
        if not len(self._stems):
            return True
        offset = self._stems - np.array([state.x, state.y])
        behind = offset @ np.array([math.cos(state.yaw), math.sin(state.yaw)]) < 0.1
        return not bool(np.any(behind & (np.hypot(*offset.T) < self.BACK_OFF_CLEARANCE)))

    def _away_from_near_stem(self, state: RoverState) -> float:
        """A straight command away from a stem within ``SWEEP_CLEARANCE`` (backwards if it is ahead); 0.0 if none."""
        if not len(self._stems):
            return 0.0
        offset = self._stems - np.array([state.x, state.y])
        distance = np.hypot(*offset.T)
        nearest = int(np.argmin(distance))
        if distance[nearest] >= self.SWEEP_CLEARANCE:
            return 0.0
        ahead = float(offset[nearest] @ np.array([math.cos(state.yaw), math.sin(state.yaw)])) > 0.0
        return -self.AWAY_SPEED if ahead else self.AWAY_SPEED

    def _sliding_into_a_stem(self, state: RoverState) -> bool:
        """Whether the rover, braking now, would slide within ``STEM_SAFETY`` of a standing stem."""
        speed = math.hypot(state.vx, state.vy)
        if speed < 0.05 or not len(self._stems):
            return False
        deceleration = self.SAFETY_BRAKE_SHARE * min(1.0, self.config.ground_friction) * GRAVITY
        reach = speed * self.CONTROL_PERIOD + speed * speed / (2.0 * deceleration)
        direction = np.array([state.vx, state.vy]) / speed
        offset = self._stems - np.array([state.x, state.y])
        along = np.clip(offset @ direction, 0.0, reach)
        closest = np.hypot(*(offset - along[:, None] * direction).T)
        # Only stems ahead count: one it is already moving away from cannot be hit by sliding on.
        return bool(np.any((closest < self.STEM_SAFETY) & (offset @ direction > 0.0)))

    def _lookahead(self, route: np.ndarray, field: np.ndarray, position: np.ndarray) -> np.ndarray:
        """The farthest point of the path down ``route`` (within ``LOOKAHEAD``, ending where ``field`` is 0) in clear sight."""
        grid = self._grid
        cell = grid.cell(*position)
        free = grid.free_cell(route, cell)
        if free is None:
            return grid.centre(cell)
        points = grid.descend(route, field == 0.0, free, self.LOOKAHEAD)
        for point in reversed(points[1:]):
            if grid.line_is_clear(self._blocked, position, point):
                return point
        return points[min(1, len(points) - 1)]

    def _pump(self, garden: Garden, state: RoverState, wind: np.ndarray, needy: list[int]) -> float:
        """1.0 (spray) when the spray will land on a plant that needs water and on no plant that must stay dry."""
        dt = self.CONTROL_PERIOD
        # The env moves the rover through the step before it sprays: predict where it will be.
        x, y = state.x + state.vx * dt, state.y + state.vy * dt
        yaw = state.yaw + state.yaw_rate * dt
        spray = np.array([x + NOZZLE_REACH * math.cos(yaw), y + NOZZLE_REACH * math.sin(yaw)]) + SPRAY_DRIFT * wind
        positions = garden.positions
        if not any(np.hypot(*(positions[i] - spray)) < self.SPRAY_TOLERANCE * SPRAY_RADIUS for i in needy):
            return -1.0
        kinds, alive = garden.kinds, garden.alive
        for j in range(garden.n_plants):
            if alive[j] and kinds[j] in self._dry and np.hypot(*(positions[j] - spray)) < SPRAY_RADIUS + self.DRY_MARGIN:
                return -1.0
        return 1.0
