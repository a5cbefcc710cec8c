"""The season-change detector: Page's CUSUM over days judged new (agent.components.change_detector)."""

from __future__ import annotations

import numpy as np
import pytest

from agent.components.change_detector import SeasonChangeDetector

DAY = 55  # env steps of a day


def stream(verdicts: list[bool]) -> SeasonChangeDetector:
    detector = SeasonChangeDetector()
    for judged_new in verdicts:
        detector.update(judged_new, DAY)
    return detector


def test_it_fires_on_a_constructed_season_change_within_a_few_days() -> None:
    rng = np.random.default_rng(0)
    known = list(rng.random(200) < 0.05)  # a known season: about one day in twenty judged new
    new = list(rng.random(50) < 0.9)  # then a new season: most days judged new
    detector = stream(known + new)
    assert len(detector.changes) >= 1
    day, steps = detector.changes[0]
    assert 200 < day <= 215 and steps == day * DAY  # after the change, within 15 days (825 env steps)


@pytest.mark.parametrize("seed", range(20))
def test_it_stays_silent_on_a_stationary_stream_with_false_alarms(seed: int) -> None:
    # Four seasons of days (about 8,000), one in twenty judged new by mistake: no change declared.
    rng = np.random.default_rng(seed)
    assert stream(list(rng.random(8000) < 0.05)).changes == []
    # False alarms, even two in a row, do not add up to a change when known days follow them.
    assert stream([True, True, False, False, False] * 100).changes == []


def test_five_days_judged_new_in_a_row_declare_a_change_and_it_restarts() -> None:
    detector = SeasonChangeDetector()
    assert [detector.update(True, DAY) for _ in range(5)] == [False] * 4 + [True]
    assert detector.statistic == 0.0 and detector.changes == [(5, 5 * DAY)]


@pytest.mark.parametrize("options", [{"p_known": 0.9, "p_new": 0.5}, {"p_known": 0.0}, {"threshold": 0.0}])
def test_bad_settings_are_refused(options: dict) -> None:
    with pytest.raises(ValueError):
        SeasonChangeDetector(**options)
