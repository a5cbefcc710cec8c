"""Which physics does the garden need? Candidate settings against v0: speed, and what each season keeps.

Each candidate is a :class:`envs.physics.PhysicsSettings` (every one a control step of 0.2 s).
Speed: env steps per second of the candidate over v0's on each season, with seeded random actions,
each candidate measured right after v0 (the median of the repeats' ratios). Character: a few of the numbers of
``envs.season_character`` (what ``tests/envs/test_season_character.py`` checks), and the worst
change of a season's crossing time against v0.

Run: ``.venv/bin/python -m experiments.benchmarks.physics_settings [--steps 1500] [--repeats 3]``
(about 5 minutes). Writes ``docs/results/physics_settings/result.json``; ``--report`` prints the
table again from it.
"""

from __future__ import annotations

import datetime
import statistics
import time
from typing import Annotated, Any

import numpy as np
import typer

import envs
from envs.atomic_io import atomic_write_json
from envs.garden_env import GardenWateringEnv
from envs.physics import PHYSICS_V0, PHYSICS_V1, PhysicsSettings
from envs.season_character import season_character
from experiments import RESULTS
from experiments.benchmarks import stored_result
from experiments.report.markdown import markdown_table
from experiments.script_app import ScriptApp

RESULT = RESULTS / "physics_settings" / "result.json"

#: The candidates, by the name the table shows.
CANDIDATES: dict[str, PhysicsSettings] = {
    "v0: 12 x 1/60 s, 50 iterations": PHYSICS_V0,
    "12 x 1/60 s, 20 iterations": PHYSICS_V0.replace(solver_iterations=20),
    "12 x 1/60 s, 10 iterations": PHYSICS_V0.replace(solver_iterations=10),
    "6 x 1/30 s, 50 iterations": PHYSICS_V0.replace(substeps=6, time_step=1.0 / 30.0),
    "6 x 1/30 s, 20 iterations": PHYSICS_V0.replace(substeps=6, time_step=1.0 / 30.0, solver_iterations=20),
    "v1: 5 x 1/25 s, 20 iterations": PHYSICS_V1,
    "5 x 1/25 s, 10 iterations": PHYSICS_V1.replace(solver_iterations=10),
    "4 x 1/20 s, 20 iterations": PHYSICS_V1.replace(substeps=4, time_step=1.0 / 20.0),
    "v1 + friction pyramid": PHYSICS_V1.replace(cone_friction=False),
    "v1 + fixed links merged": PHYSICS_V1.replace(merge_fixed_links=True),
}
#: The character numbers the table shows.
SHOWN = ("braking_spring", "braking_winter", "braking_ratio_ice_grass", "gust_drift_autumn", "bush_gap")


def rate(env: GardenWateringEnv, actions: np.ndarray) -> float:
    """Env steps per second over ``actions``, day after day."""
    env.reset(seed=0)
    start = time.perf_counter()
    for action in actions:
        _, _, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            env.reset()
    return len(actions) / (time.perf_counter() - start)


def measure(steps: int, repeats: int) -> dict[str, Any]:
    """Speed over v0 per season and the character numbers of every candidate."""
    actions = np.random.default_rng(0).uniform(-1.0, 1.0, (steps, 3)).astype(np.float32)
    names = list(CANDIDATES)
    speed: dict[str, dict[str, float]] = {name: {} for name in names}
    for season in envs.DEFAULT_SEASON_NAMES:
        made = {name: GardenWateringEnv(season=season, physics=CANDIDATES[name]) for name in names}
        for env in made.values():
            rate(env, actions[:100])  # warm-up
        ratios: dict[str, list[float]] = {name: [] for name in names}
        for _ in range(repeats):
            # Each candidate right after v0, as a ratio: a load that changes over the run affects both alike.
            for name in names[1:]:
                reference = rate(made[names[0]], actions)
                ratios[name].append(rate(made[name], actions) / reference)
        for env in made.values():
            env.close()
        speed[names[0]][season] = 1.0
        for name in names[1:]:
            speed[name][season] = statistics.median(ratios[name])
        print(f"{season}: " + ", ".join(f"{speed[name][season]:.2f}" for name in names), flush=True)
    character = {name: season_character(settings) for name, settings in CANDIDATES.items()}
    return {"speed_over_v0": speed, "character": character}


def report(result: dict[str, Any]) -> None:
    """Print one row per candidate."""
    seasons = list(envs.DEFAULT_SEASON_NAMES)
    v0 = result["character"][next(iter(result["character"]))]
    header = ["settings", *(f"x v0 {s}" for s in seasons), *SHOWN, "worst crossing change"]
    rows = []
    for name, speed in result["speed_over_v0"].items():
        c = result["character"][name]
        crossing = max(abs(c[f"crossing_{s}"] / v0[f"crossing_{s}"] - 1.0) for s in seasons)
        rows.append([name, *(f"{speed[s]:.2f}" for s in seasons), *(f"{c[k]:.3g}" for k in SHOWN), f"{crossing:.1%}"])
    print(f"{result['command']} ({result['date']})")
    print(markdown_table(header, rows))


app = ScriptApp(__name__, __doc__)


@app.command()
def main(
    steps: Annotated[int, typer.Option(help="control steps per speed measurement")] = 1500,
    repeats: Annotated[int, typer.Option(help="interleaved repeats (the median is reported)")] = 3,
    report_only: Annotated[bool, typer.Option("--report", help=f"print the table from {RESULT} without measuring")] = False,
) -> None:
    """Measure every candidate's speed over v0 and its season character."""
    if report_only:
        report(stored_result(RESULT))
        return
    if steps < 1 or repeats < 1:
        raise ValueError(f"--steps and --repeats must be >= 1, got {steps} and {repeats}")
    result = measure(steps, repeats)
    result |= {
        "command": f"python -m experiments.benchmarks.physics_settings --steps {steps} --repeats {repeats}",
        "date": datetime.date.today().isoformat(),
    }
    atomic_write_json(RESULT, result)
    print(f"Wrote {RESULT}")
    report(result)


if __name__ == "__main__":
    app()
