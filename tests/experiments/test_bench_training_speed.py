"""The training-speed benchmark's verdict: on the rounds' paired ratios, not on a ratio of medians a drift can tilt."""

from __future__ import annotations

import pytest

from experiments.benchmarks import training_speed


def test_the_target_is_judged_on_the_median_of_each_rounds_ratio(capsys: pytest.CaptureFixture[str]) -> None:
    # In round 2 the machine slowed down during v0's turn only: the ratio of the medians says 1.80.
    result = {
        "seasons": {"winter": {"v0": [100.0, 70.0, 120.0], "v1": [150.0, 180.0, 180.0]}},
        "steps": 4096,
        "rounds": 3,
        "machine": "test machine",
        "date": "2026-12-07",
    }
    training_speed.report(result)
    out = capsys.readouterr().out
    assert "| winter | 100 | 180 | 1.80 | **1.50** |" in out
    assert "winter: v1 / v0 1.50 (target >= 1.6: missed by 0.10)" in out
