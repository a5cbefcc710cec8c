"""``column_init: best``: a new column starts from the candidate that plays the new season best."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
import torch as th

from agent import load_learner
from agent.components.progressive import progressive_policy
from agent.components.progressive import start_choice as start_choice_module
from agent.components.progressive.column import ProgressiveColumn
from agent.components.progressive.start_choice import FRESH, TRIAL_DAYS, TRIAL_SEED_OFFSET, choose_start
from agent.core.learner import ContinualLearner
from envs import resolve_season
from tests.agent.test_learners import STEPS, learned_then_started

OPTIONS = {"progress-compress": {"states_per_season": 64, "distill_steps": 20, "distill_batch": 32}}
WINTER_DAY = 50  # winter's episode_steps


def after_spring(method: str, column_init: str) -> ContinualLearner:
    """A learner that learned spring and started winter."""
    return learned_then_started(method, column_init=column_init, **OPTIONS.get(method, {}))


def trained_column(learner: ContinualLearner) -> ProgressiveColumn:
    extractor = progressive_policy(learner.model).mlp_extractor
    return extractor.column(extractor.trainable_column)


def state(column: ProgressiveColumn) -> dict[str, th.Tensor]:
    return {name: tensor.clone() for name, tensor in column.state_dict().items()}


def assert_same(mine: dict[str, th.Tensor], theirs: dict[str, th.Tensor]) -> None:
    assert mine.keys() == theirs.keys()
    for name in mine:
        assert th.equal(mine[name], theirs[name]), name


@pytest.mark.parametrize("method", ["progressive", "progress-compress"])
def test_best_starts_from_the_copy_exactly(method: str) -> None:
    best = after_spring(method, "best")
    (start,) = best.column_starts
    copy_name = "column 0 (spring)" if method == "progressive" else "head of spring"
    assert start["season"] == "winter" and set(start["returns"]) == {copy_name, FRESH}
    copy_wins = start["returns"][copy_name] >= start["returns"][FRESH]
    assert start["chosen"] == (copy_name if copy_wins else f"{copy_name}, the latest")
    # Bit for bit: the fresh column of ``random`` (same seed), started from spring's column (or head).
    fresh = after_spring(method, "random")
    expected = trained_column(fresh)
    source = progressive_policy(fresh.model).mlp_extractor.column(0)
    head = 0 if method == "progressive" else resolve_season("spring").index
    expected.start_from(source, head)  # the only copy: the best and the latest
    assert_same(state(trained_column(best)), state(expected))
    # The trial days are environment steps, counted as training compute.
    assert 0 < start["env_steps"] <= 2 * TRIAL_DAYS * WINTER_DAY
    assert best.account.env_steps == fresh.account.env_steps + start["env_steps"]


@pytest.fixture
def scripted_trial(monkeypatch):
    """Make the trial's mean returns those given, candidate by candidate; each day 10 steps long."""

    def script(returns: list[float]) -> None:
        played = iter(returns)

        def evaluate(model, env, n_eval_episodes, **kwargs):
            return [next(played)] * n_eval_episodes, [10] * n_eval_episodes

        monkeypatch.setattr(start_choice_module, "evaluate_policy", evaluate)

    return script


def sources_after_spring() -> tuple[ContinualLearner, ProgressiveColumn, list[tuple[str, ProgressiveColumn, int]]]:
    """A progressive learner about to learn winter with random heads, and two candidate copies of column 0."""
    learner = after_spring("progressive", "random")
    earlier = progressive_policy(learner.model).mlp_extractor.column(0)
    other = copy.deepcopy(earlier)  # a second candidate, different from the first
    with th.no_grad():
        for parameter in other.parameters():
            parameter.add_(0.1)
    return learner, trained_column(learner), [("a", earlier, 0), ("b", other, 0)]


@pytest.mark.parametrize(
    ("returns", "chosen"),
    [([2.0, 3.0, 1.0], "b"), ([2.0, 2.0, 2.0], "a"), ([0.5, 0.8, 1.0], "a, the latest"), ([0.8, 0.8, 1.0], "a, the latest")],
)
def test_the_best_copy_wins_unless_fresh_plays_better_then_the_latest(
    scripted_trial, returns: list[float], chosen: str
) -> None:
    scripted_trial(returns)
    learner, column, sources = sources_after_spring()
    fresh = state(column)
    choice = choose_start(learner.model, column, sources, "winter", learner.env_seed() + TRIAL_SEED_OFFSET, learner.env_id)
    assert choice.chosen == chosen and choice.returns == dict(zip(["a", "b", FRESH], returns, strict=True))
    assert choice.env_steps == 3 * TRIAL_DAYS * 10
    source = {name: candidate for name, candidate, _ in sources}[chosen.removesuffix(", the latest")]
    expected = copy.deepcopy(column)
    expected.load_state_dict(fresh)
    expected.start_from(source)
    assert_same(state(column), state(expected))


def test_candidates_play_the_same_days() -> None:
    learner, column, (earlier, _) = sources_after_spring()
    sources = [("a", earlier[1], 0), ("a again", earlier[1], 0)]
    choice = choose_start(learner.model, column, sources, "winter", learner.env_seed() + TRIAL_SEED_OFFSET, learner.env_id)
    assert choice.returns["a"] == choice.returns["a again"] and np.isfinite(choice.returns[FRESH])
    assert choice.chosen in ("a", "a, the latest")


def test_the_choice_is_kept_in_the_checkpoint(tmp_path: Path) -> None:
    learner = after_spring("progressive", "best")
    learner.learn(STEPS)
    learner.end_season()
    learner.save(tmp_path / "after_winter")
    loaded = load_learner(tmp_path / "after_winter")
    assert loaded.column_starts == learner.column_starts and len(loaded.column_starts) == 1
