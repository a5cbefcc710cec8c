"""Forgetting is possible: one PPO policy, told the season, fine-tuned on season A then season B.

For each pair (A, B): 100,000 steps on A, evaluate A; then 100,000 steps on B with the same
network, evaluate A again. The drop in A's normalized return is what a continual learner must
prevent (target: >= 0.3 for at least two pairs). Finished pairs are kept in
``docs/results/forgetting/`` and skipped when the script runs again.

Run: ``.venv/bin/python -m experiments.studies.forgetting [--steps 100000] [--pairs spring:winter ...]``
"""

from __future__ import annotations

import argparse

from envs.normalization import reference_returns
from experiments.studies.ppo_runs import evaluate, load_result, new_ppo, save_result, switch_season, train

BENCHMARK = "forgetting"
DEFAULT_PAIRS = ["spring:winter", "summer:autumn", "autumn:spring", "winter:summer", "winter:spring", "spring:summer"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100_000, help="steps per season")
    parser.add_argument("--pairs", nargs="+", default=DEFAULT_PAIRS, help="first:second season pairs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--episodes", type=int, default=20)
    args = parser.parse_args()
    for pair in args.pairs:
        first, second = pair.split(":")
        name = f"{first}_then_{second}_seed{args.seed}_{args.steps}"
        if load_result(BENCHMARK, name) is not None:
            continue
        model = new_ppo(first, args.seed)
        train(model, args.steps)
        before = evaluate(model, first, args.episodes)
        switch_season(model, second, args.seed + 1)
        train(model, args.steps)
        after = evaluate(model, first, args.episodes)
        learned = evaluate(model, second, args.episodes)
        result = {
            "first": first,
            "second": second,
            "seed": args.seed,
            "steps": args.steps,
            "first_before_return": before["return"],
            "first_after_return": after["return"],
            "second_after_return": learned["return"],
        }
        save_result(BENCHMARK, name, result)
        print(f"{first} -> {second}: {first} {before['normalized']:.2f} -> {after['normalized']:.2f}", flush=True)
    # Normalized when printed, from the raw returns, with the current reference returns.
    print(f"\nFine-tuning one PPO policy (told the season), {args.steps:,} steps per season, seed {args.seed}")
    print("| first → second | first, after first | first, after second | forgetting | second, after second |")
    print("|---|---|---|---|---|")
    for pair in args.pairs:
        first, second = pair.split(":")
        r = load_result(BENCHMARK, f"{first}_then_{second}_seed{args.seed}_{args.steps}")
        first_ref, second_ref = reference_returns(first), reference_returns(second)
        before, after = first_ref.normalize(r["first_before_return"]), first_ref.normalize(r["first_after_return"])
        loss, second_score = before - after, second_ref.normalize(r["second_after_return"])
        print(f"| {first} → {second} | {before:.2f} | {after:.2f} | **{loss:.2f}** | {second_score:.2f} |")


if __name__ == "__main__":
    main()
