"""rollout: one episode, the same as stepping by hand, with a per-step hook and an early stop."""

from __future__ import annotations

import gymnasium as gym
import numpy as np

import envs
from envs.gardener import ScriptedGardener
from envs.rollout import Episode, Step, rollout


def _by_hand(env: gym.Env, gardener: ScriptedGardener, seed: int | None) -> tuple[float, int, dict]:
    env.reset(seed=seed)
    total, steps, done, info = 0.0, 0, False, {}
    while not done:
        _, reward, terminated, truncated, info = env.step(gardener.act(env.unwrapped))
        total += reward
        steps += 1
        done = terminated or truncated
    return total, steps, info


def test_rollout_plays_the_same_day_as_a_loop_by_hand() -> None:
    env = gym.make("GardenWatering-v0", season="spring")
    gardener = ScriptedGardener("spring")
    expected = _by_hand(env, gardener, seed=11)
    episode = rollout(env, lambda e, obs: gardener.act(e), seed=11)
    assert isinstance(episode, Episode)
    assert (episode.episode_return, episode.steps, episode.info) == expected
    assert episode.success and episode.terminated and not episode.truncated  # the gardener waters a spring day
    env.close()


def test_seed_none_continues_with_the_next_day() -> None:
    first, second = gym.make("GardenWatering-v0", season="winter"), gym.make("GardenWatering-v0", season="winter")
    gardener = ScriptedGardener("winter")
    expected = [_by_hand(first, gardener, seed) for seed in (5, None, None)]
    observed = [rollout(second, lambda e, obs: gardener.act(e), seed) for seed in (5, None, None)]
    assert [(e.episode_return, e.steps) for e in observed] == [(r, n) for r, n, _ in expected]
    first.close()
    second.close()


def test_on_step_sees_the_reset_and_every_step() -> None:
    env = gym.make("GardenWatering-v0", season="autumn", render_mode="rgb_array", render_width=32, render_height=24)
    rng = np.random.default_rng(0)
    seen: list[Step] = []
    frames: list[np.ndarray] = []

    def record(step: Step) -> None:
        seen.append(step)
        frames.append(env.render())

    episode = rollout(env, lambda e, obs: rng.uniform(-1, 1, 3).astype(np.float32), seed=3, on_step=record)
    assert [s.steps for s in seen] == list(range(episode.steps + 1))
    assert seen[0].reward == 0.0 and seen[0].episode_return == 0.0 and seen[0].info == {"season": "autumn"}
    assert np.cumsum([s.reward for s in seen])[-1] == episode.episode_return == seen[-1].episode_return
    assert seen[-1].info is episode.info
    assert len(frames) == episode.steps + 1 and frames[0].shape == (24, 32, 3)
    assert episode.truncated and episode.steps == envs.default_season("autumn").episode_steps
    env.close()


def test_max_steps_stops_the_episode_early() -> None:
    env = gym.make("GardenWatering-v0", season="summer")
    episode = rollout(env, lambda e, obs: np.zeros(3, dtype=np.float32), seed=0, max_steps=4)
    assert episode.steps == 4 and not episode.terminated and not episode.truncated and not episode.success
    nothing = rollout(env, lambda e, obs: np.zeros(3, dtype=np.float32), seed=0, max_steps=0)
    assert nothing.steps == 0 and nothing.episode_return == 0.0 and nothing.info == {"season": "summer"}
    env.close()
