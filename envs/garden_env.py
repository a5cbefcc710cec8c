"""``GardenWatering-v0``/``-v1``: the thin ``gym.Env`` that joins the physics, the rover and the season's garden."""

from __future__ import annotations

import math
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from envs.bullet import BulletWorld, display_available
from envs.garden import Garden
from envs.observation import build_observation, observation_names
from envs.physics import PhysicsSettings, physics_settings
from envs.rewards import REWARD_TERMS, reward_terms
from envs.robot import Rover, RoverState
from envs.season_spec import MAX_SEASONS, SeasonSpec, resolve_season

_INFO_KEYS = tuple(f"reward_{name}" for name in REWARD_TERMS)


class GardenWateringEnv(gym.Env[np.ndarray, np.ndarray]):
    """A garden rover waters the plants that need it, season after season.

    ## Description
    A differential-drive rover with a watering nozzle works in a fenced 4 m x 4 m garden
    simulated in PyBullet. Each episode is one day of a season: plants of three kinds
    (seedling, bulb, evergreen) stand at random places, some of which need water and some of
    which must not be watered this season. The season also sets the ground (friction, colour,
    mud), the weather (wind that pushes the rover and carries the spray, rain, heat that dries
    plants out again), fixed obstacles (summer bushes, autumn leaf piles, winter snow drifts)
    and the length of the day. The same plant calls for opposite actions in different seasons,
    which is what makes continual learning across seasons hard.

    ## Action Space
    ``Box(-1, 1, (3,), float32)``:

    | index | action | unit |
    |---|---|---|
    | 0 | left wheel speed command | fraction of 14 rad/s (0.84 m/s at the rim) |
    | 1 | right wheel speed command | fraction of 14 rad/s |
    | 2 | pump: sprays while > 0 | on/off |

    Commands outside [-1, 1] are clipped; a NaN or wrongly shaped action raises ``ValueError``.
    The command holds for ``action_repeat`` physics steps of ``time_step`` seconds, 0.2 s in every
    version (5 Hz control, which keeps a day short in decisions): 12 x 1/60 s in v0, 5 x 1/25 s
    in v1.

    ## Observation Space
    ``Box(-1, 1, (n,), float32)`` with ``n = 11 + 10 * plant_slots (+ max_seasons)``; the same
    shape in every season. Robot-frame means x forward, y left.

    | index | name | meaning |
    |---|---|---|
    | 0, 1 | heading_cos, heading_sin | heading of the rover |
    | 2, 3 | velocity_forward, velocity_left | body-frame velocity / 0.84 m/s |
    | 4 | yaw_rate | yaw rate / 6 rad/s |
    | 5, 6 | position_x, position_y | position in the garden / 2 m |
    | 7, 8 | wind_forward, wind_left | anemometer: wind force in the body frame / 20 N |
    | 9 | temperature | air temperature / 40 degrees C |
    | 10 | daylight_left | fraction of the day left |
    | 11 + 10k ... 20 + 10k | plant{k}_present, _forward, _left, _distance, _bearing_cos, _bearing_sin, _moisture, _kind_seedling, _kind_bulb, _kind_evergreen | plant slot k (standing plants, nearest first): position in the robot frame / 4 m, distance / 4 m, direction as cos/sin of its bearing, moisture in [0, 1], kind one-hot; all zero for an empty slot |
    | 11 + 10 * plant_slots ... | season_0 ... season_{max_seasons-1} | season one-hot (only with ``observe_season=True``) |

    ``observation_names(plant_slots, observe_season, max_seasons)`` in ``envs.observation`` returns
    these names by index.

    ## Rewards
    The reward is the sum of named terms, each reported in ``info`` as ``reward_<term>``; their
    weights are part of the season (``SeasonSpec.rewards``):

    - ``watered``: +w each time a plant that needs water is brought above moisture 0.5;
    - ``progress``: +w per metre the nozzle closes on the nearest plant that needs water;
    - ``damage``: -w the first time a plant that must not be watered gets water (frost damage in winter, rot in summer);
    - ``trample``: -w for each plant the rover hits: it runs the plant over (the plant is gone for the day);
    - ``collision``: -w per step the rover touches an obstacle (a bush or a snow drift; the fence is allowed);
    - ``time``: -w per step;
    - ``energy``: -w per step the pump runs.

    ## Starting State
    The rover rests near the west fence (x = -1.55 +- 0.1 m, y = +-0.4 m, heading +-0.4 rad).
    Plants are placed at random at least 0.6 m apart, clear of obstacles and of the start, with
    moisture drawn from [0.05, 0.3]; the wind direction, gust period and temperature are drawn per
    day. Everything comes from the env's seeded RNG. The physics is restored from a snapshot taken
    at construction, not rebuilt.

    ## Episode End
    - Termination: no standing plant needs water any more. ``info["is_success"]`` is True when
      every plant of a thirsty kind is standing and watered.
    - Truncation: dusk, after ``SeasonSpec.episode_steps`` control steps (also set as the
      ``max_episode_steps`` of each season's registered id).

    ## Arguments
    ```python
    gymnasium.make("GardenWatering-v1", season="winter", observe_season=True)
    ```

    | parameter | type | default | description |
    |---|---|---|---|
    | ``season`` | ``str`` or ``SeasonSpec`` | ``"spring"`` | a default season name, ``"file.yaml"``, ``"file.yaml:name"`` or a spec |
    | ``render_mode`` | ``str`` or ``None`` | ``None`` | ``"rgb_array"`` (headless frames) or ``"human"`` (the PyBullet GUI when a display exists; headless and silent without one) |
    | ``observe_season`` | ``bool`` | ``False`` | append the season one-hot |
    | ``max_seasons`` | ``int`` | ``8`` (``MAX_SEASONS``) | length of the one-hot |
    | ``season_index`` | ``int`` or ``None`` | ``None`` | one-hot position; defaults to ``SeasonSpec.index`` |
    | ``plant_slots`` | ``int`` | ``6`` | plant slots in the observation |
    | ``action_repeat`` | ``int`` or ``None`` | ``None`` | physics steps per control step (None: the version's, 12 in v0, 5 in v1) |
    | ``time_step`` | ``float`` or ``None`` | ``None`` | physics time step in s (None: the version's, 1/60 in v0, 1/25 in v1) |
    | ``render_width``, ``render_height`` | ``int`` | ``480``, ``360`` | frame size |
    | ``version`` | ``int`` | ``0`` | the env version's physics (``envs.physics.PHYSICS``); each registered id sets it |
    | ``physics`` | ``PhysicsSettings`` or ``None`` | ``None`` | other physics settings than the version's, for experiments |

    ## Seasons
    | season | needs water | must stay dry | ground | weather and obstacles | day |
    |---|---|---|---|---|---|
    | spring | seedling, bulb | evergreen | wet grass (friction 0.8), mud drag | light rain | 60 steps |
    | summer | seedling | bulb, evergreen | dry sand (1.0), light drag | heat: watered plants dry out again; two bushes against the side fences | 60 steps |
    | autumn | bulb | seedling, evergreen | wet leaves (0.55) | gusty wind pushes the rover and carries the spray; leaf piles drag | 60 steps |
    | winter | evergreen | seedling, bulb | ice (0.15): full speed slides | snow drifts, light wind | 50 steps |

    Each day has two plants that need water and one that must stay dry. Every kind needs water
    in some seasons and must stay dry in others, and winter reverses two of the three kinds of
    every earlier season, so the seasons pull a shared policy in opposite directions.

    The specs are in ``envs/seasons/<name>.yaml``; see ``envs.season_spec.SeasonSpec``.

    ## Version History
    - v1: the same garden, seasons, rules, spaces and bodies, faster to step (measured in
      ``docs/garden.md``, "Env speed"): 5 physics steps of 1/25 s per control step instead of
      12 of 1/60 s (still 0.2 s), and at most 20 constraint-solver iterations per physics step
      instead of Bullet's 50 (``envs.physics.PHYSICS_V1``). What makes each season itself
      (braking distance on ice against grass, drift in the wind, crossing times, leaf-pile drag,
      stems and obstacles that stop the rover) is checked against v0's numbers in
      ``tests/envs/test_season_character.py``. Its reference of normalized return is a new
      gardener (``envs.planning_gardener.PlanningGardener``: plans the order of its plants, brakes for
      the ground, sprays from farther away and on the move), and reference returns are cached per
      version. Season YAML files are unchanged and load in both versions.
    - v0: initial release. The default seasons have been redesigned since, on dated revisions
      listed in ``docs/history.md``; normalized returns are keyed by a season's content, so they
      follow every revision.
    """

    metadata: dict[str, Any] = {"render_modes": ["human", "rgb_array"], "render_fps": 5}  # noqa: RUF012 (typed as gym.Env types it; the env copies it per instance)

    def __init__(
        self,
        season: str | SeasonSpec = "spring",
        render_mode: str | None = None,
        observe_season: bool = False,
        max_seasons: int = MAX_SEASONS,
        season_index: int | None = None,
        plant_slots: int = 6,
        action_repeat: int | None = None,
        time_step: float | None = None,
        render_width: int = 480,
        render_height: int = 360,
        version: int = 0,
        physics: PhysicsSettings | None = None,
    ) -> None:
        self.spec_season = resolve_season(season)
        self.season_index = self.spec_season.index if season_index is None else season_index
        settings = physics_settings(version) if physics is None else physics
        action_repeat = settings.substeps if action_repeat is None else action_repeat
        time_step = settings.time_step if time_step is None else time_step
        self._check_arguments(render_mode, observe_season, max_seasons, plant_slots, action_repeat, time_step)
        self.physics = settings.replace(substeps=action_repeat, time_step=time_step)
        self.version = self.physics.version
        self.render_mode = render_mode
        self.observe_season = observe_season
        self.max_seasons = max_seasons
        self.plant_slots = plant_slots
        self.action_repeat = action_repeat
        self.render_width, self.render_height = render_width, render_height
        self.metadata = {**self.metadata, "render_fps": round(1.0 / (time_step * action_repeat))}

        # Without a display (CI, SSH) "human" runs headless and shows nothing, as documented;
        # the CLI's --gui refuses instead, where a user is there to read why.
        gui = render_mode == "human" and display_available()
        self.world = BulletWorld(self.physics, gui=gui)
        self.garden = Garden(self.world, self.spec_season, plant_slots)
        self.rover = Rover(self.world)
        # Snapshot with the rover parked at the start, clear of every obstacle.
        self.rover.place(-1.55, 0.0, 0.0)
        self._snapshot = self.world.save_state()

        self.observation_names = observation_names(plant_slots, observe_season, max_seasons)
        n_obs = len(self.observation_names)
        self.observation_space = spaces.Box(-1.0, 1.0, (n_obs,), np.float32)
        self.action_space = spaces.Box(-1.0, 1.0, (3,), np.float32)
        self._obs = np.zeros(n_obs, dtype=np.float64)
        if observe_season:
            self._obs[n_obs - max_seasons + self.season_index] = 1.0
        self._state = RoverState(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        self._wind = (0.0, 0.0)
        self._steps = 0
        self._needs_reset = True

    def _check_arguments(
        self,
        render_mode: str | None,
        observe_season: bool,
        max_seasons: int,
        plant_slots: int,
        action_repeat: int,
        time_step: float,
    ) -> None:
        """Raise ``ValueError`` naming the first constructor argument out of range."""
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"unknown render_mode {render_mode!r}; valid modes: None, 'human', 'rgb_array'")
        if not isinstance(plant_slots, int) or not 1 <= plant_slots <= 32:
            raise ValueError(f"plant_slots must be an integer in [1, 32], got {plant_slots!r}")
        if self.spec_season.n_plants > plant_slots:
            raise ValueError(
                f"season {self.spec_season.name!r} has {self.spec_season.n_plants} plants but the observation has "
                f"plant_slots={plant_slots}; raise plant_slots or lower thirsty_plants + dormant_plants"
            )
        if not isinstance(max_seasons, int) or max_seasons < 1:
            raise ValueError(f"max_seasons must be a positive integer, got {max_seasons!r}")
        if observe_season and not 0 <= self.season_index < max_seasons:
            raise ValueError(
                f"season index {self.season_index} does not fit max_seasons={max_seasons}; valid indices: 0..{max_seasons - 1}"
            )
        if not isinstance(action_repeat, int) or not 1 <= action_repeat <= 100:
            raise ValueError(f"action_repeat must be an integer in [1, 100], got {action_repeat!r}")
        if not 1e-4 <= time_step <= 0.05:
            raise ValueError(f"time_step must be in [0.0001, 0.05] seconds, got {time_step!r}")

    # ------------------------------------------------------------------ gym API
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        """Start a new day; all randomness comes from ``self.np_random``."""
        super().reset(seed=seed)
        self.world.restore_state(self._snapshot, dynamic_bodies=(self.rover.body,))
        x, y, yaw = self.garden.reset(self.np_random)
        self.rover.place(x, y, yaw)
        self.rover.command(0.0, 0.0)
        self._steps = 0
        self._state = self.rover.read_state()
        self._wind = self.garden.wind()
        self.garden.start_episode(self._state)
        self._needs_reset = False
        return self._observe(), {"season": self.spec_season.name}

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Drive, spray, advance the physics ``action_repeat`` steps and score the step."""
        if self._needs_reset:
            raise gym.error.ResetNeeded("call reset() before step(), and again after an episode ends")
        action = np.asarray(action)
        if action.shape != (3,):
            raise ValueError(f"action must have shape (3,) [left wheel, right wheel, pump], got shape {action.shape}")
        left, right, pump = action.tolist()
        if not (math.isfinite(left) and math.isfinite(right) and math.isfinite(pump)):
            raise ValueError(f"action must be finite, got {[left, right, pump]}")
        self.rover.command(min(1.0, max(-1.0, left)), min(1.0, max(-1.0, right)))
        fx, fy = self.garden.external_force(self._state, self._wind)
        if fx or fy:  # wind and drag, held through the step's physics substeps
            cos, sin = math.cos(self._state.yaw), math.sin(self._state.yaw)
            self.rover.push(cos * fx + sin * fy, -sin * fx + cos * fy)
        self.world.step()
        self._steps += 1
        self._state = self.rover.read_state()
        # Ask the physics for contacts only when a stem or an obstacle is within the rover's reach.
        contacts = (
            {c[2] for c in self.world.contact_points(bodyA=self.rover.body)}
            if self.garden.anything_within_reach(self._state)
            else set()
        )
        events = self.garden.advance(self._state, pump > 0.0, self._wind, contacts)
        self._wind = self.garden.wind()
        terms = reward_terms(events, self.spec_season.rewards)
        reward = float(sum(terms.values()))
        terminated = self.garden.day_done()
        truncated = self._steps >= self.spec_season.episode_steps
        self._needs_reset = terminated or truncated
        info: dict[str, Any] = {"season": self.spec_season.name, "is_success": self.garden.success()}
        info.update(zip(_INFO_KEYS, terms.values(), strict=True))  # terms come in REWARD_TERMS order
        return self._observe(), reward, terminated, truncated, info

    def _observe(self) -> np.ndarray:
        daylight_left = 1.0 - self._steps / self.spec_season.episode_steps
        build_observation(self._obs, self._state, self._wind, self.garden, daylight_left, self.plant_slots)
        return self._obs.astype(np.float32)

    def render(self) -> np.ndarray | None:
        """An RGB frame of the whole garden (``rgb_array``); the GUI draws itself in ``human`` mode."""
        if self.render_mode == "rgb_array":
            return self.world.render(
                self.render_width, self.render_height, target=(0.15, 0.0, 0.0), distance=5.6, yaw=90.0, pitch=-62.0, fov=50.0
            )
        return None

    def close(self) -> None:
        """Release the physics client."""
        if hasattr(self, "world"):
            self.world.close()

    # ------------------------------------------------------------------ privileged state
    @property
    def state(self) -> RoverState:
        """The rover's state after the last reset or step (world frame), for scripted controllers."""
        return self._state

    @property
    def rover_state(self) -> np.ndarray:
        """``[x, y, yaw, vx, vy, yaw_rate]`` of the rover (world frame): :attr:`state` as an array."""
        return np.array(self._state)

    @property
    def wind(self) -> np.ndarray:
        """The wind force acting now (N, world frame)."""
        return np.array(self._wind)
