"""The evaluation-days study: its benchmark seeds really give ``scratch``'s networks, and its three day sets."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch as th

import experiments.studies.ppo_runs as ppo_runs
from agent import make_learner
from experiments.studies import evaluation_days
from experiments.studies.ppo_runs import new_ppo, train
from tests.agent.test_learners import STEPS, TINY


def test_a_benchmark_seed_trains_the_network_scratch_trains_in_that_position() -> None:
    """The study's premise: ``new_ppo(season, seed + 1000 k)`` is the benchmark's ``scratch`` on the k-th season."""
    learner = make_learner("scratch", ppo_config=TINY, seed=7)
    for season in ("spring", "summer"):
        learner.start_season(season)
        learner.learn(STEPS)
        learner.end_season()
    alone = new_ppo("summer", evaluation_days.benchmark_seed("summer", 7), TINY)
    train(alone, STEPS)
    in_run = learner.acting_model("summer").policy.state_dict()
    assert evaluation_days.benchmark_seed("summer", 7) == 2007
    for name, tensor in alone.policy.state_dict().items():
        assert th.equal(tensor, in_run[name]), name


def test_a_run_is_scored_on_each_day_set_stored_and_not_trained_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ppo_runs, "RESULTS", tmp_path)
    monkeypatch.setattr(evaluation_days, "new_ppo", lambda season, seed, env_id: new_ppo(season, seed, TINY, env_id))
    result = evaluation_days.run_season("winter", 0, STEPS, 10, "GardenWatering-v1")
    assert set(result["normalized"]) == set(evaluation_days.DAY_SETS)
    # The wide set's first days are the benchmark's: with 10 wide days the two sets are the same days.
    assert result["normalized"]["wide"] == result["normalized"]["benchmark"]
    assert len(list(tmp_path.rglob("winter_seed0_*.json"))) == 1
    monkeypatch.setattr(evaluation_days, "new_ppo", None)  # a second call must not train
    assert evaluation_days.run_season("winter", 0, STEPS, 10, "GardenWatering-v1") == result
