"""Path shaping: potential-based, zero in open ground, the env's own reward kept for everything reported."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from stable_baselines3.common.monitor import Monitor

import envs  # noqa: F401  (registers the ids)
from agent.components.path_shaping import PathShaping
from agent.core.season_envs import season_vec_env
from envs.garden_grid import GardenGrid
from envs.gardeners import make_gardener


def test_the_path_lengths_are_the_gardener_grid_s_distance_fields() -> None:
    env = PathShaping(gym.make("GardenWatering-v1", season="winter"), gamma=0.95)
    grid = GardenGrid(0.1)
    blocked = grid.obstacle_mask(env.garden_env.spec_season.obstacles, 0.2, fence=0.0)
    for goal_cell in [(30, 20), (5, 33), (38, 2)]:
        goal = np.zeros_like(blocked)
        goal[goal_cell] = True
        expected = grid.distance_field(goal, blocked, np.ones_like(grid.x))
        np.testing.assert_allclose(env._field(goal_cell), expected, rtol=1e-12)
    env.close()


def test_spring_without_obstacles_is_not_shaped_at_all() -> None:
    env = PathShaping(gym.make("GardenWatering-v1", season="spring"), gamma=0.95)
    raw = gym.make("GardenWatering-v1", season="spring")
    rng = np.random.default_rng(0)
    for seed in range(3):
        env.reset(seed=seed)
        raw.reset(seed=seed)
        done = False
        while not done:
            action = rng.uniform(-1, 1, 3).astype(np.float32)
            _, reward, terminated, truncated, info = env.step(action)
            _, raw_reward, *_ = raw.step(action)
            assert reward == raw_reward and info["reward_path_shaping"] == 0.0
            done = terminated or truncated


def test_winter_s_drifts_shape_the_gardener_s_days_and_the_terms_telescope() -> None:
    env = PathShaping(gym.make("GardenWatering-v1", season="winter"), gamma=1.0)
    gardener = make_gardener("winter", version=1)
    detours = []
    for day in range(6):
        env.reset(seed=10_000 + day)
        start, shaping, done = env.potential(), 0.0, False
        while not done:
            detours.append(env.detour())
            _, reward, terminated, truncated, info = env.step(gardener.act(env.garden_env))
            shaping += info["reward_path_shaping"]
            assert reward == pytest.approx(sum(v for k, v in info.items() if k.startswith("reward_")))
            done = terminated or truncated
        # With gamma 1 the terms add up to the last potential minus the first (0 once nothing needs water).
        assert shaping == pytest.approx(env.potential() - start)
        assert not terminated or env.potential() == 0.0
    assert min(detours) > -1e-9 and max(detours) > 0.1  # a drift stood between the nozzle and a plant


def test_the_monitor_inside_keeps_the_env_s_returns() -> None:
    vec_env = season_vec_env("winter", 2, 0, wrapper=lambda env: PathShaping(env, gamma=0.95))
    wrapped = vec_env.envs[0]
    assert isinstance(wrapped, PathShaping) and isinstance(wrapped.env, Monitor)
    vec_env.close()


def test_bad_input_is_refused() -> None:
    with pytest.raises(TypeError, match="wraps a GardenWatering env"):
        PathShaping(gym.make("CartPole-v1"), gamma=0.95)
    with pytest.raises(ValueError, match=r"gamma must be in \(0, 1\]"):
        PathShaping(gym.make("GardenWatering-v1", season="winter"), gamma=0.0)
