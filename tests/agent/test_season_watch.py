"""Noticing a new season while training (agent.components.season_watch), on constructed streams of days."""

from __future__ import annotations

import numpy as np
import pytest

from agent.components.recognizer import Day
from agent.components.season_watch import SeasonWatch
from envs import MAX_SEASONS
from envs.observation import PLANT_FEATURES, ROBOT_FEATURES

SLOTS, ACTIONS, DAY = 3, 2, 30  # plant slots, action size, steps per day
OBS = len(ROBOT_FEATURES) + SLOTS * len(PLANT_FEATURES)
TEMPERATURE = ROBOT_FEATURES.index("temperature")


def day(rng: np.random.Generator, temperature: float, season: str = "believed") -> Day:
    """A day of noise whose thermometer reads ``temperature`` (plus a little noise)."""
    observations = rng.normal(0.0, 1.0, (DAY, OBS + MAX_SEASONS)).astype(np.float32)
    observations[:, TEMPERATURE] = temperature + rng.normal(0.0, 0.05, DAY)
    return Day(season, observations, rng.uniform(-1.0, 1.0, (DAY, ACTIONS)))


def watch_of(season: str = "spring") -> SeasonWatch:
    watch = SeasonWatch(OBS, ACTIONS, keep_states=DAY * 40)
    watch.begin(season)
    return watch


def feed(watch: SeasonWatch, rng: np.random.Generator, temperature: float, days: int) -> int | None:
    """Feed ``days`` days; the number of days after which the watch noticed a change (None: it did not)."""
    for n in range(1, days + 1):
        watch.add_day(day(rng, temperature, watch.season))
        if watch.changed:
            return n
    return None


@pytest.mark.parametrize("seed", range(5))
def test_it_stays_silent_through_a_long_stationary_season(seed: int) -> None:
    rng = np.random.default_rng(seed)
    watch = watch_of()
    assert feed(watch, rng, 0.2, 1_500) is None
    judged = [new for _, _, new, _ in watch.verdicts if new is not None]
    assert len(judged) == 1_500 - 50 and np.mean(judged) < 0.1  # the warm-up days are not judged


def test_it_notices_a_constructed_change_within_a_few_days_and_sets_its_evidence_aside() -> None:
    rng = np.random.default_rng(0)
    watch = watch_of()
    assert feed(watch, rng, 0.2, 200) is None
    noticed_after = feed(watch, rng, 0.9, 50)
    assert noticed_after is not None and noticed_after <= 12
    # The days of the new season are not the old season's states, nor its recognizer's days.
    states = watch.season_states()
    assert states.shape == (DAY * 40, OBS + MAX_SEASONS)
    assert np.all(np.abs(states[:, TEMPERATURE] - 0.2) < 0.5)
    assert all(abs(features[:, 0].mean() - 0.2) < 0.1 for features, _ in watch.known["spring"])  # weather first


def test_the_next_season_is_learned_and_a_return_to_a_known_look_is_not_new() -> None:
    rng = np.random.default_rng(1)
    watch = watch_of()
    feed(watch, rng, 0.2, 150)
    assert feed(watch, rng, 0.9, 50) is not None
    watch.begin("winter")
    assert feed(watch, rng, 0.9, 300) is None  # winter's own days, once learned, are not new
    recognizer = watch.recognizer()
    assert recognizer.seasons == ["spring", "winter"]
    assert feed(watch, rng, 0.2, 100) is None  # spring again: a known season, no change


def test_a_watch_told_not_to_watch_never_stops_learning() -> None:
    rng = np.random.default_rng(2)
    watch = SeasonWatch(OBS, ACTIONS)
    watch.begin("winter", watch=False)
    feed(watch, rng, 0.2, 120)
    assert feed(watch, rng, 0.9, 100) is None


def test_a_season_that_looks_new_on_only_some_days_is_noticed_before_it_is_learned() -> None:
    rng = np.random.default_rng(0)
    watch = watch_of()
    assert feed(watch, rng, 0.2, 300) is None
    start = len(watch.verdicts)
    noticed_after = feed(watch, rng, 0.5, 100)  # about 6 of its days in 10 look new
    judged = [new for _, _, new, _ in watch.verdicts[start:]]
    assert noticed_after is not None and noticed_after < 100 and 0.3 < np.mean(judged) < 0.9
