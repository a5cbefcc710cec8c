"""Training speed and action latency of the continual methods, measured side by side in one process.

Every learner first goes through spring, summer and autumn with a short warm-up budget (so
replay holds three seasons of memory, the progressive network three frozen columns, progress &
compress a knowledge base), then trains winter: the timed part. Methods take turns in rounds,
so a slower or busier machine affects them alike; the median of the rounds is reported. Latency
is one action for one observation (``predict``, batch 1), as a robot acts.

Targets (issues 4 and 5): ``replay`` at >= 0.8 of ``finetune``'s env steps per second, and
``progressive`` with 4 columns at >= 0.7 of plain PPO's (``finetune`` is SB3's PPO update bit
for bit).

Run: ``.venv/bin/python -m experiments.benchmarks.speed_methods [--steps 8192] [--rounds 3] [--methods replay,ewc]``
Writes ``docs/results/speed_methods.json``.
"""

from __future__ import annotations

import statistics
import time
from typing import Annotated, Any, cast

import numpy as np
import typer

from agent import ContinualLearner, make_learner
from agent.core.season_envs import season_vec_env
from agent.methods import learner_class
from envs.atomic_io import atomic_write_json
from experiments import RESULTS
from experiments.script_app import ScriptApp, list_option

METHODS = ("finetune", "replay", "ewc", "progressive", "progress-compress")
EARLIER_SEASONS = ("spring", "summer", "autumn")
TIMED_SEASON = "winter"
#: Targets: (method, reference method, minimum ratio of env steps per second).
TARGETS = (("replay", "finetune", 0.8), ("progressive", "finetune", 0.7))


def prepared_learner(method: str, warmup_steps: int) -> ContinualLearner:
    """A learner through the three earlier seasons (short budgets), started on the timed season."""
    learner = make_learner(method, seed=0)
    for season in EARLIER_SEASONS:
        learner.start_season(season)
        learner.learn(warmup_steps)
        learner.end_season()
    learner.start_season(TIMED_SEASON)
    return learner


def steps_per_second(learner: ContinualLearner, steps: int) -> float:
    """Env steps per second of ``learn`` (rollouts and updates, auxiliary losses included)."""
    model = learner.acting_model(TIMED_SEASON)
    before = model.num_timesteps
    start = time.perf_counter()
    learner.learn(steps)
    return (model.num_timesteps - before) / (time.perf_counter() - start)


def action_latency_us(learner: ContinualLearner, calls: int = 2000) -> float:
    """Median microseconds of one deterministic action for one observation."""
    env = season_vec_env(TIMED_SEASON, 1, seed=7)
    obs = cast(np.ndarray, env.reset())
    env.close()
    model = learner.acting_model(TIMED_SEASON)
    for _ in range(100):
        model.predict(obs, deterministic=True)
    timings = []
    for _ in range(calls):
        start = time.perf_counter()
        model.predict(obs, deterministic=True)
        timings.append(time.perf_counter() - start)
    return float(np.median(timings) * 1e6)


def timed_rounds(learners: dict[str, ContinualLearner], steps: int, rounds: int) -> dict[str, list[float]]:
    """Env steps per second of every learner in each round; the methods take turns, starting one later each round."""
    methods = tuple(learners)
    speeds: dict[str, list[float]] = {method: [] for method in methods}
    for round_index in range(rounds):
        order = methods[round_index % len(methods) :] + methods[: round_index % len(methods)]
        for method in order:
            speeds[method].append(steps_per_second(learners[method], steps))
        print(f"round {round_index + 1}: " + ", ".join(f"{m} {speeds[m][-1]:.0f}" for m in methods), flush=True)
    return speeds


def summarize(learners: dict[str, ContinualLearner], speeds: dict[str, list[float]]) -> dict[str, dict[str, Any]]:
    """Print and return each method's median speed, its ratio to ``finetune``, its action latency and size."""
    reference = statistics.median(speeds["finetune"])
    results: dict[str, dict[str, Any]] = {}
    print(f"\n{'method':18s} {'env steps/s':>12s} {'vs finetune':>12s} {'action us':>10s} {'parameters':>11s}")
    for method, learner in learners.items():
        speed = statistics.median(speeds[method])
        latency = action_latency_us(learner)
        parameters = learner.account.total_parameters
        results[method] = {"steps_per_second": speed, "rounds": speeds[method], "ratio": speed / reference}
        results[method] |= {"action_latency_us": latency, "total_parameters": parameters}
        print(f"{method:18s} {speed:12.0f} {speed / reference:12.2f} {latency:10.0f} {parameters:11,d}")
    for method, against, minimum in TARGETS:
        if method not in results:
            continue
        ratio = results[method]["ratio"]
        verdict = "met" if ratio >= minimum else f"missed by {minimum - ratio:.2f}"
        print(f"target {method} >= {minimum} x {against}: {ratio:.2f} ({verdict})")
    if "progress-compress" in learners:
        # After a season is compressed the robot acts with the knowledge base, not the active column.
        learner = learners["progress-compress"]
        learner.end_season()
        results["progress-compress"]["knowledge_base_action_latency_us"] = action_latency_us(learner)
        print(f"progress-compress knowledge base: {results['progress-compress']['knowledge_base_action_latency_us']:.0f} us")
    if "progressive" in learners:
        results["progressive"]["columns"] = learners["progressive"].acting_model(TIMED_SEASON).policy.n_columns
    return results


app = ScriptApp(__name__, __doc__)


@app.command()
def main(
    steps: Annotated[int, typer.Option(help="env steps per timed round")] = 8192,
    rounds: Annotated[int, typer.Option(help="timed rounds (the median is reported)")] = 3,
    warmup_steps: Annotated[int, typer.Option("--warmup-steps", help="env steps of each earlier season")] = 2048,
    methods: Annotated[
        list[str] | None,
        typer.Option(help="methods, comma-separated (default: all five); finetune (the reference) is always in"),
    ] = None,
) -> None:
    """Time the methods' training and action latency side by side; write docs/results/speed_methods.json."""
    names = list_option(methods, METHODS)
    for method in names:
        learner_class(method)  # ValueError naming the valid methods
    for option, value in (("--steps", steps), ("--rounds", rounds), ("--warmup-steps", warmup_steps)):
        if value < 1:
            raise ValueError(f"{option} must be >= 1, got {value}")
    learners = {}
    for method in dict.fromkeys(["finetune", *names]):
        print(f"preparing {method} (three earlier seasons)...", flush=True)
        learners[method] = prepared_learner(method, warmup_steps)
    results = summarize(learners, timed_rounds(learners, steps, rounds))
    atomic_write_json(RESULTS / "speed_methods.json", {"steps_per_round": steps, "rounds": rounds, "methods": results})
    print(f"Wrote {RESULTS / 'speed_methods.json'}")


if __name__ == "__main__":
    app()
