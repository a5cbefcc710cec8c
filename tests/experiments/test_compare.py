"""The comparison report, on synthetic run folders."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from experiments.pipeline.metrics import run_metrics
from experiments.pipeline.run_folder import (
    CONFIG,
    CURVE_COLUMNS,
    CURVES,
    MATRIX,
    MATRIX_NORMALIZED,
    METRICS,
    atomic_write_json,
    atomic_write_text,
    csv_text,
)
from experiments.report.compare import write_report

SEASONS = ["spring", "summer", "autumn"]
STEPS = 1000
FINETUNE_0 = [[0.0, 0.0, 0.0], [0.6, 0.1, 0.0], [0.3, 0.7, 0.1], [0.2, 0.4, 0.8]]
# Seed 1 differs in the first season only: mean 0.62 after spring, 0.18 at the end.
FINETUNE_1 = [[0.0, 0.0, 0.0], [0.64, 0.1, 0.0], [0.3, 0.7, 0.1], [0.16, 0.4, 0.8]]
SCRATCH = [[0.0, 0.0, 0.0], [0.5, 0.0, 0.0], [0.0, 0.5, 0.0], [0.0, 0.0, 0.5]]
RETRAIN = [[0.0, 0.0, 0.0], [0.6, 0.0, 0.0], [0.6, 0.6, 0.0], [0.6, 0.6, 0.6]]


def make_run(
    root: Path,
    method: str,
    seed: int,
    matrix: list[list[float]],
    seasons: list[str] = SEASONS,
    env_steps: int = 3 * STEPS,
    compute_per_season: list[dict] | None = None,
) -> Path:
    """A finished run folder with the files ``evergreen train`` writes (no checkpoints).

    Learning curves go linearly from row k - 1 to row k of the matrix while season k trains, evaluated
    at the start, middle and end of each season, so the AUC of season k is (R[k-1][k] + R[k][k]) / 2.
    """
    run = root / f"{method}_seed{seed}"
    R = np.array(matrix)
    config = {"method": method, "seasons": seasons, "steps": STEPS, "seed": seed, "eval_episodes": 2, "eval_every": 500}
    atomic_write_text(run / CONFIG, yaml.safe_dump({**config, "ppo": {"n_steps": 64}}))
    rows = [["untrained", *R[0]], *[[season, *R[i]] for i, season in enumerate(seasons, start=1)]]
    atomic_write_text(run / MATRIX_NORMALIZED, csv_text(["after", *seasons], rows))
    atomic_write_text(run / MATRIX, csv_text(["after", *seasons], [[row[0], *(10 * v for v in row[1:])] for row in rows]))
    curves = []
    for k, trained in enumerate(seasons, start=1):
        for season_step in (0, STEPS // 2, STEPS):
            for j, evaluated in enumerate(seasons):
                value = R[k - 1, j] + (R[k, j] - R[k - 1, j]) * season_step / STEPS
                step = (k - 1) * STEPS + season_step
                curves.append(
                    dict(zip(CURVE_COLUMNS, (k, trained, season_step, step, evaluated, 10 * value, value), strict=True))
                )
    atomic_write_text(run / CURVES, csv_text(list(CURVE_COLUMNS), [list(p.values()) for p in curves]))
    compute = {
        "env_steps": env_steps,
        "wall_seconds": env_steps / 100,
        "trainable_parameters": 10_000,
        "total_parameters": 12_000,
        "memory_bytes": 1_234_567,
    }
    metrics = {**run_metrics(R, seasons, curves), "compute": compute, "method": method, "seed": seed}
    metrics["compute_per_season"] = compute_per_season or [compute] * len(seasons)
    atomic_write_json(run / METRICS, metrics)
    return run


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("runs")
    return [
        make_run(root, "finetune", 0, FINETUNE_0),
        make_run(root, "finetune", 1, FINETUNE_1),
        make_run(root, "scratch", 0, SCRATCH),
        make_run(root, "retrain", 0, RETRAIN, env_steps=6 * STEPS),
    ]


@pytest.fixture(scope="module")
def report(runs: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(runs, tmp_path_factory.mktemp("out") / "comparison")


def test_report_metrics_table(report: Path) -> None:
    text = report.read_text()
    assert report.name == "report.md"
    # finetune A: seed 0 (0.2 + 0.4 + 0.8) / 3 = 0.467, seed 1 (0.16 + 0.4 + 0.8) / 3 = 0.453; mean 0.46, with a CI.
    assert "| finetune | 2 | 0.46 [0.45, 0.47] |" in text
    # One seed: no interval. scratch A = 0.5 / 3; F = (0.5 + 0.5) / 2 = 0.5; BWT = -0.5.
    assert "| scratch | 1 | 0.17 | 0.50 | 0.50 | -0.50 | reference |" in text
    # retrain forgets nothing.
    assert "| retrain | 1 | 0.60 | 0.00 | 0.00 | 0.00 |" in text
    for metric in ("**A**", "**F**", "**F_CW**", "**BWT**", "**FT**", "Chaudhry", "Lopez-Paz", "Wołczyk"):
        assert metric in text


def test_report_forward_transfer(report: Path) -> None:
    # AUC_scratch = (0 + 0.5) / 2 = 0.25 on every season. finetune: AUC summer (0.1 + 0.7) / 2 = 0.4,
    # autumn (0.1 + 0.8) / 2 = 0.45; FT = ((0.4 - 0.25) / 0.75 + (0.45 - 0.25) / 0.75) / 2 = 0.23 (both seeds).
    line = next(line for line in report.read_text().splitlines() if line.startswith("| finetune | 2 |"))
    assert line.endswith("| 0.23 [0.23, 0.23] |")


def test_report_findings_and_compute(report: Path) -> None:
    text = report.read_text()
    forgets = "finetune: the first season (spring) falls from 0.62 after its own training to 0.18 at the end (change -0.44)"
    assert f"{forgets}: it forgets." in text
    keeps = "retrain: the first season (spring) stays at 0.60 from its own training to the end (change +0.00)"
    assert keeps in text
    assert "keeps its first season" in text
    assert "retrain has the highest average normalized return at the end (A = 0.60)" in text
    assert "finetune used 50% fewer env steps than retrain (3,000 against 6,000)" in text
    assert "| finetune | 3,000 | 30.00 | 10,000 | 12,000 | 1.2 MB | 0.50× | 0.50× |" in text


def test_report_figures(report: Path) -> None:
    text = report.read_text()
    names = ["heatmap_finetune.png", "heatmap_scratch.png", "heatmap_retrain.png", "final_returns.png", "learning_curves.png"]
    for name in names:
        assert (report.parent / name).read_bytes().startswith(b"\x89PNG")
        assert f"]({name})" in text
    assert not [p for p in report.parent.iterdir() if p.name.startswith(".")]  # no temp files left


def test_without_scratch_or_retrain(tmp_path: Path) -> None:
    report = write_report([make_run(tmp_path, "finetune", 0, FINETUNE_0)], tmp_path / "out")
    text = report.read_text()
    assert "FT needs a `scratch` run" in text
    assert "/ retrain" not in text


def test_not_a_run_folder(runs: list[Path], tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=re.escape(f"{tmp_path} is not a run folder")):
        write_report([runs[0], tmp_path], tmp_path / "out")
    assert not (tmp_path / "out").exists()  # nothing written when the input is wrong


def test_unfinished_run(runs: list[Path], tmp_path: Path) -> None:
    unfinished = shutil.copytree(runs[0], tmp_path / "unfinished")
    (unfinished / METRICS).unlink()
    with pytest.raises(ValueError, match=re.escape(f"{unfinished} is not a finished run (no metrics.json)")):
        write_report([runs[1], unfinished], tmp_path / "out")


def test_mismatched_seasons(runs: list[Path], tmp_path: Path) -> None:
    other = make_run(tmp_path, "finetune", 5, FINETUNE_0, seasons=["spring", "winter", "autumn"])
    with pytest.raises(ValueError, match=re.escape(f"{other} trains seasons")):
        write_report([runs[0], other], tmp_path / "out")


def test_duplicate_method_and_seed(runs: list[Path], tmp_path: Path) -> None:
    copy = shutil.copytree(runs[0], tmp_path / "copy")
    with pytest.raises(ValueError, match="both method finetune seed 0"):
        write_report([runs[0], copy], tmp_path / "out")


def test_out_dir_is_a_file(runs: list[Path], tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(OSError):
        write_report(runs[:1], tmp_path / "file")


def test_progressive_runs_with_empty_cells_and_growing_networks(runs: list[Path], tmp_path: Path) -> None:
    nan = float("nan")
    # A progressive network has no column for a season before it is trained: NaN above the diagonal.
    matrix = [[0.0, nan, nan], [0.5, nan, nan], [0.5, 0.6, nan], [0.5, 0.6, 0.7]]
    growth = [{"trainable_parameters": 10 * k, "total_parameters": 25 * k} for k in (1, 2, 3)]
    progressive = make_run(tmp_path, "progressive", 0, matrix, compute_per_season=growth)
    control = make_run(tmp_path, "progressive-random", 0, SCRATCH)
    text = write_report([*runs, progressive, control], tmp_path / "out").read_text()
    assert "| progressive | 25 (10) | 50 (20) | 75 (30) |" in text
    assert "| progressive | 1 | 0.60 | 0.00 | 0.00 | 0.00 |" in text
    assert "progressive-random: the progressive network with its earlier columns random and frozen" in text
    assert (tmp_path / "out" / "heatmap_progressive.png").read_bytes().startswith(b"\x89PNG")
