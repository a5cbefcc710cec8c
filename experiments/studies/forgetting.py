"""Forgetting is possible: one PPO policy, told the season, fine-tuned on season A then season B.

For each pair (A, B): 100,000 steps on A, evaluate A; then 100,000 steps on B with the same
network, evaluate A again. The drop in A's normalized return is what a continual learner must
prevent (target: >= 0.3 for at least two pairs). Finished pairs are kept in
``docs/results/forgetting/`` and skipped when the script runs again.

Run: ``.venv/bin/python -m experiments.studies.forgetting [--steps 100000] [--pairs spring:winter,summer:autumn]``
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from envs.normalization import reference_returns
from envs.season_spec import resolve_season
from experiments.report.markdown import markdown_table
from experiments.script_app import ScriptApp, list_option
from experiments.studies.ppo_runs import evaluate, load_result, new_ppo, save_result, switch_season, train

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


def run_pair(first: str, second: str, steps: int, seed: int, episodes: int) -> dict[str, Any]:
    """Fine-tune one PPO policy on ``first`` then ``second``; the raw returns on both, before and after."""
    model = new_ppo(first, seed)
    train(model, steps)
    before = evaluate(model, first, episodes)
    switch_season(model, second, seed + 1)
    train(model, steps)
    after = evaluate(model, first, episodes)
    learned = evaluate(model, second, episodes)
    print(f"{first} -> {second}: {first} {before['normalized']:.2f} -> {after['normalized']:.2f}", flush=True)
    return {
        "first": first,
        "second": second,
        "seed": seed,
        "steps": steps,
        "first_before_return": before["return"],
        "first_after_return": after["return"],
        "second_after_return": learned["return"],
    }


def forgetting_table(pairs: list[tuple[str, str]], steps: int, seed: int) -> str:
    """The table of finished pairs, normalized from the raw returns with the current reference returns."""
    rows = []
    for first, second in pairs:
        r = load_result(BENCHMARK, f"{first}_then_{second}_seed{seed}_{steps}")
        assert r is not None  # every pair was run before the table is printed
        first_ref, second_ref = reference_returns(first), reference_returns(second)
        before, after = first_ref.normalize(r["first_before_return"]), first_ref.normalize(r["first_after_return"])
        loss, second_score = before - after, second_ref.normalize(r["second_after_return"])
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
) -> None:
    """Fine-tune one PPO policy on season A then season B, and print how much of A it lost."""
    season_pairs = parse_pairs(list_option(pairs, DEFAULT_PAIRS))
    for first, second in season_pairs:
        name = f"{first}_then_{second}_seed{seed}_{steps}"
        if load_result(BENCHMARK, name) is None:
            save_result(BENCHMARK, name, run_pair(first, second, steps, seed, episodes))
    print(f"\nFine-tuning one PPO policy (told the season), {steps:,} steps per season, seed {seed}")
    print(forgetting_table(season_pairs, steps, seed))


if __name__ == "__main__":
    app()
