"""What makes each season itself, measured in every env version: the numbers behind tests/envs/test_season_character.py.

Scripted manoeuvres in the env itself (``envs.season_character``): braking distance after a full-
speed stop per season (and ice over grass), steps to cross 2.4 m from rest per season, drift off
the line across autumn's gusts (and without wind), how far the rover gets from rest inside a leaf
pile against the same ground without one, how far it gets into a snow drift and a bush (its
centre's gap to the face; negative: it stopped short) and for how many steps it touched them, and
the stems run over when driving at one.

Run: ``.venv/bin/python -m experiments.benchmarks.season_character`` (a few seconds). Writes
``docs/results/season_character/result.json``; ``--report`` prints the table again from it.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

import typer

import envs
from envs.atomic_io import atomic_write_json
from envs.season_character import season_character
from experiments import RESULTS
from experiments.benchmarks import stored_result
from experiments.report.markdown import markdown_table
from experiments.script_app import ScriptApp

RESULT = RESULTS / "season_character" / "result.json"


def report(result: dict[str, Any]) -> None:
    """Print one row per number, one column per version."""
    versions = sorted(result["versions"])
    names = list(result["versions"][versions[0]])
    rows = [[name, *(f"{result['versions'][v][name]:.3g}" for v in versions)] for name in names]
    print(markdown_table(["number", *versions], rows))


app = ScriptApp(__name__, __doc__)


@app.command()
def main(
    report_only: Annotated[bool, typer.Option("--report", help=f"print the table from {RESULT} without measuring")] = False,
) -> None:
    """Measure the season-character numbers of every env version."""
    if report_only:
        report(stored_result(RESULT))
        return
    result: dict[str, Any] = {"versions": {f"v{v}": season_character(v) for v in envs.ENV_VERSIONS}}
    result |= {"command": "python -m experiments.benchmarks.season_character", "date": datetime.date.today().isoformat()}
    atomic_write_json(RESULT, result)
    print(f"Wrote {RESULT}")
    report(result)


if __name__ == "__main__":
    app()
