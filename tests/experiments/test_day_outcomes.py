"""The day-outcomes study: each day's counts add up to what the env reports, for the gardener and a PPO policy."""

from __future__ import annotations

from pathlib import Path

import pytest

import experiments.studies.ppo_runs as ppo_runs
from experiments.studies import day_outcomes
from experiments.studies.ppo_runs import new_ppo
from tests.agent.test_learners import STEPS, TINY


def test_the_gardener_and_a_ppo_policy_days_are_counted_stored_and_not_played_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ppo_runs, "RESULTS", tmp_path)
    gardener = day_outcomes.gardener_outcomes("winter", 3, "GardenWatering-v1")
    for day in gardener["days"]:
        assert set(day) == {"success", "dusk", "steps", *day_outcomes.COUNTS}
        assert min(day[key] for key in day_outcomes.COUNTS) >= 0 and 0 < day["steps"] <= 50
        # Winter has two thirsty plants a day: a success waters both.
        assert not day["success"] or day["thirsty_watered"] >= 2
        assert not day["dusk"] or day["steps"] == 50
    monkeypatch.setattr(day_outcomes, "new_ppo", lambda season, seed, setup, env_id: new_ppo(season, seed, TINY, env_id))
    ppo = day_outcomes.ppo_outcomes("winter", 0, STEPS, 3, "GardenWatering-v1")
    assert len(ppo["days"]) == 3 and ppo["who"] == "PPO seed 0"
    assert len(list(tmp_path.rglob("winter_*.json"))) == 2
    monkeypatch.setattr(day_outcomes, "new_ppo", None)  # stored: not trained again
    assert day_outcomes.ppo_outcomes("winter", 0, STEPS, 3, "GardenWatering-v1") == ppo
    assert day_outcomes.outcome_row(gardener)[:2] == ["gardener", "3"]
