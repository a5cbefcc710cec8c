"""The comparison report, on synthetic run folders."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from experiments.pipeline.run_folder import METRICS
from experiments.report.compare import write_report
from tests.experiments.synthetic_runs import FINETUNE_0, FINETUNE_1, RETRAIN, SCRATCH, STEPS, make_run


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
    # finetune A: seed 0 (0.2 + 0.4 + 0.8) / 3 = 0.467, seed 1 (0.16 + 0.4 + 0.8) / 3 = 0.453; mean 0.46.
    # Two seeds are too few for a confidence interval: the range over the seeds, said to be one.
    assert "| finetune | 2 | 0.46 (range 0.45 to 0.47) |" in text
    # One seed: no interval. scratch A = 0.5 / 3; F = (0.5 + 0.5) / 2 = 0.5; BWT = -0.5.
    assert "| scratch | 1 | 0.17 | 0.50 | 0.50 | -0.50 | reference |" in text
    # retrain forgets nothing.
    assert "| retrain | 1 | 0.60 | 0.00 | 0.00 | 0.00 |" in text
    for metric in ("**A**", "**F**", "**F_CW**", "**BWT**", "**FT**", "Chaudhry", "Lopez-Paz", "Wołczyk", "BCa"):
        assert metric in text


def test_report_forward_transfer(report: Path) -> None:
    # AUC_scratch = (0 + 0.5) / 2 = 0.25 on every season. finetune: AUC summer (0.1 + 0.7) / 2 = 0.4,
    # autumn (0.1 + 0.8) / 2 = 0.45; FT = ((0.4 - 0.25) / 0.75 + (0.45 - 0.25) / 0.75) / 2 = 0.23 (both seeds).
    line = next(line for line in report.read_text().splitlines() if line.startswith("| finetune | 2 |"))
    assert line.endswith("| 0.23 (range 0.23 to 0.23) |")


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


def test_five_seeds_get_a_bca_interval_and_equal_values_a_marked_percentile_one(tmp_path: Path) -> None:
    # Five seeds of finetune differing in the first season's final return; retrain
    # forgets nothing on every seed, so its F is 0.00 five times: BCa is degenerate there.
    runs = []
    for seed in range(5):
        matrix = [row[:] for row in FINETUNE_0]
        matrix[3][0] = 0.1 + 0.05 * seed
        runs.append(make_run(tmp_path, "finetune", seed, matrix))
        runs.append(make_run(tmp_path, "retrain", seed, RETRAIN, env_steps=6 * STEPS))
    text = write_report(runs, tmp_path / "out", bootstrap_seed=0).read_text()
    finetune = next(line for line in text.splitlines() if line.startswith("| finetune | 5 |"))
    a_cell = finetune.split(" | ")[2]
    # A per seed (x + 0.4 + 0.8) / 3 with x from 0.1 to 0.3: mean 0.47, seeds 0.43 to 0.50.
    assert re.fullmatch(r"0\.47 \[0\.4\d, 0\.\d\d\]", a_cell), a_cell
    assert "| retrain | 5 | 0.60 [0.60, 0.60] (percentile) | 0.00 [0.00, 0.00] (percentile) |" in text
    again = write_report(runs, tmp_path / "again", bootstrap_seed=0).read_text()
    assert again == text  # the seeded bootstrap gives the same intervals
