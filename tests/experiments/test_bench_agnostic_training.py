"""The season-agnostic training benchmark's report (experiments.benchmarks.agnostic_training), from constructed results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from experiments.benchmarks.agnostic_training import TOLD_GRID, app, report, told_twin
from experiments.sweep.grid import load_grid


def result(method: str, seed: int, delays: list[int | None], false_alarms: list[int], a: float, told: float) -> dict[str, Any]:
    """A run's measurement as ``measure`` collects it."""
    changes = [{"to": "x", "at_step": 0, "noticed_at_step": None, "delay_steps": d} for d in delays]
    detection = {"changes": changes, "false_alarms": false_alarms}
    detection |= {"days_judged_in_season": 100, "days_judged_new_in_season": 4}
    run = {"run": f"{method}-untold_seed{seed}", "method": method, "seed": seed, "detection": detection}
    return run | {"A": a, "A_not_told": a - 0.01, "told_run": f"{method}_seed{seed}", "told_A": told}


def test_the_report_gives_each_target_its_verdict() -> None:
    results = [
        result("progressive", 0, [800, 900, 1_000], [], 0.84, 0.85),
        result("progressive", 1, [700, 600, 500], [], 0.83, 0.85),
    ]
    text = report(results)
    assert "| progressive | 0 | 800 / 900 / 1,000 | 0 | 0.040 | 0.850 | 0.840 | 0.830 |" in text
    assert "| every change noticed within 5,000 env steps | 6 of 6 noticed; longest 1,000 | met |" in text
    assert "| no false alarm inside a season | 0 false alarms | met |" in text
    assert "| progressive: A trained untold within 0.05 of told | 0.835 vs 0.850 (+0.015) | met |" in text


def test_a_missed_change_a_late_one_and_a_false_alarm_miss_their_targets() -> None:
    text = report([result("progress-compress", 0, [None, 6_000, 100], [1_234], 0.70, 0.85)])
    assert "| progress-compress | 0 | missed / 6,000 / 100 | 1 |" in text
    assert "| 2 of 3 noticed; longest 6,000 | missed |" in text and "| 1 false alarms | missed |" in text
    assert "(+0.150) | missed |" in text


def test_from_results_rebuilds_the_report_without_run_folders(tmp_path: Path) -> None:
    results = [result("progressive", 0, [800, 900, 1_000], [], 0.84, 0.85)]
    (tmp_path / "training.json").write_text(json.dumps(results))
    app(["--out", str(tmp_path), "--from-results"])
    assert (tmp_path / "training.md").read_text() == report(results) + "\n"


def test_a_run_with_a_season_of_the_users_own_is_reported_apart_from_the_targets() -> None:
    default = result("progressive", 0, [800, 900, 1_000], [], 0.84, 0.85)
    icy = result("progressive", 0, [800, 900, 1_000, 7_000], [], 0.80, 0.85)
    icy["seasons"] = ["spring", "summer", "autumn", "winter", "icy_spring.yaml"]
    icy["detection"]["changes"][-1]["to"] = "icy-spring"
    text = report([default, icy])
    assert "| 3 of 3 noticed; longest 1,000 | met |" in text  # the targets are the four default seasons'
    assert "The change to the last season (icy-spring) noticed: after 7,000 env steps" in text
    assert "| progressive, then icy-spring | 0 | 800 / 900 / 1,000 / 7,000 |" in text


def test_the_told_twin_is_the_archived_run_or_the_agnostic_grids_run_of_the_same_seasons(tmp_path: Path) -> None:
    config = {"method": "progressive", "seed": 0, "seasons": ["spring", "summer", "autumn", "winter"]}
    assert told_twin(config, tmp_path, tmp_path / "archive") == tmp_path / "archive" / "progressive-column_initlatest_seed0"
    icy = next(run for run in load_grid(TOLD_GRID).runs if len(run.seasons) == 5)
    assert told_twin(icy.config, tmp_path, tmp_path / "archive") == tmp_path / icy.name
    with pytest.raises(ValueError, match="no run of"):
        told_twin({**config, "seasons": ["winter"]}, tmp_path, tmp_path)
