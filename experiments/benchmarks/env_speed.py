"""Env speed: env steps per second of every env version, season by season, measured side by side.

For each season, in one process, the versions take turns (interleaved repeats, the order swapped
every repeat, so a busier machine slows them alike): ``gymnasium.make("GardenWatering-vN",
season=...)`` (with its standard wrappers) stepped with the same seeded random actions through the
project's episode loop (``envs.rollout``), day after day (the first seeded 0, each reset timed
with the steps). The time spent inside ``stepSimulation`` is measured too: its share is how much
of an env step the physics is.

Target (issue 16): v1 >= 2.0x v0 on every season. The median of the repeats is reported.

Run: ``.venv/bin/python -m experiments.benchmarks.env_speed [--steps 3000] [--repeats 5]``
(about 4 minutes; run it on a quiet machine). Writes ``docs/results/env_speed/result.json``;
``--report`` prints the tables again from it without measuring.
"""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import time
from typing import Annotated, Any

import gymnasium as gym
import numpy as np
import typer

import envs  # imported first: it silences PyBullet's banner
from envs.atomic_io import atomic_write_json
from envs.bullet import pybullet
from envs.rollout import rollout
from experiments import RESULTS
from experiments.benchmarks import stored_result
from experiments.report.markdown import markdown_table
from experiments.script_app import ScriptApp

RESULT = RESULTS / "env_speed" / "result.json"
#: Target: the newest version's env steps per second over v0's, on every season.
TARGET = 2.0


def env_loop(env: gym.Env, actions: np.ndarray) -> tuple[float, float]:
    """Seconds for the env loop over ``actions`` and seconds spent inside stepSimulation."""
    world = env.unwrapped.world  # type: ignore[attr-defined]
    raw_step = world.step
    physics = 0.0

    def timed_step() -> None:
        nonlocal physics
        start = time.perf_counter()
        raw_step()
        physics += time.perf_counter() - start

    world.step = timed_step
    remaining = iter(actions)
    seed: int | None
    try:
        start = time.perf_counter()
        taken, seed = 0, 0
        while taken < len(actions):
            # Day after day through the one episode loop.
            day = rollout(env, lambda _env, _obs: next(remaining), seed, max_steps=len(actions) - taken)
            taken += day.steps
            seed = None  # later days continue the env's random stream
        total = time.perf_counter() - start
    finally:
        world.step = raw_step
    return total, physics


def measure(steps: int, repeats: int) -> dict[str, Any]:
    """Env steps per second and physics share of every version on every season (lists over the repeats)."""
    versions = list(envs.ENV_VERSIONS)
    seasons: dict[str, Any] = {}
    actions = np.random.default_rng(0).uniform(-1.0, 1.0, (steps, 3)).astype(np.float32)
    for season in envs.DEFAULT_SEASON_NAMES:
        made = {v: gym.make(envs.generic_env_id(v), season=season) for v in versions}
        for env in made.values():
            env_loop(env, actions[:200])  # warm-up
        rates: dict[int, list[float]] = {v: [] for v in versions}
        shares: dict[int, list[float]] = {v: [] for v in versions}
        for repeat in range(repeats):
            for v in versions if repeat % 2 == 0 else reversed(versions):
                total, physics = env_loop(made[v], actions)
                rates[v].append(steps / total)
                shares[v].append(physics / total)
        for env in made.values():
            env.close()
        seasons[season] = {f"v{v}": {"steps_per_second": rates[v], "physics_share": shares[v]} for v in versions}
        print(f"{season}: " + ", ".join(f"v{v} {statistics.median(rates[v]):.0f} steps/s" for v in versions), flush=True)
    return {"seasons": seasons}


def report(result: dict[str, Any]) -> None:
    """Print the table of medians and the target's verdict from a result."""
    versions = sorted(next(iter(result["seasons"].values())))
    newest, oldest = versions[-1], versions[0]
    header = ["season", *(f"{v} env steps/s" for v in versions), f"{newest} / {oldest}"]
    header += [f"{v} physics share" for v in versions]
    rows, ratios = [], []
    for season, by_version in result["seasons"].items():
        rate = {v: statistics.median(by_version[v]["steps_per_second"]) for v in versions}
        share = {v: statistics.median(by_version[v]["physics_share"]) for v in versions}
        ratios.append(rate[newest] / rate[oldest])
        rows.append(
            [season, *(f"{rate[v]:.0f}" for v in versions), f"**{ratios[-1]:.2f}**", *(f"{share[v]:.2f}" for v in versions)]
        )
    print(f"{result['machine']}; {result['steps']} steps x {result['repeats']} interleaved repeats (median); {result['date']}")
    print(markdown_table(header, rows))
    verdict = "met" if min(ratios) >= TARGET else f"missed by {TARGET - min(ratios):.2f}"
    print(f"\n{newest} / {oldest}, worst season: {min(ratios):.2f} (target >= {TARGET}: {verdict})")


app = ScriptApp(__name__, __doc__)


@app.command()
def main(
    steps: Annotated[int, typer.Option(help="control steps per measurement")] = 3000,
    repeats: Annotated[int, typer.Option(help="interleaved repeats (the median is reported)")] = 5,
    report_only: Annotated[bool, typer.Option("--report", help=f"print the tables from {RESULT} without measuring")] = False,
) -> None:
    """Measure env steps per second of every env version side by side, season by season."""
    if report_only:
        report(stored_result(RESULT))
        return
    if steps < 1 or repeats < 1:
        raise ValueError(f"--steps and --repeats must be >= 1, got {steps} and {repeats}")
    machine = (
        f"python {platform.python_version()}, pybullet API {pybullet.getAPIVersion()}, gymnasium {gym.__version__}, "
        f"{platform.machine()}, {os.cpu_count()} cores"
    )
    print(machine, flush=True)
    result = measure(steps, repeats)
    result |= {
        "command": f"python -m experiments.benchmarks.env_speed --steps {steps} --repeats {repeats}",
        "steps": steps,
        "repeats": repeats,
        "machine": f"{machine}, load average {os.getloadavg()[0]:.1f} at the end",
        "date": datetime.date.today().isoformat(),
    }
    atomic_write_json(RESULT, result)
    print(f"Wrote {RESULT}\n")
    report(result)


if __name__ == "__main__":
    app()
