"""The main job (``make demo``): the quick preset end to end.

Trains ``finetune``, ``scratch``, ``retrain``, ``replay``, ``progressive`` and
``progress-compress`` through the four default seasons with the small budgets of
``experiments/configs/quick.yaml``, two trainings at a time (one per core; each logs to
``<out>/<method>.log``), compares them (``report.md`` with heatmaps, learning curves, metric and
compute tables), and renders the final agents of ``progress-compress`` (the fixed-size
continual agent) and ``finetune`` (the forgetting baseline) in every season. Every run folder
resumes, so starting it again continues where it stopped.

Run: ``.venv/bin/python -m experiments.quick [--out runs/quick] [--jobs 2]``
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from envs.season_spec import season_label
from experiments.media.render import render
from experiments.pipeline.config import CONFIG_DIR, read_config_file, resolve_config
from experiments.pipeline.launcher import TrainJob, train_all
from experiments.pipeline.run_folder import read_metrics
from experiments.report.compare import write_report

#: The methods of the quick preset, in the order of the report.
METHODS = ("finetune", "scratch", "retrain", "replay", "progressive", "progress-compress")
#: Longest first (measured: retrain 6.0 min, progress-compress 5.4, replay 3.9, the others about 2.8),
#: so the two cores finish together.
TRAINING_ORDER = ("retrain", "progress-compress", "replay", "finetune", "scratch", "progressive")
#: The final agents shown in the videos (one video per season each).
RENDERED_METHODS = ("progress-compress", "finetune")


def run_quick(out: Path, config_file: Path, jobs: int = 2) -> Path:
    """Train, compare and render the quick preset under ``out``; return the report path."""
    start = time.perf_counter()
    config = resolve_config(read_config_file(config_file), {"method": METHODS[0]})  # checks the file first
    train_all([TrainJob(out / method, Path(config_file), method) for method in TRAINING_ORDER], workers=jobs)
    report = write_report([out / method for method in METHODS], out / "report")

    videos = []
    for method in RENDERED_METHODS:
        for season in config["seasons"]:
            path = out / "videos" / f"{season_label(season)}_{method}.mp4"
            render(season, path, run_dir=out / method, checkpoint="final")
            videos.append(path)

    print(f"\nQuick preset finished in {(time.perf_counter() - start) / 60:.1f} min.")
    print(f"{'method':18s} {'A':>6s} {'F':>6s} {'env steps':>10s} {'parameters':>11s} {'memory MB':>10s}")
    for method in METHODS:
        metrics = read_metrics(out / method)
        compute = metrics["compute"]
        print(
            f"{method:18s} {metrics['average_return']:6.2f} {metrics['forgetting']:6.2f} {compute['env_steps']:10,d} "
            f"{compute['total_parameters']:11,d} {compute['memory_bytes'] / 1e6:10.1f}"
        )
    print(f"Report: {report}")
    print(f"Videos (final agents): {out / 'videos'}/<season>_<method>.mp4")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/quick"), help="where the runs, report and videos go")
    parser.add_argument("--config", type=Path, default=CONFIG_DIR / "quick.yaml", help="the preset's training config")
    parser.add_argument("--jobs", type=int, default=2, help="trainings at once (2: one per core)")
    args = parser.parse_args()
    run_quick(args.out, args.config, jobs=args.jobs)


if __name__ == "__main__":
    main()
