"""Forgetting is possible: one PPO policy, told the season, fine-tuned on season A then season B.

For each pair (A, B): 100,000 steps on A, evaluate A; then 100,000 steps on B with the same
network, evaluate A again. The drop in A's normalized return is what a continual learner must
prevent (target: >= 0.3 for at least two pairs). Finished pairs are kept in
``docs/results/forgetting/ENV_ID/ppo-HASH/`` (one folder per PPO set-up)
and skipped when the script runs again; ``--env`` picks the env
version (default the newest).

Run: ``.venv/bin/python -m experiments.studies.forgetting [--env GardenWatering-v1] [--pairs spring:winter,summer:autumn]``
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from agent.core.season_envs import check_env_id
from envs.season_spec import resolve_season
from experiments.report.markdown import markdown_table
from experiments.script_app import ScriptApp, list_option
from experiments.studies.ppo_runs import (
    DEFAULT_ENV_ID,
    evaluate,
    load_result,
    new_ppo,
    normalized,
    save_result,
    switch_season,
    train,
)

BENCHMARK = "forgetting"
DEFAULT_PAIRS = ["spring:winter", "summer:autumn", "autumn:spring", "winter:summer", "winter:spring", "spring:summer"]


def parse_pairs(pairs: list[str]) -> list[tuple[str, str]]:
    """``["spring:winter"]`` -> ``[("spring", "winter")]``; ValueError for a malformed pair or an unknown season."""
    parsed = []
    for pair in pairs:
        first, sep, second = pair.partition(":")
        if not sep or not first or not second or ":" in second:
            raise ValueError(f"--pairs takes first:second season pairs, e.g. spring:winter; got {pair!r}")
        for season in (first, second):
            resolve_season(season)  # ValueError naming the valid seasons
        parsed.append((first, second))
    return parsed


def run_pair(first: str, second: str, steps: int, seed: int, episodes: int, env_id: str) -> dict[str, Any]:
    """Fine-tune one PPO policy on ``first`` then ``second``; the raw returns on both, before and after."""
    model = new_ppo(first, seed, env_id=env_id)
    train(model, steps)
    before = evaluate(model, first, episodes, env_id)
    switch_season(model, second, seed + 1, env_id)
    train(model, steps)
    after = evaluate(model, first, episodes, env_id)
    learned = evaluate(model, second, episodes, env_id)
    print(f"{first} -> {second}: {first} {before['normalized']:.2f} -> {after['normalized']:.2f}", flush=True)
    return {
        "env": env_id,
        "first": first,
        "second": second,
        "seed": seed,
        "steps": steps,
        "first_before_return": before["return"],
        "first_after_return": after["return"],
        "second_after_return": learned["return"],
    }


def pair_name(first: str, second: str, seed: int, steps: int) -> str:
    """The result file's name of one pair (in the env's folder)."""
    return f"{first}_then_{second}_seed{seed}_{steps}"


def forgetting_table(pairs: list[tuple[str, str]], steps: int, seed: int, env_id: str) -> str:
    """The table of finished pairs, normalized from the raw returns with the current reference returns."""
    rows = []
    for first, second in pairs:
        r = load_result(BENCHMARK, env_id, pair_name(first, second, seed, steps))
        assert r is not None  # every pair was run before the table is printed
        before = normalized(first, r["first_before_return"], env_id)
        after = normalized(first, r["first_after_return"], env_id)
        loss, second_score = before - after, normalized(second, r["second_after_return"], env_id)
        rows.append([f"{first} → {second}", f"{before:.2f}", f"{after:.2f}", f"**{loss:.2f}**", f"{second_score:.2f}"])
    header = ["first → second", "first, after first", "first, after second", "forgetting", "second, after second"]
    return markdown_table(header, rows)


app = ScriptApp(__name__, __doc__)


@app.command()
def main(
    steps: Annotated[int, typer.Option(help="steps per season")] = 100_000,
    pairs: Annotated[
        list[str] | None, typer.Option(help="first:second season pairs, comma-separated (default: six pairs)")
    ] = None,
    seed: Annotated[int, typer.Option(help="seed of the first season (the second uses seed + 1)")] = 0,
    episodes: Annotated[int, typer.Option(help="evaluation days")] = 20,
    env: Annotated[str, typer.Option(help="garden env id (a registered id that takes season=)")] = DEFAULT_ENV_ID,
) -> None:
    """Fine-tune one PPO policy on season A then season B, and print how much of A it lost."""
    env_id = check_env_id(env)  # ValueError naming the valid ids
    season_pairs = parse_pairs(list_option(pairs, DEFAULT_PAIRS))
    for first, second in season_pairs:
        name = pair_name(first, second, seed, steps)
        if load_result(BENCHMARK, env_id, name) is None:
            save_result(BENCHMARK, env_id, name, run_pair(first, second, steps, seed, episodes, env_id))
    print(f"\n{env_id}: fine-tuning one PPO policy (told the season), {steps:,} steps per season, seed {seed}")
    print(forgetting_table(season_pairs, steps, seed, env_id))


if __name__ == "__main__":
    app()
