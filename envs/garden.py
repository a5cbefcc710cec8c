"""The day and the rules of one season's garden (panda-gym's task layer): plants, weather, watering.

The bodies (ground, fence, obstacles, plant stems, puddles) are built by :mod:`envs.scene`; this
module draws each day (plant places, kinds, moisture, weather) and applies the per-step rules.
Plant and soil state (moisture, damage, roles) and the weather are plain Python state. The rules
run on Python lists (a handful of plants: numpy's per-call cost would dominate); numpy views are
offered for readers such as the scripted gardener and the tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from envs.bullet import BulletWorld
from envs.robot import NOZZLE_REACH, SPRAY_RADIUS, RoverState
from envs.scene import HALF_SIZE as HALF_SIZE  # re-exported: the garden's size, long read from here
from envs.scene import create_scene
from envs.season_spec import PLANT_KINDS, SeasonSpec

#: A thirsty plant needs water while its moisture is below this.
MOISTURE_THRESHOLD = 0.5
#: Moisture one control step of spray gives a plant.
WATER_PER_STEP = 0.8
#: How far the wind carries the spray (m per N of wind force).
SPRAY_DRIFT = 0.015
#: Extra rolling resistance inside a leaf pile (N per m/s).
LEAF_PILE_DRAG = 30.0
#: Where the rover starts: x, and the spread of y and heading around it.
START_X, START_Y_SPREAD, START_YAW_SPREAD = -1.55, 0.4, 0.4
#: Plant placement: region, spacing between plants, clearance from obstacles and the start.
PLANT_X_RANGE, PLANT_Y_RANGE = (-0.9, 1.75), (-1.75, 1.75)
PLANT_SPACING, OBSTACLE_CLEARANCE, START_CLEARANCE = 0.6, 0.35, 0.9
#: Beyond this distance (m) from the rover's centre along either axis nothing can touch it.
CONTACT_REACH = 0.4

PLANT_COLORS = {
    "seedling": (0.55, 0.88, 0.30, 1.0),
    "bulb": (0.92, 0.25, 0.50, 1.0),
    "evergreen": (0.08, 0.38, 0.16, 1.0),
}
DAMAGED_COLOR = (0.42, 0.27, 0.12, 1.0)


@dataclass
class StepEvents:
    """What the garden saw in one control step (the inputs of the reward terms)."""

    watered: int
    damaged: int
    trampled: int
    progress: float
    collided: bool
    pumped: bool


class Garden:
    """The scene (built by :func:`envs.scene.create_scene`), the day and the rules of one season in a :class:`BulletWorld`.

    :param world: the physics world.
    :param spec: the season.
    :param plant_slots: plant bodies to create (at least ``spec.n_plants``).
    """

    def __init__(self, world: BulletWorld, spec: SeasonSpec, plant_slots: int) -> None:
        self.world = world
        self.spec = spec
        self.n_plants = spec.n_plants
        self.scene = create_scene(world, spec, plant_slots)
        self.plant_bodies = self.scene.plant_bodies
        self.puddles = self.scene.puddles
        self._leaf_piles = [(o.x, o.y, o.size[0]) for o in spec.obstacles if o.kind == "leaf_pile"]
        # Touching the fence is allowed; plant stems and obstacles are what the rover must not hit.
        self.obstacle_ids = frozenset(self.scene.solid_obstacles)
        # Axis-aligned bounds (x0, x1, y0, y1) of the solid obstacles, for the contact pre-check.
        self._solid_bounds = [
            (o.x - o.size[0], o.x + o.size[0], o.y - o.size[0], o.y + o.size[0])
            if o.kind == "bush"
            else (o.x - o.size[0], o.x + o.size[0], o.y - o.size[1], o.y + o.size[1])
            for o in spec.obstacles
            if o.kind != "leaf_pile"
        ]
        self._plant_slot = {body: slot for slot, body in enumerate(self.plant_bodies)}
        self._colors: list[tuple[float, ...] | None] = [None] * plant_slots
        # Episode state, filled by reset().
        self._xy: list[tuple[float, float]] = [(0.0, 0.0)] * self.n_plants
        self._kinds: list[int] = [0] * self.n_plants
        self._thirsty: list[bool] = [False] * self.n_plants
        self._moisture: list[float] = [0.0] * self.n_plants
        self._damaged: list[bool] = [False] * self.n_plants
        self._alive: list[bool] = [True] * self.n_plants
        self._wind_dir = (0.0, 0.0)
        self.gust_period = 15.0
        self.gust_phase = 0.0
        self.temperature = spec.temperature_c
        self.t = 0
        self._needy: list[bool] = []
        self._target_distance = 0.0

    # ------------------------------------------------------------------ episode set-up
    def reset(self, rng: np.random.Generator) -> tuple[float, float, float]:
        """Draw a new day (plants, weather) from ``rng``; return the rover's start pose (x, y, yaw)."""
        spec = self.spec
        start = (
            START_X + rng.uniform(-0.1, 0.1),
            rng.uniform(-START_Y_SPREAD, START_Y_SPREAD),
            rng.uniform(-START_YAW_SPREAD, START_YAW_SPREAD),
        )
        kind_index = {k: i for i, k in enumerate(PLANT_KINDS)}
        kinds = [kind_index[spec.thirsty_kinds[i]] for i in rng.integers(0, len(spec.thirsty_kinds), spec.thirsty_plants)]
        if spec.dormant_plants:
            kinds += [kind_index[spec.dormant_kinds[i]] for i in rng.integers(0, len(spec.dormant_kinds), spec.dormant_plants)]
        thirsty = [i < spec.thirsty_plants for i in range(self.n_plants)]
        self._xy = self._place_plants(rng, start)
        # Shuffle so a plant's slot order says nothing about its role.
        order = rng.permutation(self.n_plants).tolist()
        self._kinds = [kinds[i] for i in order]
        self._thirsty = [thirsty[i] for i in order]
        self._moisture = rng.uniform(0.05, 0.3, self.n_plants).tolist()
        self._damaged = [False] * self.n_plants
        self._alive = [True] * self.n_plants
        angle = float(rng.uniform(-math.pi, math.pi))
        self._wind_dir = (math.cos(angle), math.sin(angle))
        self.gust_period = float(rng.uniform(10.0, 20.0))
        self.gust_phase = float(rng.uniform(0.0, 2.0 * math.pi))
        self.temperature = float(spec.temperature_c + rng.normal(0.0, 1.5))
        self.t = 0
        for slot, body in enumerate(self.plant_bodies):
            if slot < self.n_plants:
                self.world.move_body(body, (*self._xy[slot], 0.18))
                self._set_plant_color(slot, PLANT_COLORS[PLANT_KINDS[self._kinds[slot]]])
            self.world.move_body(self.puddles[slot], (10.0 + slot, -10.0, -1.0))
        return (float(start[0]), float(start[1]), float(start[2]))

    def _place_plants(self, rng: np.random.Generator, start: tuple[float, float, float]) -> list[tuple[float, float]]:
        placed: list[tuple[float, float]] = []
        for _ in range(20_000):
            if len(placed) == self.n_plants:
                return placed
            x, y = float(rng.uniform(*PLANT_X_RANGE)), float(rng.uniform(*PLANT_Y_RANGE))
            if math.hypot(x - start[0], y - start[1]) < START_CLEARANCE:
                continue
            if any(math.hypot(x - px, y - py) < PLANT_SPACING for px, py in placed):
                continue
            if self._obstacle_gap((x, y)) < OBSTACLE_CLEARANCE:
                continue
            placed.append((x, y))
        if len(placed) == self.n_plants:
            return placed
        raise ValueError(
            f"season {self.spec.name!r}: cannot place {self.n_plants} plants {PLANT_SPACING} m apart and clear of its "
            "obstacles; lower thirsty_plants + dormant_plants or remove obstacles"
        )

    # ------------------------------------------------------------------ views for readers
    @property
    def positions(self) -> np.ndarray:
        """Plant positions (n, 2) in metres."""
        return np.array(self._xy, dtype=np.float64).reshape(self.n_plants, 2)

    def standing_plants(self) -> list[tuple[float, float, int, float]]:
        """``(x, y, kind, moisture)`` of every standing plant, as Python values (the observation's input)."""
        return [
            (x, y, kind, moisture)
            for (x, y), kind, moisture, alive in zip(self._xy, self._kinds, self._moisture, self._alive, strict=True)
            if alive
        ]

    @property
    def kinds(self) -> np.ndarray:
        """Plant kinds, as indices into ``PLANT_KINDS``."""
        return np.array(self._kinds, dtype=np.int64)

    @property
    def thirsty(self) -> np.ndarray:
        """Which plants are of a kind that needs water this season."""
        return np.array(self._thirsty, dtype=bool)

    @property
    def moisture(self) -> np.ndarray:
        """Soil moisture of each plant in [0, 1]."""
        return np.array(self._moisture, dtype=np.float64)

    @property
    def damaged(self) -> np.ndarray:
        """Which plants that must stay dry were watered."""
        return np.array(self._damaged, dtype=bool)

    @property
    def alive(self) -> np.ndarray:
        """Which plants are still standing (the rover runs over the ones it hits)."""
        return np.array(self._alive, dtype=bool)

    def _obstacle_gap(self, point: tuple[float, float]) -> float:
        gap = math.inf
        for o in self.spec.obstacles:
            if o.kind == "snow_drift":
                dx = max(abs(point[0] - o.x) - o.size[0], 0.0)
                dy = max(abs(point[1] - o.y) - o.size[1], 0.0)
                gap = min(gap, math.hypot(dx, dy))
            else:
                gap = min(gap, math.hypot(point[0] - o.x, point[1] - o.y) - o.size[0])
        return gap

    def _set_plant_color(self, slot: int, rgba: tuple[float, ...]) -> None:
        if self._colors[slot] != rgba:
            self._colors[slot] = rgba
            self.world.set_color(self.plant_bodies[slot], rgba, link=0)

    # ------------------------------------------------------------------ weather
    def wind(self) -> tuple[float, float]:
        """Wind force on the rover now (N, world frame): a mean plus a periodic gust."""
        spec = self.spec
        gust = 0.5 * (1.0 + math.sin(2.0 * math.pi * self.t / self.gust_period + self.gust_phase))
        strength = spec.wind_mean + spec.wind_gust * gust
        return (self._wind_dir[0] * strength, self._wind_dir[1] * strength)

    def external_force(self, state: RoverState, wind: tuple[float, float]) -> tuple[float, float]:
        """Horizontal force on the rover (world frame): wind plus the ground's and leaf piles' drag."""
        drag = self.spec.drag
        x, y = state.x, state.y
        if any(math.hypot(px - x, py - y) < radius for px, py, radius in self._leaf_piles):
            drag += LEAF_PILE_DRAG
        return (wind[0] - drag * state.vx, wind[1] - drag * state.vy)

    # ------------------------------------------------------------------ rules
    def _needy_list(self) -> list[bool]:
        """Which plants need water now (standing, of a thirsty kind, below the moisture threshold)."""
        return [a and t and m < MOISTURE_THRESHOLD for a, t, m in zip(self._alive, self._thirsty, self._moisture, strict=True)]

    @staticmethod
    def nozzle_point(state: RoverState) -> tuple[float, float]:
        """Where the nozzle aims on the ground (world frame)."""
        return (state.x + NOZZLE_REACH * math.cos(state.yaw), state.y + NOZZLE_REACH * math.sin(state.yaw))

    def _nearest_needy_distance(self, nozzle: tuple[float, float], needy: list[bool]) -> float:
        nx, ny = nozzle
        best = math.inf
        for (px, py), n in zip(self._xy, needy, strict=True):
            if n:
                d = math.hypot(px - nx, py - ny)
                if d < best:
                    best = d
        return 0.0 if best == math.inf else best

    def start_episode(self, state: RoverState) -> None:
        """Remember the shaping distance at the start pose."""
        self._needy = self._needy_list()
        self._target_distance = self._nearest_needy_distance(self.nozzle_point(state), self._needy)

    def advance(self, state: RoverState, pump: bool, wind: tuple[float, float], contact_ids: set[int]) -> StepEvents:
        """Apply one control step of weather and watering after the physics moved the rover."""
        spec = self.spec
        self.t += 1
        nozzle = self.nozzle_point(state)
        thirsty, moisture = self._thirsty, self._moisture
        # Shaping compares distances to the same set of needy plants, so a plant that dries
        # again (summer) or is rained on does not pay a jump in "progress". The needy set can
        # only have changed through last step's weather, which already updated self._needy.
        needy = self._needy
        distance = self._nearest_needy_distance(nozzle, needy)
        progress = self._target_distance - distance
        watered = damaged = trampled = 0
        collided = False
        for body in contact_ids:
            slot = self._plant_slot.get(body)
            if slot is not None and slot < self.n_plants and self._alive[slot]:
                # Run over: the plant is lost for the day (and can no longer be watered).
                self._alive[slot] = False
                trampled += 1
                self.world.move_body(body, (*self._xy[slot], -1.0))
            elif body in self.obstacle_ids:
                collided = True
        if pump:
            sx, sy = nozzle[0] + SPRAY_DRIFT * wind[0], nozzle[1] + SPRAY_DRIFT * wind[1]
            for i, (px, py) in enumerate(self._xy):
                if not self._alive[i] or math.hypot(px - sx, py - sy) >= SPRAY_RADIUS:
                    continue
                moisture[i] = min(1.0, moisture[i] + WATER_PER_STEP)
                if needy[i] and moisture[i] >= MOISTURE_THRESHOLD:
                    watered += 1
                if not thirsty[i] and not self._damaged[i]:
                    damaged += 1
                    self._damaged[i] = True
                    self._set_plant_color(i, DAMAGED_COLOR)
                self.world.move_body(self.puddles[i], (px, py, 0.003))
        if spec.rain_rate:
            rain = spec.rain_rate
            for i, m in enumerate(moisture):
                moisture[i] = min(1.0, m + rain)
        if spec.dry_rate:
            dry, redry = spec.dry_rate, spec.redry
            for i, m in enumerate(moisture):
                # Without redry a watered thirsty plant stays watered for the rest of the day.
                if redry or not thirsty[i] or m < MOISTURE_THRESHOLD:
                    moisture[i] = max(0.0, m - dry)
        new_needy = self._needy_list()
        if new_needy != needy:  # on most steps nothing was watered, rained on or dried out
            distance = self._nearest_needy_distance(nozzle, new_needy)
        self._needy = new_needy
        self._target_distance = distance
        return StepEvents(
            watered=watered, damaged=damaged, trampled=trampled, progress=progress, collided=collided, pumped=pump
        )

    def anything_within_reach(self, state: RoverState) -> bool:
        """Whether a standing stem or a solid obstacle is close enough to the rover to touch it.

        Conservative: the rover's farthest point is 0.25 m from its centre, so anything farther
        than ``CONTACT_REACH`` from the centre cannot be in contact.
        """
        x, y = state.x, state.y
        for (px, py), alive in zip(self._xy, self._alive, strict=True):
            if alive and abs(px - x) < CONTACT_REACH and abs(py - y) < CONTACT_REACH:
                return True
        for o in self._solid_bounds:
            if o[0] - CONTACT_REACH < x < o[1] + CONTACT_REACH and o[2] - CONTACT_REACH < y < o[3] + CONTACT_REACH:
                return True
        return False

    def day_done(self) -> bool:
        """Nothing is left to water (every standing thirsty plant is wet)."""
        return not any(self._needy)

    def success(self) -> bool:
        """Every plant of a thirsty kind is standing and wet."""
        return not any(self._needy) and all(a for a, t in zip(self._alive, self._thirsty, strict=True) if t)
