"""Acting without being told the season (issue 18): each progressive run told and not told, and its recognizer.

For each run of ``experiments/configs/grids/agnostic.yaml`` in ``--storage`` (trained by ``evergreen
sweep``: the v1 benchmark's progressive runs), this runs ``evergreen eval DIR --season-agnostic
--fit-recognizer`` unless ``DIR/eval_agnostic`` holds its result already (so the script goes on
where an interrupted one stopped), on the run's own evaluation days. It then writes to ``--out``:

- ``result.json``: per run, A told the season (the run's ``metrics.json``) and not told
  (``eval_agnostic/metrics.json``), and the recognizer's record (``eval_agnostic/recognizer.json``:
  per checkpoint and season, the days, the share named right, the mean step of the day it committed at,
  the seasons named);
- ``report.md``: per method, A told and not told over the seeds, and per season the recognizer's
  accuracy and commit step over every checkpoint that knows the season;
- ``confusion.png``: the final checkpoints' confusion matrices, days summed over the seeds.

``--from-results`` rebuilds the report from ``result.json`` alone (no run folder needed).

Run: ``.venv/bin/python -m experiments.benchmarks.agnostic [--storage runs/v1] [--out docs/agnostic]``.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from agent.components.change_detector import SeasonChangeDetector
from envs.atomic_io import atomic_write_bytes, atomic_write_text
from envs.season_spec import DEFAULT_SEASON_NAMES, season_label
from experiments.pipeline.config import CONFIG_DIR, read_run_config
from experiments.pipeline.run_folder import AGNOSTIC_DIR, RECOGNITION
from experiments.report.compare import confusion_counts, day_mean
from experiments.report.markdown import markdown_table
from experiments.report.plots import confusion_png
from experiments.report.stats import format_spread, seed_spread
from experiments.script_app import ScriptApp
from experiments.sweep.grid import load_grid

GRID = CONFIG_DIR / "grids" / "agnostic.yaml"
DEFAULT_SEASONS = list(DEFAULT_SEASON_NAMES)
A_GAP, ACCURACY, COMMIT_STEPS, USER_ACCURACY, NOVEL, DETECT_STEPS = 0.03, 0.95, 10, 0.9, 0.9, 5_000

app = ScriptApp(__name__, __doc__)


def measure(run_dir: Path) -> dict[str, Any]:
    """Evaluate ``run_dir`` not told the season (unless done before) and collect what the report needs."""
    from experiments.pipeline.agnostic import evaluate_agnostic

    out = run_dir / AGNOSTIC_DIR
    if not (out / RECOGNITION).is_file():
        typer.echo(f"{run_dir.name}: evaluating not told the season (fitting its recognizers)")
        evaluate_agnostic(run_dir, fit=True)
    config = read_run_config(run_dir)
    return {
        "run": run_dir.name,
        "method": config["method"],
        "seed": config["seed"],
        "seasons": config["seasons"],
        "told_A": json.loads((run_dir / "metrics.json").read_text())["average_return"],
        "inferred_A": json.loads((out / "metrics.json").read_text())["average_return"],
        "recognizer": json.loads((out / RECOGNITION).read_text()),
    }


def _days(record: dict[str, Any]) -> list[tuple[bool, int]]:
    """Each day of a recognizer record: judged new, its env steps."""
    return list(zip(record["judged_new"], record["day_steps"], strict=True))


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A markdown table as lines, with a blank line after it."""
    return [*markdown_table(header, rows).splitlines(), ""]


def _told_section(default: list[dict[str, Any]], methods: list[str]) -> list[str]:
    """A told and not told, per method."""
    rows = []
    for method in methods:
        runs = [r for r in default if r["method"] == method]
        told, inferred = [r["told_A"] for r in runs], [r["inferred_A"] for r in runs]
        gap = float(np.mean(told) - np.mean(inferred))
        rows.append(
            [method, str(len(runs)), format_spread(seed_spread(told)), format_spread(seed_spread(inferred)), f"{gap:+.3f}"]
        )
    lines = [f"A told the season (oracle) and not told (inferred); target: inferred within {A_GAP} of oracle.", ""]
    return lines + _table(["method", "seeds", "A told", "A not told", "told − not told"], rows)


def _recognizer_section(default: list[dict[str, Any]], methods: list[str], out: Path) -> list[str]:
    """Accuracy, commit step and false alarms per season; the final checkpoints' confusion (``confusion.png``)."""
    lines = [
        "The recognizer per season: every checkpoint that knows the season and at least one other, days pooled over"
        f" seeds; target: accuracy ≥ {ACCURACY}, committed within {COMMIT_STEPS} steps of the day on average. Judged"
        " new: the share of these days the recognizer flags as of no known season (false alarms).",
        "",
    ]
    rows, confusions = [], {}
    for method in methods:
        records = [rec for r in default if r["method"] == method for rec in r["recognizer"]]
        for season in DEFAULT_SEASONS:
            mine = [rec for rec in records if rec["season"] == season and rec["known"] and len(rec["named"]) > 1]
            days = sum(rec["days"] for rec in mine)
            accuracy, commit, novel = (day_mean(mine, key) for key in ("accuracy", "commit_step", "novel"))
            rows.append([method, season, str(days), f"{accuracy:.3f}", f"{commit:.1f}", f"{novel:.3f}"])
        final = [rec for rec in records if rec["after"] == DEFAULT_SEASONS[-1]]
        confusions[method] = confusion_counts(final, DEFAULT_SEASONS)
    lines += _table(["method", "season", "days", "accuracy", "mean commit step", "judged new"], rows)
    atomic_write_bytes(out / "confusion.png", confusion_png(confusions, DEFAULT_SEASONS))
    lines += ["Confusion of the final checkpoints (days summed over seeds): ![confusion](confusion.png)", ""]
    rows = []
    for method in methods:
        records = [rec for r in default if r["method"] == method for rec in r["recognizer"]]
        for known in (True, False):
            mine = [rec for rec in records if rec["known"] == known]
            days, novel = sum(rec["days"] for rec in mine), day_mean(mine, "novel")
            rows.append([method, "learned" if known else "not learned yet", str(days), f"{novel:.3f}"])
    lines += [
        f"Days judged new (at step {COMMIT_STEPS} of the day), every checkpoint after the first season; target:"
        f" ≥ {NOVEL} of a season not learned yet.",
        "",
    ]
    return lines + _table(["method", "season", "days", "judged new"], rows)


def _detection_section(default: list[dict[str, Any]]) -> list[str]:
    """Each season change replayed through the change detector: false alarms before it, days and steps to detect it."""
    lines = [
        "Noticing a season change, replayed from the evaluation days: the checkpoint trained through a season plays its"
        " days of that season, then days of the next (acting as the season its recognizer names), and the CUSUM"
        " detector (agent/components/change_detector.py) reads the per-day verdicts. Target: every change within"
        f" {DETECT_STEPS:,} env steps, no false alarm before it.",
        "",
    ]
    rows = []
    for r in default:
        for before, after in itertools.pairwise(r["seasons"]):
            alarm, to_detect, delay = _replay_change(r, before, after)
            rows.append([r["method"], str(r["seed"]), f"{before} → {after}", alarm, to_detect, delay])
    return lines + _table(["method", "seed", "change", "false alarm before", "days to detect", "env steps to detect"], rows)


def _replay_change(run: dict[str, Any], before: str, after: str) -> tuple[str, str, str]:
    """The checkpoint after ``before`` plays its days, then ``after``'s: false alarm before, days and steps to detect."""
    record = {rec["season"]: rec for rec in run["recognizer"] if rec["after"] == before}
    detector = SeasonChangeDetector()
    false_alarms = [detector.update(*day) for day in _days(record[before])]
    start = detector.steps
    fired = [detector.update(*day) for day in _days(record[after])]
    alarm = "yes" if any(false_alarms) else "no"
    if not any(fired):
        return alarm, f"> {len(fired)}", f"> {detector.steps - start:,}"
    # The first change declared after the season changed: the learner's new season starts there.
    return alarm, str(fired.index(True) + 1), f"{detector.changes[len(detector.changes) - sum(fired)][1] - start:,}"


def _user_season_section(run: dict[str, Any]) -> list[str]:
    """A run whose last season is the user's own: told apart from spring, and new before it was learned."""
    user_season = run["recognizer"][-1]["season"]
    last, before = (season_label(season) for season in run["seasons"][-1:-3:-1])
    final = [rec for rec in run["recognizer"] if rec["after"] == last and rec["season"] in ("spring", user_season)]
    unseen = [rec for rec in run["recognizer"] if rec["after"] == before and rec["season"] == user_season]
    rows = [[rec["season"], str(rec["days"]), f"{rec['accuracy']:.3f}", str(rec["named"])] for rec in final]
    lines = [f"## A season of the user's own: {user_season} ({run['run']})", ""]
    lines += [f"After {user_season}, the recognizer on spring and {user_season} (target: accuracy ≥ {USER_ACCURACY}):", ""]
    lines += _table(["season", "days", "accuracy", "named"], rows)
    if unseen:
        share, days = unseen[0]["novel"], unseen[0]["days"]
        alarm, to_detect, delay = _replay_change(run, before, user_season)
        lines += [
            f"After {before}, before {user_season} was learned: {share:.2f} of its {days} days judged new"
            f" (target: ≥ {NOVEL}). The change {before} → {user_season} replayed as above: false alarm before"
            f" it: {alarm}; detected after {to_detect} days, {delay} env steps.",
            "",
        ]
    return [*lines, f"A told {run['told_A']:.3f}, not told {run['inferred_A']:.3f}.", ""]


def report(results: list[dict[str, Any]], out: Path) -> str:
    """The markdown report of :func:`measure`'s results (and ``confusion.png`` beside it)."""
    default = [r for r in results if r["seasons"] == DEFAULT_SEASONS]
    methods = list(dict.fromkeys(r["method"] for r in default))
    lines = [
        "# Acting without being told the season",
        "",
        "Regenerate: `.venv/bin/python -m experiments.benchmarks.agnostic`.",
        "",
    ]
    lines += _told_section(default, methods) + _recognizer_section(default, methods, out) + _detection_section(default)
    for run in results:
        if run["seasons"] != DEFAULT_SEASONS:
            lines += _user_season_section(run)
    return "\n".join(lines)


@app.command()
def main(
    storage: Annotated[Path, typer.Option(help="the storage root the grid's runs were trained in")] = Path("runs/v1"),
    out: Annotated[Path, typer.Option(help="where result.json, report.md and confusion.png go")] = Path("docs/agnostic"),
    from_results: Annotated[bool, typer.Option("--from-results", help="rebuild the report from OUT/result.json")] = False,
) -> None:
    """Evaluate the grid's runs not told the season; write the result, the report and the confusion figure."""
    if from_results:
        results = json.loads((out / "result.json").read_text())
    else:
        runs = [storage / run.name for run in load_grid(GRID).runs]
        missing = [str(run) for run in runs if not (run / "metrics.json").is_file()]
        if missing:
            raise ValueError(
                f"runs not finished: {', '.join(missing)}; train them with `evergreen sweep {GRID} --storage {storage}`"
            )
        results = [measure(run) for run in runs]
        out.mkdir(parents=True, exist_ok=True)
        atomic_write_text(out / "result.json", json.dumps(results, indent=1) + "\n")
    text = report(results, out)
    atomic_write_text(out / "report.md", text + "\n")
    typer.echo(text)


if __name__ == "__main__":
    app()
