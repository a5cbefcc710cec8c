"""The methods benchmark: every continual method on the four seasons, 3 seeds, through ``evergreen compare``.

Trains each (method, seed) of its grid (``experiments/configs/grids/methods.yaml``: the config
``experiments/configs/four_seasons.yaml``, 100,000 env steps per season, 10 evaluation days) as a
task of a local Ray instance (the engine of ``evergreen sweep``) into ``runs/bench/<method>_seed<seed>``, then
writes the comparison report (``report.md``, heatmaps, learning curves, compute table) to
``docs/bench/``. Sweeps on seed 0 follow the main runs: replay's memory budget
(states per season) and EWC's lambda, summarized in ``docs/bench/sweeps.md``.

Every run folder resumes, and finished runs are skipped, so the benchmark continues where it
stopped when started again (it takes hours on 2 cores, two trainings at a time; ``--report-only``
writes the report of the runs finished so far). Each finished run's results (its config,
return matrices, learning curves and metrics: what ``evergreen compare`` reads, without the
checkpoints) are archived in ``docs/results/bench/<run>``, which is kept in the
repository: the report is built from the archive, and an archived run is never trained again,
so the benchmark also continues in a fresh checkout. A run counts only while its resolved config
is the one the benchmark would train it with now: after a season's content, the PPO defaults or
a method's default options change, it is trained again (its old folder moved aside, never
deleted) and its archive replaced.

Run: ``.venv/bin/python -m experiments.benchmarks.methods [--jobs 2] [--seeds 0,1,2] [--methods finetune,replay]
[--report-only]`` (list options take comma-separated values and may be repeated).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from agent.methods import learner_class
from envs.atomic_io import atomic_write_text
from experiments import RESULTS
from experiments.pipeline.config import CONFIG_DIR
from experiments.pipeline.run_folder import METRICS, read_json
from experiments.report.compare import write_report
from experiments.report.markdown import markdown_table
from experiments.script_app import ScriptApp, ints_option, list_option
from experiments.sweep.archive import archive_finished, archive_run, is_current
from experiments.sweep.driver import run_sweep
from experiments.sweep.grid import Grid, load_grid
from experiments.sweep.runs import RunSpec, run_name

#: The benchmark's grid: the main runs (the report) and the seed-0 sweeps and two garden years (``also``).
GRID = CONFIG_DIR / "grids" / "methods.yaml"
MAIN_METHODS = (
    "finetune",
    "scratch",
    "replay",
    "progressive",
    "progress-compress",
    "ewc",
    "progressive-random",
    "retrain",
)
#: Seed-0 sweeps of sweeps.md: (sweep name, method, option, values); the default value is the main run's.
SWEEPS = (
    ("replay memory budget", "replay", "states_per_season", (1_000, 10_000, 50_000)),
    ("EWC lambda", "ewc", "ewc_lambda", (0.1, 1.0, 10.0)),
)
DEFAULTS = {"states_per_season": 10_000, "ewc_lambda": 1.0}
#: Progress & compress through two garden years (the grid's ``2years`` sequence): its size after 8 seasons.
TWO_YEARS = run_name("progress-compress", 0, sequence="2years")


def benchmark_grid(methods: list[str], seeds: list[int], sweeps: bool) -> Grid:
    """The benchmark's grid for ``methods`` and ``seeds``: the main runs (seed-major), then those methods' seed-0 sweeps."""
    model = load_grid(GRID).model
    also = [
        product.model_copy(update={"methods": [m for m in product.methods if m in methods]})
        for product in (model.also if sweeps else [])
        if any(m in methods for m in product.methods)
    ]
    return Grid(GRID, model.model_copy(update={"methods": methods, "seeds": seeds, "also": also}))


#: Where finished runs' results are kept (in the repository).
ARCHIVE = RESULTS / "bench"


def sweeps_markdown(archive: Path, expected: dict[str, dict[str, Any]]) -> str:
    """The seed-0 sweep tables: average return, forgetting and memory per value (``expected``: config by run name)."""
    lines = ["# Sweeps (seed 0, four seasons, 100,000 steps per season)", ""]
    lines += ["Regenerate: `.venv/bin/python -m experiments.benchmarks.methods`", ""]
    for title, method, option, values in SWEEPS:
        rows = []
        for value in values:
            name = run_name(method, 0, {} if value == DEFAULTS[option] else {option: value})
            if name not in expected or not is_current(archive / name, expected[name]):
                rows.append([f"{value:g}", "not run yet", "", "", ""])
                continue
            metrics = read_json(archive / name / METRICS)
            compute = metrics["compute"]
            rows.append(
                [
                    f"{value:g}",
                    f"{metrics['average_return']:.2f}",
                    f"{metrics['forgetting']:.2f}",
                    f"{compute['memory_bytes'] / 1e6:.2f} MB",
                    f"{compute['env_steps']:,}",
                ]
            )
        lines += [f"## {title}", "", markdown_table([option, "A", "F", "memory", "env steps"], rows), ""]
    current = TWO_YEARS in expected and is_current(archive / TWO_YEARS, expected[TWO_YEARS])
    lines += two_years_markdown(archive / TWO_YEARS, current=current)
    return "\n".join(lines)


def two_years_markdown(run_dir: Path, current: bool) -> list[str]:
    """Progress & compress through eight seasons: its parameters after each, and its metrics."""
    lines = ["## progress-compress through two garden years (8 seasons)", ""]
    if not current:
        return [*lines, "Not run yet.", ""]
    metrics = read_json(run_dir / METRICS)
    rows = [
        [str(k), f"{compute['trainable_parameters']:,}", f"{compute['total_parameters']:,}"]
        for k, compute in enumerate(metrics["compute_per_season"], start=1)
    ]
    lines += [markdown_table(["after season", "trainable parameters", "total parameters"], rows)]
    lines += ["", f"A = {metrics['average_return']:.2f}, F = {metrics['forgetting']:.2f} over the 8 seasons.", ""]
    return lines


def train_missing(runs: list[RunSpec], out: Path, archive: Path, jobs: int) -> None:
    """Train every run without a current archive on a local Ray instance, ``jobs`` at a time, archiving each as it finishes.

    A folder left in ``out`` by an older config is moved aside (never deleted) and the run trained again.
    """

    def archive_it(run: RunSpec) -> None:
        archive_run(out / run.name, archive)

    def archived(run: RunSpec) -> bool:
        return is_current(archive / run.name, run.config)

    run_sweep(runs, out, jobs=jobs, force=True, skip=archived, on_finished=archive_it)


app = ScriptApp(__name__, __doc__)


@app.command()
def main(
    out: Annotated[Path, typer.Option(help="where the run folders go")] = Path("runs/bench"),
    report: Annotated[Path, typer.Option(help="where the report goes")] = Path("docs/bench"),
    archive: Annotated[Path, typer.Option(help="where finished runs' results are kept")] = ARCHIVE,
    methods: Annotated[
        list[str] | None, typer.Option(help="methods, comma-separated, e.g. finetune,replay (default: all eight)")
    ] = None,
    seeds: Annotated[list[str] | None, typer.Option(help="seeds, comma-separated (default 0,1,2)")] = None,
    jobs: Annotated[int, typer.Option(help="trainings at once (2: one per core)")] = 2,
    no_sweeps: Annotated[bool, typer.Option("--no-sweeps", help="only the main runs")] = False,
    report_only: Annotated[
        bool, typer.Option("--report-only", help="no training: the report of the runs finished so far")
    ] = False,
) -> None:
    """Train what is missing of the methods benchmark, then write its report (and the sweeps)."""
    method_names = list_option(methods, MAIN_METHODS)
    for method in method_names:
        learner_class(method)  # ValueError naming the valid methods
    seed_values = ints_option(seeds, "--seeds", [0, 1, 2])
    if jobs < 1:
        raise ValueError(f"--jobs must be >= 1, got {jobs}")
    out.mkdir(parents=True, exist_ok=True)

    grid = benchmark_grid(method_names, seed_values, sweeps=not no_sweeps)
    expected = {run.name: run.config for run in grid.runs}
    archive_finished(grid.runs, out, archive)
    if not report_only:
        train_missing(grid.runs, out, archive, jobs)

    main_runs = [run.name for runs in grid.main.values() for run in runs]
    current = [archive / name for name in main_runs if is_current(archive / name, expected[name])]
    print(f"Report: {write_report(current, report)}")
    if not no_sweeps:
        atomic_write_text(report / "sweeps.md", sweeps_markdown(archive, expected))
        print(f"Sweeps: {report / 'sweeps.md'}")


if __name__ == "__main__":
    app()
