"""Quiet, independent, leak-free envs, and clear errors for bad input."""

from __future__ import annotations

import gc
import subprocess
import sys

import gymnasium as gym
import numpy as np
import psutil
import pytest

from envs.garden_env import GardenWateringEnv

QUIET = """
import envs, gymnasium as gym, numpy as np
for season in envs.DEFAULT_SEASON_NAMES:
    env = gym.make("GardenWatering-v0", season=season, render_mode="rgb_array", render_width=64, render_height=48)
    env.reset(seed=0)
    for _ in range(50):
        env.step(env.action_space.sample())
    env.render()
    env.close()
"""


def test_import_create_reset_step_print_nothing() -> None:
    result = subprocess.run([sys.executable, "-c", QUIET], capture_output=True, text=True, check=True)
    assert result.stdout == "" and result.stderr == ""


def test_two_envs_in_one_process_do_not_interfere() -> None:
    actions = np.random.default_rng(1).uniform(-1, 1, (150, 3)).astype(np.float32)
    alone = gym.make("GardenWatering-v0", season="winter")
    alone.reset(seed=4)
    solo = []
    for a in actions:
        step = alone.step(a)
        solo.append(step[0])
        if step[2] or step[3]:
            alone.reset()
    first = gym.make("GardenWatering-v0", season="winter")
    second = gym.make("GardenWatering-v0", season="summer")
    first.reset(seed=4)
    second.reset(seed=99)
    other = np.random.default_rng(2).uniform(-1, 1, (150, 3)).astype(np.float32)
    paired = []
    for a, b in zip(actions, other, strict=True):
        step = first.step(a)
        paired.append(step[0])
        if step[2] or step[3]:
            first.reset()
        if any(second.step(b)[2:4]):
            second.reset()
    assert np.array_equal(np.array(solo), np.array(paired))
    assert first.unwrapped.world.id != second.unwrapped.world.id
    for env in (alone, first, second):
        env.close()


def test_many_resets_do_not_grow_memory() -> None:
    env = gym.make("GardenWatering-v0", season="summer")
    process = psutil.Process()
    for _ in range(200):  # warm up allocator pools
        env.reset()
    gc.collect()
    before = process.memory_info().rss
    for _ in range(2000):
        env.reset()
        env.step(env.action_space.sample())
    gc.collect()
    grown = (process.memory_info().rss - before) / 2**20
    env.close()
    assert grown < 20.0, f"RSS grew by {grown:.1f} MB over 2,000 resets"


def test_step_before_reset_is_an_error() -> None:
    env = GardenWateringEnv(season="spring")
    with pytest.raises(gym.error.ResetNeeded):
        env.step(np.zeros(3, dtype=np.float32))
    env.close()
    wrapped = gym.make("GardenWatering-v0")
    with pytest.raises(gym.error.ResetNeeded):
        wrapped.step(np.zeros(3, dtype=np.float32))


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (np.array([np.nan, 0.0, 0.0]), "finite"),
        (np.array([0.0, np.inf, 0.0]), "finite"),
        (np.zeros(2), "shape"),
        (np.zeros((1, 3)), "shape"),
    ],
)
def test_bad_actions_raise_and_leave_physics_untouched(action: np.ndarray, message: str) -> None:
    env = GardenWateringEnv(season="autumn")
    env.reset(seed=0)
    before = env.rover_state
    with pytest.raises(ValueError, match=message):
        env.step(action)
    assert np.array_equal(before, env.rover_state)
    assert np.array_equal(before, np.array(env.rover.read_state()))
    env.close()


def test_out_of_range_actions_are_clipped() -> None:
    first, second = GardenWateringEnv(season="spring"), GardenWateringEnv(season="spring")
    first.reset(seed=0)
    second.reset(seed=0)
    a = first.step(np.array([5.0, -7.0, 3.0]))
    b = second.step(np.array([1.0, -1.0, 1.0]))
    assert np.array_equal(a[0], b[0]) and a[1] == b[1]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"render_mode": "video"}, "render_mode"),
        ({"plant_slots": 0}, "plant_slots"),
        ({"action_repeat": 0}, "action_repeat"),
        ({"observe_season": True, "max_seasons": 2, "season": "winter"}, "max_seasons=2"),
    ],
)
def test_bad_constructor_arguments(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        GardenWateringEnv(**kwargs)


def test_human_mode_without_display_runs_headless(monkeypatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    env = gym.make("GardenWatering-v0", render_mode="human")
    env.reset(seed=0)
    env.step(env.action_space.sample())
    assert env.render() is None
    env.close()
