"""The rover's state is a named tuple, read from the physics and kept by the env."""

from __future__ import annotations

import math

import numpy as np

from envs.garden_env import GardenWateringEnv
from envs.robot import RoverState


def test_rover_state_fields_in_order() -> None:
    assert RoverState._fields == ("x", "y", "yaw", "vx", "vy", "yaw_rate")
    state = RoverState(1.0, 2.0, 0.5, 0.1, -0.2, 0.3)
    assert tuple(state) == (1.0, 2.0, 0.5, 0.1, -0.2, 0.3)
    assert (state.x, state.y, state.yaw, state.vx, state.vy, state.yaw_rate) == tuple(state)


def test_read_state_after_place_is_the_pose_at_rest() -> None:
    env = GardenWateringEnv(season="spring")
    env.reset(seed=0)
    env.rover.place(0.3, -0.4, 1.0)
    state = env.rover.read_state()
    assert isinstance(state, RoverState)
    assert math.isclose(state.x, 0.3, abs_tol=1e-9) and math.isclose(state.y, -0.4, abs_tol=1e-9)
    assert math.isclose(state.yaw, 1.0, abs_tol=1e-9)
    assert state.vx == state.vy == state.yaw_rate == 0.0
    env.close()


def test_env_state_is_the_last_reading_and_rover_state_its_array() -> None:
    env = GardenWateringEnv(season="autumn")
    env.reset(seed=1)
    for _ in range(3):
        env.step(np.array([0.8, 0.5, -1.0], dtype=np.float32))
    assert isinstance(env.state, RoverState)
    assert env.state == env.rover.read_state()
    assert np.array_equal(env.rover_state, np.array(tuple(env.state)))
    assert env.state.vx != 0.0 or env.state.vy != 0.0  # it drives
    env.close()
