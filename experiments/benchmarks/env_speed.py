"""Env speed: env steps per second next to the raw PyBullet stepping rate of the same world.

For each season, in one process and interleaved over several repeats:

- ``env``: ``gymnasium.make("GardenWatering-v0", season=...)`` (with its standard wrappers)
  stepped with seeded random actions through the project's episode loop (``envs.rollout``), day
  after day (the first seeded 0, each reset timed with the steps);
- ``raw``: the same world (the same bodies, substeps and solver settings) driven by the same
  wheel commands with nothing but the motor command and ``stepSimulation`` per control step,
  restored from the same snapshot at the same day boundaries.

The ratio ``env / raw`` is the share of wall time the physics takes inside the env (target
>= 0.85: the physics dominates). The physics share measured inside the env loop (time spent in
``stepSimulation`` over total time) is printed as a cross-check.

Run: ``.venv/bin/python -m experiments.benchmarks.env_speed [--steps 3000] [--repeats 5]``
"""

from __future__ import annotations

import platform
import statistics
import time
from typing import Annotated

import gymnasium as gym
import numpy as np
import typer

import envs  # imported first: it silences PyBullet's banner
from envs.bullet import pybullet
from envs.garden_env import GardenWateringEnv
from envs.robot import MAX_WHEEL_SPEED, MOTOR_TORQUE
from envs.rollout import rollout
from experiments.script_app import ScriptApp


def env_loop(env: gym.Env, actions: np.ndarray) -> tuple[float, float, list[int]]:
    """Seconds for the env loop, seconds inside stepSimulation, and the steps at which days ended."""
    world = env.unwrapped.world  # type: ignore[attr-defined]
    raw_step = world.step
    physics = 0.0

    def timed_step() -> None:
        nonlocal physics
        start = time.perf_counter()
        raw_step()
        physics += time.perf_counter() - start

    world.step = timed_step
    ends: list[int] = []
    remaining = iter(actions)
    seed: int | None
    try:
        start = time.perf_counter()
        taken, seed = 0, 0
        while taken < len(actions):
            # Day after day through the one episode loop; a day cut short by the last action is not an end.
            day = rollout(env, lambda _env, _obs: next(remaining), seed, max_steps=len(actions) - taken)
            taken += day.steps
            if day.terminated or day.truncated:
                ends.append(taken - 1)
            seed = None  # later days continue the env's random stream
        total = time.perf_counter() - start
    finally:
        world.step = raw_step
    return total, physics, ends


def raw_loop(env: gym.Env, actions: np.ndarray, ends: list[int]) -> float:
    """Seconds to drive the same world with only motor commands and stepSimulation."""
    unwrapped: GardenWateringEnv = env.unwrapped  # type: ignore[assignment]
    world, rover = unwrapped.world, unwrapped.rover
    env.reset(seed=0)
    end_set = set(ends)
    motor, step, body, joints = world.motor_control, world.step, rover.body, rover.wheel_joints

    wheel_targets = (np.clip(actions[:, :2], -1.0, 1.0) * MAX_WHEEL_SPEED).tolist()
    forces = [MOTOR_TORQUE, MOTOR_TORQUE]
    start = time.perf_counter()
    for k, targets in enumerate(wheel_targets):
        motor(body, joints, pybullet.VELOCITY_CONTROL, targetVelocities=targets, forces=forces)
        step()
        if k in end_set:
            world.restore_state(unwrapped._snapshot)
    return time.perf_counter() - start


app = ScriptApp(__name__, __doc__)


@app.command()
def main(
    steps: Annotated[int, typer.Option(help="control steps per measurement")] = 3000,
    repeats: Annotated[int, typer.Option(help="interleaved repeats (the median is reported)")] = 5,
) -> None:
    """Measure env steps per second against the raw PyBullet stepping rate, season by season."""
    if steps < 1 or repeats < 1:
        raise ValueError(f"--steps and --repeats must be >= 1, got {steps} and {repeats}")
    machine = platform.processor() or platform.machine()
    print(
        f"python {platform.python_version()}, pybullet API {pybullet.getAPIVersion()}, gymnasium {gym.__version__}, {machine}"
    )
    print(f"{'season':8s} {'env steps/s':>12s} {'raw steps/s':>12s} {'env/raw':>8s} {'physics share':>14s}")
    ratios = []
    for season in envs.DEFAULT_SEASON_NAMES:
        env = gym.make("GardenWatering-v0", season=season)
        actions = np.random.default_rng(0).uniform(-1.0, 1.0, (steps, 3)).astype(np.float32)
        env_loop(env, actions[:200])  # warm-up
        env_rates, raw_rates, shares = [], [], []
        for _ in range(repeats):
            total, physics, ends = env_loop(env, actions)
            raw = raw_loop(env, actions, ends)
            env_rates.append(steps / total)
            raw_rates.append(steps / raw)
            shares.append(physics / total)
        env_rate, raw_rate = statistics.median(env_rates), statistics.median(raw_rates)
        ratios.append(env_rate / raw_rate)
        print(f"{season:8s} {env_rate:12.0f} {raw_rate:12.0f} {env_rate / raw_rate:8.2f} {statistics.median(shares):14.2f}")
        env.close()
    print(f"env overhead ratio (env/raw), worst season: {min(ratios):.2f}  (target >= 0.85)")


if __name__ == "__main__":
    app()
