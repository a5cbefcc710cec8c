"""Each reward term is its season weight times what happened in the step, and is reported in info."""

from __future__ import annotations

import math

import gymnasium as gym
import numpy as np
import pytest

import envs
from envs.garden import MOISTURE_THRESHOLD, Garden, StepEvents
from envs.garden_env import GardenWateringEnv
from envs.gardener import ScriptedGardener
from envs.rewards import REWARD_TERMS, reward_terms
from envs.robot import NOZZLE_REACH, RoverState
from envs.season_spec import RewardWeights

#: Weights that differ from each other, so a term paid with another term's weight shows.
WEIGHTS = RewardWeights(watered=1.5, progress=2.5, damage=3.5, trample=4.5, collision=0.25, time=0.03, energy=0.05)


def test_each_term_is_its_weight_times_its_event() -> None:
    busy = StepEvents(watered=2, damaged=1, trampled=3, progress=0.25, collided=True, pumped=True)
    assert reward_terms(busy, WEIGHTS) == {
        "watered": 1.5 * 2,
        "progress": 2.5 * 0.25,
        "damage": -3.5 * 1,
        "trample": -4.5 * 3,
        "collision": -0.25,
        "time": -0.03,
        "energy": -0.05,
    }
    quiet = StepEvents(watered=0, damaged=0, trampled=0, progress=-0.1, collided=False, pumped=False)
    assert reward_terms(quiet, WEIGHTS) == {
        "watered": 0.0,
        "progress": 2.5 * -0.1,
        "damage": 0.0,
        "trample": 0.0,
        "collision": 0.0,
        "time": -0.03,
        "energy": 0.0,
    }
    assert tuple(reward_terms(quiet, WEIGHTS)) == REWARD_TERMS


def _weighted_env(season: str, **changes: object) -> GardenWateringEnv:
    return GardenWateringEnv(season=envs.default_season(season).replace(rewards=WEIGHTS, **changes))


def _needy_distance(garden: Garden, needy: np.ndarray, state: RoverState) -> float:
    """Distance from the nozzle to the nearest plant in ``needy``, computed from the definitions."""
    nozzle = np.array([state.x + NOZZLE_REACH * math.cos(state.yaw), state.y + NOZZLE_REACH * math.sin(state.yaw)])
    return float(np.min(np.hypot(*(garden.positions[needy] - nozzle).T)))


def test_time_progress_and_energy_on_a_drive_towards_a_plant() -> None:
    env = _weighted_env("spring", rain_rate=0.0)  # no rain: the set of needy plants holds still
    env.reset(seed=2)
    garden = env.garden
    needy = garden.alive & garden.thirsty & (garden.moisture < MOISTURE_THRESHOLD)
    for action in ([0.6, 0.6, -1.0], [0.6, 0.4, 1.0], [0.0, 0.0, -1.0]):
        before = _needy_distance(garden, needy, env.state)
        _, reward, _, _, info = env.step(np.array(action, dtype=np.float32))
        after = _needy_distance(garden, needy, env.state)
        assert math.isclose(info["reward_progress"], WEIGHTS.progress * (before - after), rel_tol=1e-9, abs_tol=1e-12)
        assert info["reward_time"] == -WEIGHTS.time
        assert info["reward_energy"] == (-WEIGHTS.energy if action[2] > 0 else 0.0)
        assert info["reward_collision"] == info["reward_trample"] == 0.0
        assert math.isclose(reward, sum(info[f"reward_{name}"] for name in REWARD_TERMS), rel_tol=1e-12, abs_tol=1e-12)
    assert info["reward_progress"] != 0.0  # the rover moved, so the check above had something to compare
    env.close()


def test_watering_a_thirsty_plant_pays_the_watered_weight_once() -> None:
    env = _weighted_env("spring", rain_rate=0.0)
    env.reset(seed=4)
    garden = env.garden
    plant = int(np.flatnonzero(garden.thirsty)[0])
    px, py = garden.positions[plant]
    env.rover.place(px - NOZZLE_REACH, py, 0.0)
    env._state = env.rover.read_state()
    _, _, _, _, info = env.step(np.array([0.0, 0.0, 1.0], dtype=np.float32))
    assert info["reward_watered"] == WEIGHTS.watered
    assert info["reward_energy"] == -WEIGHTS.energy and info["reward_damage"] == 0.0
    _, _, _, _, info = env.step(np.array([0.0, 0.0, 1.0], dtype=np.float32))
    assert info["reward_watered"] == 0.0  # already wet: nothing more to pay
    env.close()


def test_touching_an_obstacle_costs_the_collision_weight_per_step() -> None:
    env = _weighted_env("winter", thirsty_plants=1, dormant_plants=0, wind_mean=0.0, wind_gust=0.0)
    env.reset(seed=0)
    drift = env.garden.scene.solid_obstacles[2]  # the drift at x = 1.2 across the garden's middle
    env.rover.place(0.7, 0.0, 0.0)
    env._state = env.rover.read_state()
    touched = []
    for _ in range(10):
        _, _, terminated, truncated, info = env.step(np.array([0.5, 0.5, -1.0], dtype=np.float32))
        touching = bool(env.world.contact_points(bodyA=env.rover.body, bodyB=drift))
        assert info["reward_collision"] == (-WEIGHTS.collision if touching else 0.0)
        touched.append(touching)
        if terminated or truncated:
            break
    assert any(touched)
    env.close()


@pytest.mark.parametrize("season", envs.DEFAULT_SEASON_NAMES)
def test_info_holds_every_term_as_a_scalar(season: str) -> None:
    env = gym.make("GardenWatering-v0", season=season)
    env.reset(seed=3)
    rng = np.random.default_rng(0)
    for _ in range(100):
        _, _, terminated, truncated, info = env.step(rng.uniform(-1, 1, 3).astype(np.float32))
        assert set(info) == {"season", "is_success", *(f"reward_{name}" for name in REWARD_TERMS)}
        assert info["season"] == season and isinstance(info["is_success"], bool)
        # Scalars only: SB3's vec envs deep-copy info every step.
        assert all(isinstance(v, (bool, int, float, str)) for v in info.values())
        if terminated or truncated:
            env.reset()
    env.close()


def test_gardener_day_pays_watering_and_succeeds() -> None:
    env = gym.make("GardenWatering-v0", season="spring")
    gardener = ScriptedGardener("spring")
    env.reset(seed=11)
    totals = dict.fromkeys(REWARD_TERMS, 0.0)
    done = False
    while not done:
        _, _, terminated, truncated, info = env.step(gardener.act(env.unwrapped))
        for name in REWARD_TERMS:
            totals[name] += info[f"reward_{name}"]
        done = terminated or truncated
    assert terminated and info["is_success"]
    assert totals["watered"] == envs.default_season("spring").thirsty_plants
    assert totals["progress"] > 0 and totals["damage"] == 0 and totals["trample"] == 0
    env.close()


def test_watering_a_dormant_plant_is_damage() -> None:
    env = gym.make("GardenWatering-v0", season="winter")
    env.reset(seed=5)
    garden = env.unwrapped.garden
    dormant = int(np.flatnonzero(~garden.thirsty)[0])
    # Park the rover so its nozzle aims at the dormant plant, then spray.
    px, py = garden.positions[dormant]
    env.unwrapped.rover.place(px - NOZZLE_REACH, py, 0.0)
    env.unwrapped._state = env.unwrapped.rover.read_state()
    _, _, _, _, info = env.step(np.array([0.0, 0.0, 1.0], dtype=np.float32))
    assert info["reward_damage"] == -envs.default_season("winter").rewards.damage
    assert garden.damaged[dormant]
    _, _, _, _, info = env.step(np.array([0.0, 0.0, 1.0], dtype=np.float32))
    assert info["reward_damage"] == 0.0  # frost damage is paid once per plant
    env.close()


def test_driving_into_a_plant_runs_it_over() -> None:
    env = gym.make("GardenWatering-v0", season="spring")
    env.reset(seed=5)
    unwrapped = env.unwrapped
    garden = unwrapped.garden
    px, py = garden.positions[0]
    unwrapped.rover.place(px - 0.6, py, 0.0)
    unwrapped._state = unwrapped.rover.read_state()
    trampled = 0.0
    for _ in range(15):
        _, _, terminated, truncated, info = env.step(np.array([1.0, 1.0, -1.0], dtype=np.float32))
        trampled += info["reward_trample"]
        if terminated or truncated:
            break
    assert trampled == -1.0
    assert not garden.alive[0]
    env.close()
