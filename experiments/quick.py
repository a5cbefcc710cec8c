"""The main job (``make demo``): the quick preset end to end.

Trains ``finetune``, ``scratch``, ``retrain``, ``replay``, ``progressive`` and
``progress-compress`` through the four default seasons with the small budgets of
``experiments/configs/quick.yaml``, two trainings at a time as tasks of a local Ray instance
(the sweep engine of ``evergreen sweep``, one core each; each run logs to ``<out>/<method>.log``),
compares them (``report.md`` with heatmaps, learning curves, metric and
compute tables), and renders the final agents of ``progress-compress`` (the fixed-size
continual agent) and ``finetune`` (the forgetting baseline) in every season. A method's videos
are rendered as soon as its run has finished, beside the trainings still going (the longest run
finishes first, and the last ones leave a core idle). Every run folder resumes, so starting it
again continues where it stopped.

Run: ``.venv/bin/python -m experiments.quick [--out runs/quick] [--jobs 2]``
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Annotated, Any

import typer

from envs.season_spec import season_label
from experiments.media.render import render
from experiments.pipeline.config import CONFIG_DIR
from experiments.pipeline.run_folder import read_metrics
from experiments.report.compare import write_report
from experiments.script_app import ScriptApp
from experiments.sweep.driver import run_sweep
from experiments.sweep.runs import RunSpec, run_spec

#: The methods of the quick preset, in the order of the report.
METHODS = ("finetune", "scratch", "retrain", "replay", "progressive", "progress-compress")
#: Longest first, so the two cores finish together (each method's time: docs/benchmark.md#the-quick-preset).
TRAINING_ORDER = ("progress-compress", "retrain", "progressive", "replay", "finetune", "scratch")
#: The final agents shown in the videos (one video per season each).
RENDERED_METHODS = ("progress-compress", "finetune")
#: Method options of the preset beside its config file. ``progress-compress`` distills with 4x the
#: batch, a third of the steps and twice the learning rate of its defaults: the same final
#: distillation loss in two thirds of the time, which shortens the preset's longest run. Both
#: progressive methods copy the latest column (``column_init: latest``) instead of trying each start
#: on trial days (``best``, the default): at this budget the trials cost more of the preset's 15
#: minutes than they add to its agents (measured: docs/benchmark.md#the-quick-preset).
PRESET_OPTIONS: dict[str, dict[str, Any]] = {
    "progressive": {"column_init": "latest"},
    "progress-compress": {"distill_batch": 1024, "distill_steps": 1000, "distill_lr": 0.002, "column_init": "latest"},
}


def run_quick(out: Path, config_file: Path, jobs: int = 2) -> Path:
    """Train, compare and render the quick preset under ``out``; return the report path."""
    start = time.perf_counter()
    # Every config resolved (and so checked) before anything trains; the run folders are named by method.
    runs = [run_spec(method, method, None, base=config_file, options=PRESET_OPTIONS.get(method)) for method in TRAINING_ORDER]
    config = runs[0].config
    out.mkdir(parents=True, exist_ok=True)
    # One thread renders while the driver waits on its tasks (a wait that needs next to no CPU or GIL time).
    with ThreadPoolExecutor(max_workers=1) as renderer:
        videos: dict[str, Future[list[Path]]] = {}

        def render_finished(run: RunSpec) -> None:
            if run.method in RENDERED_METHODS:
                videos[run.method] = renderer.submit(render_videos, out, run.method, config["seasons"])

        # A folder of an older preset config is moved aside, never deleted.
        run_sweep(runs, out, jobs=jobs, force=True, on_finished=render_finished)
        for method in RENDERED_METHODS:
            if method not in videos:  # finished before this start: rendered now
                videos[method] = renderer.submit(render_videos, out, method, config["seasons"])
        report = write_report([out / method for method in METHODS], out / "report")
        for future in videos.values():
            future.result()

    print(f"\nQuick preset finished in {(time.perf_counter() - start) / 60:.1f} min.")
    print(f"{'method':18s} {'A':>6s} {'F':>6s} {'env steps':>10s} {'parameters':>11s} {'memory MB':>10s}")
    all_metrics = {method: read_metrics(out / method) for method in METHODS}
    for method, metrics in all_metrics.items():
        compute = metrics["compute"]
        print(
            f"{method:18s} {metrics['average_return']:6.2f} {metrics['forgetting']:6.2f} {compute['env_steps']:10,d} "
            f"{compute['total_parameters']:11,d} {compute['memory_bytes'] / 1e6:10.1f}"
        )
    best = max(all_metrics, key=lambda method: all_metrics[method]["average_return"])
    print(f"Best A: {all_metrics[best]['average_return']:.2f} ({best})")
    print(f"Report: {report}")
    print(f"Videos (final agents): {out / 'videos'}/<season>_<method>.mp4")
    return report


def render_videos(out: Path, method: str, seasons: list[str]) -> list[Path]:
    """Render the final agent of ``out/method`` in every season to ``out/videos/<season>_<method>.mp4``."""
    paths = []
    for season in seasons:
        path = out / "videos" / f"{season_label(season)}_{method}.mp4"
        render(season, path, run_dir=out / method, checkpoint="final")
        paths.append(path)
    return paths


app = ScriptApp(__name__, __doc__)


@app.command()
def main(
    out: Annotated[Path, typer.Option(help="where the runs, report and videos go")] = Path("runs/quick"),
    config: Annotated[Path, typer.Option(help="the preset's training config")] = CONFIG_DIR / "quick.yaml",
    jobs: Annotated[int, typer.Option(help="trainings at once (2: one per core)")] = 2,
) -> None:
    """Train, compare and render the quick preset (``make demo``)."""
    if jobs < 1:
        raise ValueError(f"--jobs must be >= 1, got {jobs}")
    run_quick(out, config, jobs=jobs)


if __name__ == "__main__":
    app()
