"""The scripted gardener of every env version on the reference days: is the top of the normalized scale a good gardener?

For each version and default season, the version's gardener (``envs.gardeners.make_gardener``)
plays the 50 fixed days its reference return is measured on (seeds 900000..900049,
``envs.normalization``). Per season: the share of days with every thirsty plant watered
(success), plants that had to stay dry and were watered (frost damage in winter), plants run
over, and the mean return.

The newest gardener also plays winter with longer days (``--winter-days``, default 60 and 70
steps), to tell a day too short from a gardener too slow.

Target (issue 16): on v1, success on >= 90% of the days in every season, no damaged and no run-
over plant on any day.

Run: ``.venv/bin/python -m experiments.benchmarks.gardener_table [--episodes 50]`` (about a
minute). Writes ``docs/results/gardener/result.json`` (``result_seed<N>.json`` for ``--seed N``:
other days than the reference ones); ``--report`` prints the tables again from it.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

import envs
from envs.atomic_io import atomic_write_json
from envs.normalization import REFERENCE_EPISODES, REFERENCE_SEED, gardener_days
from experiments import RESULTS
from experiments.benchmarks import stored_result
from experiments.report.markdown import markdown_table
from experiments.script_app import ScriptApp, ints_option

RESULT = RESULTS / "gardener" / "result.json"


def result_path(seed: int) -> Path:
    """Where the tables of the days from ``seed`` are kept (the reference days: ``RESULT``)."""
    return RESULT if seed == REFERENCE_SEED else RESULT.with_name(f"result_seed{seed}.json")


#: Target on the newest version: the least share of successful days in every season.
TARGET_SUCCESS = 0.9


def measure(episodes: int, winter_days: list[int], seed: int) -> dict[str, Any]:
    """Per version and season: success per day, plants damaged and run over per day, return per day.

    Also the newest version's gardener in winter with a longer day (``winter_days`` control steps),
    to tell a day too short from a gardener too slow.
    """
    result: dict[str, Any] = {}
    for version in envs.ENV_VERSIONS:
        for season in envs.DEFAULT_SEASON_NAMES:
            days = gardener_days(season, episodes=episodes, seed=seed, version=version)
            result.setdefault(f"v{version}", {})[season] = {
                "success": [d.success for d in days],
                "damaged": [d.damaged for d in days],
                "trampled": [d.trampled for d in days],
                "return": [d.episode_return for d in days],
                "steps": [d.steps for d in days],
            }
            failed = [seed + k for k, d in enumerate(days) if not d.success]
            print(f"v{version} {season}: success {np.mean([d.success for d in days]):.2f}, failed days {failed}", flush=True)
    longer: dict[str, list[bool]] = {}
    for steps in winter_days:
        spec = envs.default_season("winter").replace(episode_steps=steps)
        days = gardener_days(spec, episodes=episodes, seed=seed, version=envs.LATEST_VERSION)
        longer[str(steps)] = [d.success for d in days]
    return {"versions": result, "longer_winter": longer}


def report(result: dict[str, Any]) -> None:
    """Print one table per version and the target's verdict from a result."""
    header = ["season", "success", "plants damaged (days)", "plants run over (days)", "mean return", "mean steps"]
    newest = sorted(result["versions"])[-1]
    met = True
    for version, seasons in sorted(result["versions"].items(), reverse=True):
        rows = []
        for season, days in seasons.items():
            success = float(np.mean(days["success"]))
            damaged, trampled = days["damaged"], days["trampled"]
            rows.append(
                [
                    season,
                    f"**{success:.0%}**",
                    f"{sum(damaged)} ({sum(d > 0 for d in damaged)})",
                    f"{sum(trampled)} ({sum(t > 0 for t in trampled)})",
                    f"{np.mean(days['return']):.2f}",
                    f"{np.mean(days['steps']):.1f}",
                ]
            )
            if version == newest:
                met &= success >= TARGET_SUCCESS and sum(damaged) == 0 and sum(trampled) == 0
        episodes = len(next(iter(seasons.values()))["success"])
        print(f"\n{version} gardener, {episodes} days per season (seeds {result['seed']}..)\n{markdown_table(header, rows)}")
    verdict = "met" if met else "missed"
    print(f"\ntarget on {newest}: success >= {TARGET_SUCCESS:.0%} in every season, nothing damaged or run over: {verdict}")
    for steps, success in result.get("longer_winter", {}).items():
        print(f"{newest} gardener in winter with a day of {steps} steps (not 50): success {np.mean(success):.0%}")


app = ScriptApp(__name__, __doc__)


@app.command()
def main(
    episodes: Annotated[int, typer.Option(help="days per season (the reference days: seeds 900000..)")] = REFERENCE_EPISODES,
    winter_days: Annotated[
        list[str] | None, typer.Option(help="longer winter days to try the newest gardener on, comma-separated")
    ] = None,
    seed: Annotated[int, typer.Option(help="seed of the first day (other days than the reference ones)")] = REFERENCE_SEED,
    report_only: Annotated[bool, typer.Option("--report", help=f"print the tables from {RESULT} without measuring")] = False,
) -> None:
    """Play the reference days with every version's gardener and tabulate how it did."""
    path = result_path(seed)
    if report_only:
        report(stored_result(path))
        return
    if episodes < 1:
        raise ValueError(f"--episodes must be >= 1, got {episodes}")
    longer = ints_option(winter_days, "--winter-days", [60, 70])
    result = measure(episodes, longer, seed)
    result |= {
        "command": f"python -m experiments.benchmarks.gardener_table --episodes {episodes} "
        f"--winter-days {','.join(map(str, longer))} --seed {seed}",
        "seed": seed,
        "date": datetime.date.today().isoformat(),
    }
    atomic_write_json(path, result)
    print(f"Wrote {path}")
    report(result)


if __name__ == "__main__":
    app()
