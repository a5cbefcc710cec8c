"""Rendering: frame shape and dtype, seasons look different, nothing rendered unless asked."""

from __future__ import annotations

import gymnasium as gym
import numpy as np

import envs


def test_rgb_array_frames() -> None:
    env = gym.make("GardenWatering-v0", season="spring", render_mode="rgb_array", render_width=160, render_height=120)
    env.reset(seed=0)
    frame = env.render()
    assert frame.shape == (120, 160, 3) and frame.dtype == np.uint8
    env.close()


def test_seasons_render_visibly_different() -> None:
    means = {}
    for season in envs.DEFAULT_SEASON_NAMES:
        env = gym.make("GardenWatering-v0", season=season, render_mode="rgb_array", render_width=160, render_height=120)
        env.reset(seed=0)
        means[season] = env.render().reshape(-1, 3).mean(axis=0)
        env.close()
    names = list(means)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            assert np.abs(means[first] - means[second]).max() > 10.0, (first, second)
    assert means["spring"][1] > means["spring"][0]  # green
    assert means["winter"].min() > 150  # white


def test_no_camera_work_unless_asked(monkeypatch) -> None:
    env = gym.make("GardenWatering-v0", season="autumn")
    calls = []
    monkeypatch.setattr(env.unwrapped.world, "render", lambda *a, **k: calls.append(1))
    env.reset(seed=0)
    for _ in range(20):
        env.step(env.action_space.sample())
    assert env.render() is None and calls == []
    env.close()
