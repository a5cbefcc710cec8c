"""The one episode loop: reset, act, step until the day ends, and add up the reward."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, cast

import gymnasium as gym
import numpy as np

from envs.garden_env import GardenWateringEnv

#: A policy: ``act(env, observation) -> action``; ``env`` is the unwrapped env (privileged
#: controllers such as the scripted gardener read it, learned policies use the observation).
Act = Callable[[GardenWateringEnv, np.ndarray], np.ndarray]


class Step(NamedTuple):
    """Where an episode stands right after its reset (``steps`` 0) or after a step."""

    steps: int
    """Steps taken so far."""
    observation: np.ndarray
    """The observation the policy acts on next."""
    reward: float
    """This step's reward (0.0 right after the reset)."""
    episode_return: float
    """Reward summed over the steps so far."""
    info: dict[str, Any]
    """This step's info (the reset's info at index 0)."""


class Episode(NamedTuple):
    """The outcome of one :func:`rollout`."""

    episode_return: float
    """Sum of the rewards."""
    steps: int
    """Steps taken."""
    success: bool
    """``info["is_success"]`` of the last step (False when there is none)."""
    terminated: bool
    truncated: bool
    """How the episode ended; both False when ``max_steps`` stopped it first."""
    info: dict[str, Any]
    """The last step's info (the reset's info when no step was taken)."""


def rollout(
    env: gym.Env,
    act: Act,
    seed: int | None,
    *,
    max_steps: int | None = None,
    on_step: Callable[[Step], None] | None = None,
) -> Episode:
    """Play one episode of ``env`` with ``act``: reset with ``seed``, step until it terminates or is truncated.

    :param env: the env, wrapped or not; ``act`` receives ``env.unwrapped``.
    :param act: the policy, ``act(env, observation) -> action``.
    :param seed: the reset's seed; None continues the env's random stream (the next day).
    :param max_steps: stop after this many steps even if the episode has not ended.
    :param on_step: called right after the reset and after every step, e.g. to render a frame
        (``env.render()``) or to record observations.
    """
    unwrapped = cast(GardenWateringEnv, env.unwrapped)
    obs, info = env.reset(seed=seed)
    total, steps = 0.0, 0
    terminated = truncated = False
    if on_step is not None:
        on_step(Step(0, obs, 0.0, total, info))
    while not (terminated or truncated) and (max_steps is None or steps < max_steps):
        obs, reward, terminated, truncated, info = env.step(act(unwrapped, obs))
        total += float(reward)
        steps += 1
        if on_step is not None:
            on_step(Step(steps, obs, float(reward), total, info))
    success = steps > 0 and bool(info.get("is_success", False))
    return Episode(total, steps, success, bool(terminated), bool(truncated), info)
