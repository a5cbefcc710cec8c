"""Day outcomes: how PPO from scratch and the scripted gardener end each day of a season.

A normalized return says how far a policy is from the gardener, not what goes wrong. For one season
this study trains PPO from scratch as the learnability study does (``new_ppo(season, seed)``,
``--steps`` env steps, each seed) and plays it (deterministic actions) and the env version's
scripted gardener on the same ``--days`` successive days of one env seeded 10,000 (the study's
evaluation days first). For every day it records: every thirsty plant watered (success), how many
thirsty plants were watered, dry plants watered (frost damage in winter, rot otherwise), plants
run over, steps touching an obstacle, and whether dusk ended the day. Finished runs are kept in
``docs/results/day_outcomes/ENV_ID/ppo-HASH/`` and skipped.

Run: ``.venv/bin/python -m experiments.studies.day_outcomes [--season winter] [--seeds 0,1,2] [--days 100]``
(``--shaping path``: PPO trained with shaping by the path around obstacles, its runs in their own folder).
"""

from __future__ import annotations

from typing import Annotated, Any, cast

import gymnasium as gym
import numpy as np
import typer

import envs
from agent.core.season_envs import check_env_id
from envs.garden_env import GardenWateringEnv
from envs.gardeners import make_gardener
from envs.rollout import Act, Step, rollout
from experiments.pipeline.evaluation import EVAL_SEED
from experiments.report.markdown import markdown_table
from experiments.script_app import ScriptApp, ints_option
from experiments.studies.ppo_runs import DEFAULT_ENV_ID, load_result, new_ppo, ppo_setup, save_result, train

BENCHMARK = "day_outcomes"
#: A day's counts, in the table's order, with their column names.
COUNTS = {
    "thirsty_watered": "thirsty plants watered",
    "dry_watered": "dry plants watered",
    "run_over": "plants run over",
    "obstacle_steps": "steps touching an obstacle",
}


def play_days(act: Act, season: str, days: int, env_id: str) -> list[dict[str, Any]]:
    """Each day's outcome for ``act`` on ``days`` successive days of ``season`` (one env seeded ``EVAL_SEED``)."""
    env = gym.make(env_id, season=season, observe_season=True)
    weights = cast(GardenWateringEnv, env.unwrapped).spec_season.rewards
    outcomes = []
    for day in range(days):
        counts = dict.fromkeys(COUNTS, 0)

        def count(step: Step, counts: dict[str, int] = counts) -> None:
            if step.steps == 0:
                return
            info = step.info
            counts["thirsty_watered"] += round(info["reward_watered"] / weights.watered) if weights.watered else 0
            counts["dry_watered"] += round(-info["reward_damage"] / weights.damage) if weights.damage else 0
            counts["run_over"] += round(-info["reward_trample"] / weights.trample) if weights.trample else 0
            counts["obstacle_steps"] += int(info["reward_collision"] < 0.0)

        episode = rollout(env, act, EVAL_SEED if day == 0 else None, on_step=count)
        outcomes.append({"success": episode.success, "dusk": episode.truncated, "steps": episode.steps, **counts})
    env.close()
    return outcomes


def gardener_outcomes(season: str, days: int, env_id: str) -> dict[str, Any]:
    """The version's scripted gardener's days (the stored result if there is one)."""
    name = f"{season}_gardener_days{days}"
    if (result := load_result(BENCHMARK, env_id, name)) is not None:
        return result
    gardener = make_gardener(season, envs.env_version(env_id))
    result = {
        "env": env_id,
        "season": season,
        "who": "gardener",
        "days": play_days(lambda env, _: gardener.act(env), season, days, env_id),
    }
    save_result(BENCHMARK, env_id, name, result)
    return result


def ppo_outcomes(
    season: str, seed: int, steps: int, days: int, env_id: str, setup: dict[str, Any] | None = None
) -> dict[str, Any]:
    """PPO from scratch with ``seed``, trained and played (the stored result if there is one).

    ``setup``: the PPO set-up (:func:`experiments.studies.ppo_runs.ppo_setup`; default the project's defaults).
    """
    name = f"{season}_seed{seed}_{steps}_days{days}"
    if (result := load_result(BENCHMARK, env_id, name, setup)) is not None:
        return result
    model = new_ppo(season, seed, setup, env_id=env_id)
    train(model, steps)
    days_played = play_days(lambda _, obs: model.predict(obs, deterministic=True)[0], season, days, env_id)
    result = {"env": env_id, "season": season, "who": f"PPO seed {seed}", "seed": seed, "steps": steps, "days": days_played}
    save_result(BENCHMARK, env_id, name, result, setup)
    print(f"{season} seed {seed}: success on {np.mean([d['success'] for d in days_played]):.0%} of {days} days", flush=True)
    return result


def outcome_row(result: dict[str, Any]) -> list[str]:
    """One table row: the share of days with each outcome and the mean counts per day."""
    days = result["days"]

    def share(key: str) -> str:
        return f"{np.mean([bool(d[key]) for d in days]):.0%}"

    means = [f"{np.mean([d[key] for d in days]):.2f}" for key in COUNTS]
    return [result["who"], str(len(days)), share("success"), *means, share("dusk")]


app = ScriptApp(__name__, __doc__)


@app.command()
def main(
    season: Annotated[str, typer.Option(help="a default season")] = "winter",
    seeds: Annotated[list[str] | None, typer.Option(help="PPO seeds, comma-separated (default 0,1,2)")] = None,
    steps: Annotated[int, typer.Option(help="env steps of PPO training")] = 100_000,
    days: Annotated[int, typer.Option(help="successive days played")] = 100,
    env: Annotated[str, typer.Option(help="garden env id")] = DEFAULT_ENV_ID,
    shaping: Annotated[str, typer.Option(help="PPO's training-time shaping over the env's reward: none or path")] = "none",
) -> None:
    """Train PPO from scratch per seed; print how it and the gardener end each day."""
    setup = ppo_setup(shaping=shaping)  # ValueError naming the valid shapings
    envs.default_season(season)  # ValueError naming the valid seasons
    env_id = check_env_id(env)
    seed_values = ints_option(seeds, "--seeds", [0, 1, 2])
    if steps < 1 or days < 1:
        raise ValueError(f"--steps and --days must be >= 1, got {steps} and {days}")
    results = [gardener_outcomes(season, days, env_id)]
    results += [ppo_outcomes(season, s, steps, days, env_id, setup) for s in seed_values]
    trained = ", trained with shaping by the path around obstacles" if shaping == "path" else ""
    print(f"\n{env_id} {season}: {days} successive days from seed {EVAL_SEED}; PPO from scratch{trained}, {steps:,} steps")
    header = ["who", "days", "success", *(f"{c} per day" for c in COUNTS.values()), "ended at dusk"]
    print(markdown_table(header, [outcome_row(r) for r in results]))


if __name__ == "__main__":
    app()
