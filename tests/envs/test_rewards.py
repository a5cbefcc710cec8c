"""Reward terms are reported in info, sum to the reward, and respond to what happened."""

from __future__ import annotations

import math

import gymnasium as gym
import numpy as np
import pytest

import envs
from envs.gardener import ScriptedGardener
from envs.rewards import REWARD_TERMS


@pytest.mark.parametrize("season", envs.DEFAULT_SEASON_NAMES)
def test_terms_sum_to_reward_and_info_is_small(season: str) -> None:
    env = gym.make("GardenWatering-v0", season=season)
    env.reset(seed=3)
    rng = np.random.default_rng(0)
    for _ in range(200):
        _, reward, terminated, truncated, info = env.step(rng.uniform(-1, 1, 3).astype(np.float32))
        terms = [info[f"reward_{name}"] for name in REWARD_TERMS]
        assert math.isclose(sum(terms), reward, rel_tol=1e-12, abs_tol=1e-12)
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
    from envs.robot import NOZZLE_REACH

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
