"""The methods benchmark: every continual method on the four seasons, 3 seeds, through ``evergreen compare``.

Trains each (method, seed) with ``evergreen train --config experiments/configs/four_seasons.yaml``
(100,000 env steps per season, 10 evaluation days) into ``runs/bench/<method>_seed<seed>``, then
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

Run: ``.venv/bin/python -m experiments.benchmarks.methods [--jobs 2] [--seeds 0 1 2] [--methods ...] [--report-only]``
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from experiments import RESULTS
from experiments.pipeline.config import CONFIG_DIR, read_config_file, resolve_config
from experiments.pipeline.launcher import TrainJob, finished, train_all
from experiments.pipeline.run_folder import CONFIG as RUN_CONFIG
from experiments.pipeline.run_folder import (
    CURVES,
    MATRIX,
    MATRIX_NORMALIZED,
    METRICS,
    atomic_write_text,
    read_config,
    read_json,
)
from experiments.report.compare import write_report

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
FOUR_SEASONS = ["spring", "summer", "autumn", "winter"]
CONFIG = CONFIG_DIR / "four_seasons.yaml"
#: Seed-0 sweeps: (sweep name, method, option, values); the default value is the main run's.
SWEEPS = (
    ("replay memory budget", "replay", "states_per_season", (1_000, 10_000, 50_000)),
    ("EWC lambda", "ewc", "ewc_lambda", (0.1, 1.0, 10.0)),
)
DEFAULTS = {"states_per_season": 10_000, "ewc_lambda": 1.0}
#: Progress & compress through two garden years: its size after 8 seasons.
TWO_YEARS_METHOD = "progress-compress"


@dataclass(frozen=True)
class RunSpec:
    """One training run of the benchmark."""

    method: str
    seed: int
    options: dict[str, Any] = field(default_factory=dict)
    years: int = 1  # garden years: the four seasons this many times

    @property
    def name(self) -> str:
        suffix = "".join(f"-{key}{value:g}" for key, value in self.options.items())
        suffix += f"-{self.years}years" if self.years > 1 else ""
        return f"{self.method}{suffix}_seed{self.seed}"


TWO_YEARS = RunSpec(TWO_YEARS_METHOD, 0, years=2)


def run_specs(methods: list[str], seeds: list[int], sweeps: bool) -> list[RunSpec]:
    """The main runs (seed-major, so a partial benchmark has whole seeds), then the seed-0 sweeps."""
    specs = [RunSpec(method, seed) for seed in seeds for method in methods]
    if sweeps:
        for _, method, option, values in SWEEPS:
            specs += [RunSpec(method, 0, {option: v}) for v in values if v != DEFAULTS[option] and method in methods]
        if "progress-compress" in methods:
            specs.append(TWO_YEARS)
    return specs


#: Where finished runs' results are kept (in the repository), and the files kept: what
#: ``evergreen compare`` reads. The metrics go last: a run counts as archived once they are there.
ARCHIVE = RESULTS / "bench"
ARCHIVED_FILES = (RUN_CONFIG, MATRIX, MATRIX_NORMALIZED, CURVES, METRICS)


def expected_config(spec: RunSpec) -> dict[str, Any]:
    """The resolved config ``evergreen train`` trains a run of the benchmark with, as things are now.

    Built as ``evergreen train`` builds it from :func:`job`'s command line: options given on the
    command line update the file's ``method_options``.
    """
    file_config = read_config_file(CONFIG)
    overrides: dict[str, Any] = {"method": spec.method, "seed": spec.seed, "seasons": job(spec, Path()).seasons}
    if spec.options:
        overrides["method_options"] = {**(file_config.get("method_options") or {}), **spec.options}
    return resolve_config(file_config, overrides)


def is_current(run_dir: Path, expected: dict[str, Any]) -> bool:
    """Whether a run (its folder or its archive) is finished and was trained with the config ``expected``.

    A run made before a season's content, the PPO defaults or a method's default options changed
    (its resolved config differs from the one the benchmark would train it with now) does not
    count: it is trained again and its archive replaced.
    """
    return finished(run_dir) and read_config(run_dir) == expected


def archive_run(run_dir: Path, archive: Path) -> Path:
    """Copy a finished run's results (not its checkpoints) to ``archive/<run name>``; return that folder."""
    target = archive / run_dir.name
    target.mkdir(parents=True, exist_ok=True)
    for name in ARCHIVED_FILES:
        atomic_write_text(target / name, (run_dir / name).read_text())
    return target


def job(spec: RunSpec, out: Path) -> TrainJob:
    """The ``evergreen train`` job of a run (a folder left by an older config is moved aside, not reused)."""
    seasons = FOUR_SEASONS * spec.years if spec.years > 1 else None
    return TrainJob(out / spec.name, CONFIG, spec.method, spec.seed, spec.options, seasons, force=True)


def sweeps_markdown(out: Path) -> str:
    """The seed-0 sweep tables: average return, forgetting and memory per value."""
    lines = ["# Sweeps (seed 0, four seasons, 100,000 steps per season)", ""]
    lines += ["Regenerate: `.venv/bin/python -m experiments.benchmarks.methods`", ""]
    for title, method, option, values in SWEEPS:
        lines += [f"## {title}", "", f"| {option} | A | F | memory | env steps |", "|---|---|---|---|---|"]
        for value in values:
            spec = RunSpec(method, 0, {} if value == DEFAULTS[option] else {option: value})
            if not is_current(out / spec.name, expected_config(spec)):
                lines.append(f"| {value:g} | not run yet | | | |")
                continue
            metrics = read_json(out / spec.name / METRICS)
            compute = metrics["compute"]
            lines.append(
                f"| {value:g} | {metrics['average_return']:.2f} | {metrics['forgetting']:.2f} | "
                f"{compute['memory_bytes'] / 1e6:.2f} MB | {compute['env_steps']:,} |"
            )
        lines.append("")
    lines += two_years_markdown(out / TWO_YEARS.name, current=is_current(out / TWO_YEARS.name, expected_config(TWO_YEARS)))
    return "\n".join(lines)


def two_years_markdown(run_dir: Path, current: bool) -> list[str]:
    """Progress & compress through eight seasons: its parameters after each, and its metrics."""
    lines = [f"## {TWO_YEARS_METHOD} through two garden years (8 seasons)", ""]
    if not current:
        return [*lines, "Not run yet.", ""]
    metrics = read_json(run_dir / METRICS)
    lines += ["| after season | trainable parameters | total parameters |", "|---|---|---|"]
    for k, compute in enumerate(metrics["compute_per_season"], start=1):
        lines.append(f"| {k} | {compute['trainable_parameters']:,} | {compute['total_parameters']:,} |")
    lines += ["", f"A = {metrics['average_return']:.2f}, F = {metrics['forgetting']:.2f} over the 8 seasons.", ""]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/bench"), help="where the run folders go")
    parser.add_argument("--report", type=Path, default=Path("docs/bench"), help="where the report goes")
    parser.add_argument("--archive", type=Path, default=ARCHIVE, help="where finished runs' results are kept")
    parser.add_argument("--methods", nargs="+", default=list(MAIN_METHODS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--jobs", type=int, default=2, help="trainings at once (2: one per core)")
    parser.add_argument("--no-sweeps", action="store_true", help="only the main runs")
    parser.add_argument("--report-only", action="store_true", help="no training: the report of the runs finished so far")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    specs = run_specs(args.methods, args.seeds, sweeps=not args.no_sweeps)
    expected = {spec.name: expected_config(spec) for spec in specs}
    # A run finished here but not archived (stopped in between) is archived now.
    for spec in specs:
        config = expected[spec.name]
        if is_current(args.out / spec.name, config) and not is_current(args.archive / spec.name, config):
            archive_run(args.out / spec.name, args.archive)
    if not args.report_only:
        pending = [job(spec, args.out) for spec in specs if not is_current(args.archive / spec.name, expected[spec.name])]
        train_all(
            pending,
            workers=args.jobs,
            on_done=lambda finished_job: archive_run(finished_job.run_dir, args.archive),
            done=lambda run_dir: is_current(run_dir, expected[run_dir.name]),
        )

    main_runs = [RunSpec(m, s).name for s in args.seeds for m in args.methods]
    current = [args.archive / name for name in main_runs if is_current(args.archive / name, expected[name])]
    report = write_report(current, args.report)
    print(f"Report: {report}")
    if not args.no_sweeps:
        atomic_write_text(args.report / "sweeps.md", sweeps_markdown(args.archive))
        print(f"Sweeps: {args.report / 'sweeps.md'}")


if __name__ == "__main__":
    main()
