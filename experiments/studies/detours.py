"""Detours: how often the straight line to the nearest thirsty plant runs through an obstacle.

The garden's ``progress`` term pays for closing the straight-line distance between the nozzle and
the nearest plant that needs water. Shaping by the path around bushes and snow drifts instead
(potential-based, Ng, Harada & Russell 1999) would change the reward only where that path is
longer than the straight line. For each season this study plays the env version's scripted
gardener and a uniformly random policy on ``--days`` successive days of one env seeded 10,000 and,
after the reset and after every step, measures the detour of
:class:`agent.components.path_shaping.PathShaping`: the path length from the nozzle's cell to the
nearest needy plant's cell on a 10 cm grid around the season's solid obstacles (0.2 m clearance,
the fence left open), minus the same grid's path length without obstacles. It prints the share
of steps and of days with a detour above ``--threshold``. Nothing is trained; it takes about a
minute.

Run: ``.venv/bin/python -m experiments.studies.detours [--seasons winter,summer] [--days 100]``
"""

from __future__ import annotations

from typing import Annotated

import gymnasium as gym
import numpy as np
import typer

import envs
from agent.components.path_shaping import PathShaping
from agent.core.season_envs import check_env_id
from envs.gardeners import make_gardener
from envs.rollout import Act, Step, rollout
from experiments.pipeline.evaluation import EVAL_SEED
from experiments.report.markdown import markdown_table
from experiments.script_app import ScriptApp, list_option
from experiments.studies.ppo_runs import DEFAULT_ENV_ID


def day_detours(act: Act, season: str, days: int, env_id: str) -> list[list[float]]:
    """Each day's detours (m), one per step, for ``act`` on ``days`` successive days of ``season``."""
    env = PathShaping(gym.make(env_id, season=season, observe_season=True), gamma=1.0)
    detours: list[list[float]] = []
    for day in range(days):
        today: list[float] = []

        def measure(_: Step, today: list[float] = today) -> None:
            today.append(env.detour())

        rollout(env, act, EVAL_SEED if day == 0 else None, on_step=measure)
        detours.append(today)
    env.close()
    return detours


def detour_row(who: str, detours: list[list[float]], threshold: float) -> list[str]:
    """One table row: steps and days with a detour above ``threshold``, and the mean detour of those steps."""
    steps = np.concatenate([np.asarray(day, dtype=float) for day in detours])
    long = steps > threshold
    day_share = np.mean([any(d > threshold for d in day) for day in detours])
    mean_long = f"{steps[long].mean():.2f}" if long.any() else "-"
    return [who, str(len(detours)), str(steps.size), f"{long.mean():.1%}", f"{day_share:.0%}", mean_long]


def players(season: str, version: int) -> dict[str, Act]:
    """The env version's scripted gardener and a uniformly random policy (its own seeded RNG)."""
    gardener = make_gardener(season, version)
    rng = np.random.default_rng(0)
    return {
        "gardener": lambda env, _: gardener.act(env),
        "random": lambda _env, _obs: rng.uniform(-1.0, 1.0, 3).astype(np.float32),
    }


app = ScriptApp(__name__, __doc__)


@app.command()
def main(
    seasons: Annotated[list[str] | None, typer.Option(help="default seasons, comma-separated (default: the four)")] = None,
    days: Annotated[int, typer.Option(help="successive days played")] = 100,
    threshold: Annotated[float, typer.Option(help="a detour counts above this many metres")] = 0.05,
    env: Annotated[str, typer.Option(help="garden env id")] = DEFAULT_ENV_ID,
) -> None:
    """Print how often the planned path to the nearest thirsty plant is longer than the straight line."""
    env_id = check_env_id(env)
    names = list_option(seasons, envs.DEFAULT_SEASON_NAMES)
    for name in names:
        envs.default_season(name)  # ValueError naming the valid seasons
    if days < 1 or not threshold > 0:
        raise ValueError(f"--days must be >= 1 and --threshold > 0, got {days} and {threshold}")
    rows = []
    for season in names:
        for who, act in players(season, envs.env_version(env_id)).items():
            rows.append([season, *detour_row(who, day_detours(act, season, days, env_id), threshold)])
    print(f"\n{env_id}: {days} successive days from seed {EVAL_SEED}; detour above {threshold} m")
    header = ["season", "who", "days", "steps", "steps with a detour", "days with a detour", "mean detour on those steps (m)"]
    print(markdown_table(header, rows))


if __name__ == "__main__":
    app()
