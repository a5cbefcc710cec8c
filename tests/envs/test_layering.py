"""panda-gym's layering: only envs/bullet.py talks to PyBullet; the garden, scene and rover go through BulletWorld."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pytest

import envs.garden
import envs.garden_env
import envs.robot
import envs.scene
from envs.bullet import BulletWorld

ABOVE_THE_PHYSICS = (envs.garden, envs.robot, envs.scene, envs.garden_env)


class GuardedClient:
    """A PyBullet client that fails any use from outside ``envs.bullet``."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        caller = sys._getframe(1).f_globals.get("__name__")
        if caller != "envs.bullet":
            raise AssertionError(f"{caller} uses the PyBullet client directly (client.{name})")
        return getattr(self._client, name)


class GuardedWorld(BulletWorld):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = GuardedClient(self.client)  # type: ignore[assignment]


@pytest.mark.parametrize("season", ["summer", "autumn", "winter"])
def test_garden_scene_and_rover_use_the_world_only(season: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(envs.garden_env, "BulletWorld", GuardedWorld)
    env = envs.garden_env.GardenWateringEnv(season=season, render_mode="rgb_array", render_width=32, render_height=24)
    assert isinstance(env.world.client, GuardedClient)
    env.reset(seed=0)
    rng = np.random.default_rng(0)
    for _ in range(60):  # drives, sprays, bumps, resets: every rule that touches a body
        _, _, terminated, truncated, _ = env.step(rng.uniform(-1, 1, 3).astype(np.float32))
        if terminated or truncated:
            env.reset()
    env.render()
    env.close()


@pytest.mark.parametrize("module", ABOVE_THE_PHYSICS, ids=lambda m: m.__name__)
def test_modules_above_the_physics_do_not_import_pybullet(module: object) -> None:
    def from_pybullet(value: object) -> bool:
        origin = value.__name__ if isinstance(value, type(sys)) else getattr(value, "__module__", None)
        return isinstance(origin, str) and origin.startswith("pybullet")

    assert [name for name, value in vars(module).items() if from_pybullet(value)] == []
