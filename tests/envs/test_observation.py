"""The observation says what its docstring says: plant slots nearest first, in the robot frame."""

from __future__ import annotations

import math

import numpy as np

from envs.garden_env import GardenWateringEnv


def test_plant_slots_match_the_garden() -> None:
    env = GardenWateringEnv(season="summer")
    obs, _ = env.reset(seed=8)
    values = dict(zip(env.observation_names, obs.tolist(), strict=True))
    x, y, yaw = env.rover_state[:3]
    positions = env.garden.positions
    order = np.argsort(np.hypot(positions[:, 0] - x, positions[:, 1] - y))
    for slot, plant in enumerate(order):
        dx, dy = positions[plant] - (x, y)
        forward = math.cos(yaw) * dx + math.sin(yaw) * dy
        left = -math.sin(yaw) * dx + math.cos(yaw) * dy
        assert math.isclose(values[f"plant{slot}_forward"], forward / 4, abs_tol=1e-6)
        assert math.isclose(values[f"plant{slot}_left"], left / 4, abs_tol=1e-6)
        assert math.isclose(values[f"plant{slot}_distance"], math.hypot(dx, dy) / 4, abs_tol=1e-6)
        bearing = (values[f"plant{slot}_bearing_cos"], values[f"plant{slot}_bearing_sin"])
        assert math.isclose(bearing[0] ** 2 + bearing[1] ** 2, 1.0, abs_tol=1e-5)
        assert math.isclose(values[f"plant{slot}_moisture"], env.garden.moisture[plant], abs_tol=1e-6)
        kind = ("seedling", "bulb", "evergreen")[env.garden.kinds[plant]]
        assert values[f"plant{slot}_kind_{kind}"] == 1.0
    for slot in range(len(order), env.plant_slots):  # empty slots are all zero
        assert values[f"plant{slot}_present"] == 0.0
    env.close()


def test_daylight_runs_out_over_the_day() -> None:
    env = GardenWateringEnv(season="winter")
    obs, _ = env.reset(seed=0)
    index = env.observation_names.index("daylight_left")
    assert obs[index] == 1.0
    for _ in range(25):
        obs, *_ = env.step(np.zeros(3, dtype=np.float32))
    assert math.isclose(obs[index], 0.5, abs_tol=1e-6)
    env.close()
