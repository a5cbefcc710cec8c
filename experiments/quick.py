"""The main job (``make demo``): the quick preset end to end.

Trains ``finetune``, ``scratch`` and ``retrain`` through the four default seasons with the small
budgets of ``experiments/configs/quick.yaml``, compares them (``report.md`` with heatmaps,
learning curves, metric and compute tables), and renders the final ``finetune`` policy in every
season. Every run folder resumes, so starting it again continues where it stopped.

Run: ``.venv/bin/python -m experiments.quick [--out runs/quick] [--config experiments/configs/quick.yaml]``
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from agent.learner import season_label
from experiments.compare import write_report
from experiments.render import render
from experiments.run_folder import read_metrics
from experiments.train import train_run
from experiments.train_config import CONFIG_DIR, read_config_file, resolve_config

#: The methods of the quick preset, in the order of the report.
METHODS = ("finetune", "scratch", "retrain")
#: The policy shown in the videos.
RENDERED_METHOD = "finetune"


def run_quick(out: Path, config_file: Path, progress: bool = True) -> Path:
    """Train, compare and render the quick preset under ``out``; return the report path."""
    start = time.perf_counter()
    file_config = read_config_file(config_file)
    run_dirs = []
    for method in METHODS:
        config = resolve_config(file_config, {"method": method})
        run_dirs.append(train_run(config, out / method, progress=progress))
    report = write_report(run_dirs, out / "report")

    videos = []
    for season in config["seasons"]:
        path = out / "videos" / f"{season_label(season)}_{RENDERED_METHOD}.mp4"
        render(season, path, run_dir=out / RENDERED_METHOD, checkpoint="final")
        videos.append(path)

    finetune = read_metrics(out / "finetune")
    print(f"\nQuick preset finished in {(time.perf_counter() - start) / 60:.1f} min.")
    print(
        f"finetune: average normalized return {finetune['average_return']:.2f}, forgetting {finetune['forgetting']:.2f}, "
        f"first season fell by {finetune['first_season_drop']:.2f}"
    )
    print(f"Report: {report}")
    print(f"Videos ({RENDERED_METHOD}, final policy): {', '.join(str(v) for v in videos)}")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/quick"), help="where the runs, report and videos go")
    parser.add_argument("--config", type=Path, default=CONFIG_DIR / "quick.yaml", help="the preset's training config")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    args = parser.parse_args()
    run_quick(args.out, args.config, progress=not args.no_progress)


if __name__ == "__main__":
    main()
