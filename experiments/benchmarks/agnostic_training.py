"""Training without being told when seasons change (issue 18): detection delays, false alarms, and A against told.

For each run of ``experiments/configs/grids/agnostic_training.yaml`` in ``--storage`` (trained by
``evergreen sweep``: ``evergreen train --season-agnostic`` through the four default seasons with the
benchmark set-up), it reads ``detection.json``, the run's A (its return matrix: each row evaluated told
the season, as every run's is), its A not told the season either (``eval_agnostic/metrics.json``),
and the A of the same method and seed trained told the season (the v1 benchmark's archive,
``docs/results/bench-v1``; for a run with a season of the user's own, the run of
``experiments/configs/grids/agnostic.yaml`` in ``--storage`` with the same seasons). It writes to ``--out``:

- ``training.json``: those numbers per run;
- ``training.md``: per run the delay of each change, the false alarms, the days judged new in a
  season already learned, and the A's; then the targets with their verdicts (over the runs of the
  four default seasons, the issue's set-up).

``--from-results`` rebuilds the report from ``training.json`` alone (no run folder needed).

Run: ``.venv/bin/python -m experiments.benchmarks.agnostic_training [--storage runs/v1] [--out docs/agnostic]``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from envs.atomic_io import atomic_write_text
from envs.season_spec import DEFAULT_SEASON_NAMES
from experiments import RESULTS
from experiments.pipeline.config import CONFIG_DIR, read_run_config
from experiments.pipeline.run_folder import AGNOSTIC_DIR, DETECTION, METRICS
from experiments.report.markdown import markdown_table
from experiments.script_app import ScriptApp
from experiments.sweep.grid import load_grid

GRID = CONFIG_DIR / "grids" / "agnostic_training.yaml"
TOLD_ARCHIVE = RESULTS / "bench-v1"
TOLD_GRID = CONFIG_DIR / "grids" / "agnostic.yaml"
DEFAULT_SEASONS = list(DEFAULT_SEASON_NAMES)
DETECT_STEPS, A_GAP = 5_000, 0.05

app = ScriptApp(__name__, __doc__)


def told_twin(config: dict[str, Any], storage: Path, told_archive: Path) -> Path:
    """The run folder of the same method, seed and seasons trained told the season (a run of the agnostic grid).

    The four default seasons' runs are the v1 benchmark's, read from its archive; the others from ``storage``.
    """
    for spec in load_grid(TOLD_GRID).runs:
        if (spec.method, spec.seed, spec.seasons) == (config["method"], config["seed"], config["seasons"]):
            return (told_archive if config["seasons"] == DEFAULT_SEASONS else storage) / spec.name
    raise ValueError(f"no run of {TOLD_GRID} has the seasons {config['seasons']} (method {config['method']})")


def measure(run_dir: Path, told: Path) -> dict[str, Any]:
    """What the report needs of one finished season-agnostic run, and of ``told``, the same run told the season."""
    config = read_run_config(run_dir)
    agnostic = run_dir / AGNOSTIC_DIR / METRICS
    told_config = read_run_config(told)
    differs = sorted(key for key in config if key != "season_agnostic" and told_config.get(key) != config[key])
    if differs:
        raise ValueError(f"{told} is not {run_dir} told the season: their configs differ in {', '.join(differs)}")
    return {
        "run": run_dir.name,
        "method": config["method"],
        "seed": config["seed"],
        "seasons": config["seasons"],
        "detection": json.loads((run_dir / DETECTION).read_text()),
        "A": json.loads((run_dir / METRICS).read_text()).get("average_return"),
        "A_not_told": json.loads(agnostic.read_text())["average_return"] if agnostic.is_file() else None,
        "told_run": told.name,
        "told_A": json.loads((told / METRICS).read_text())["average_return"],
    }


def _a(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def report(results: list[dict[str, Any]]) -> str:
    """The markdown report of :func:`measure`'s results."""
    rows = []
    for r in results:
        detection = r["detection"]
        delays = [f"{c['delay_steps']:,}" if c["delay_steps"] is not None else "missed" for c in detection["changes"]]
        new = detection["days_judged_new_in_season"] / max(detection["days_judged_in_season"], 1)
        # A run with a season of the user's own after the four is named by it.
        label = r["method"] if _of_default_seasons(r) else f"{r['method']}, then {detection['changes'][-1]['to']}"
        cells = [label, str(r["seed"]), " / ".join(delays), str(len(detection["false_alarms"])), f"{new:.3f}"]
        rows.append([*cells, _a(r["told_A"]), _a(r["A"]), _a(r["A_not_told"])])
    header = ["method", "seed", "delay per change (env steps)", "false alarms", "judged new (learned)", "A told"]
    lines = [
        "# Training without being told when seasons change",
        "",
        "Regenerate: `.venv/bin/python -m experiments.benchmarks.agnostic_training` (runs:"
        f" `evergreen sweep {GRID.relative_to(CONFIG_DIR.parent.parent)} --storage runs/v1`).",
        "",
        "Per run: the env steps from each season change (summer, autumn, winter) to the moment the learner noticed it,"
        " detections with no change behind them (false alarms), the share of days judged new while the garden was in"
        " the season being learned, and A: told the season in training and evaluation (the v1 benchmark's run of the"
        " same method and seed), trained untold and evaluated told (`return_matrix`), and untold in both"
        " (`eval_agnostic/`).",
        "",
        markdown_table([*header, "A untold training", "A untold throughout"], rows),
        "",
    ]
    default = [r for r in results if _of_default_seasons(r)]
    return "\n".join(lines + _targets(default) + _user_seasons([r for r in results if not _of_default_seasons(r)]))


def _of_default_seasons(result: dict[str, Any]) -> bool:
    """Whether a run went through the four default seasons (results saved before ``seasons`` was kept did)."""
    return result.get("seasons", DEFAULT_SEASONS) == DEFAULT_SEASONS


def _user_seasons(results: list[dict[str, Any]]) -> list[str]:
    """Runs whose last season is the user's own: when the change to it was noticed."""
    lines = []
    for r in results:
        last = r["detection"]["changes"][-1]
        when = "missed" if last["delay_steps"] is None else f"after {last['delay_steps']:,} env steps"
        lines += [
            f"## A season of the user's own: {r['run']}",
            "",
            f"The change to the last season ({last['to']}) noticed: {when} (target as above:"
            f" within {DETECT_STEPS:,}); false alarms in the whole run: {len(r['detection']['false_alarms'])}.",
            "",
        ]
    return lines


def _targets(results: list[dict[str, Any]]) -> list[str]:
    """The issue's targets over every run, with the measured figure and verdict."""
    delays = [c["delay_steps"] for r in results for c in r["detection"]["changes"]]
    noticed = [d for d in delays if d is not None]
    false_alarms = sum(len(r["detection"]["false_alarms"]) for r in results)
    rows = [
        [
            f"every change noticed within {DETECT_STEPS:,} env steps",
            f"{len(noticed)} of {len(delays)} noticed; longest {max(noticed, default=0):,}",
            "met" if len(noticed) == len(delays) and max(noticed, default=0) <= DETECT_STEPS else "missed",
        ],
        ["no false alarm inside a season", f"{false_alarms} false alarms", "met" if false_alarms == 0 else "missed"],
    ]
    for method in dict.fromkeys(r["method"] for r in results):
        mine = [r for r in results if r["method"] == method]
        told = float(np.mean([r["told_A"] for r in mine]))
        for key, what in (("A", "trained untold"), ("A_not_told", "untold throughout")):
            values = [r[key] for r in mine if r[key] is not None]
            if len(values) < len(mine):
                rows.append([f"{method}: A {what} within {A_GAP} of told", "not every run has it", "not measured"])
                continue
            gap = told - float(np.mean(values))
            verdict = "met" if gap <= A_GAP else "missed"
            rows.append(
                [f"{method}: A {what} within {A_GAP} of told", f"{np.mean(values):.3f} vs {told:.3f} ({gap:+.3f})", verdict]
            )
    return ["## Targets", "", markdown_table(["target", "measured", "verdict"], rows), ""]


@app.command()
def main(
    storage: Annotated[Path, typer.Option(help="the storage root the grid's runs were trained in")] = Path("runs/v1"),
    out: Annotated[Path, typer.Option(help="where training.json and training.md go")] = Path("docs/agnostic"),
    from_results: Annotated[bool, typer.Option("--from-results", help="rebuild the report from OUT/training.json")] = False,
) -> None:
    """Collect the grid's season-agnostic runs; write the result and the report."""
    if from_results:
        results = json.loads((out / "training.json").read_text())
    else:
        runs = [storage / run.name for run in load_grid(GRID).runs]
        missing = [str(run) for run in runs if not (run / DETECTION).is_file()]
        if missing:
            raise ValueError(
                f"runs not finished: {', '.join(missing)}; train them with `evergreen sweep {GRID} --storage {storage}`"
            )
        results = [measure(run, told_twin(read_run_config(run), storage, TOLD_ARCHIVE)) for run in runs]
        out.mkdir(parents=True, exist_ok=True)
        atomic_write_text(out / "training.json", json.dumps(results, indent=1) + "\n")
    text = report(results)
    atomic_write_text(out / "training.md", text + "\n")
    typer.echo(text)


if __name__ == "__main__":
    app()
