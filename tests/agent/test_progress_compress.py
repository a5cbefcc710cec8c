"""Progress & compress: a fixed-size knowledge base distilled from the active column with replay."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from agent import load_learner, make_learner
from agent.methods.progress_compress import ProgressCompress
from tests.agent.test_learners import TINY, observations

OPTIONS = {"states_per_season": 64, "distill_steps": 20, "distill_batch": 32}
STEPS = 128


@pytest.fixture(scope="module")
def eight_seasons() -> tuple[ProgressCompress, list[tuple[int, int]]]:
    """Two garden years (the four seasons twice) and the parameter counts after each season."""
    learner = make_learner("progress-compress", ppo_config=TINY, seed=0, **OPTIONS)
    counts = []
    for season in ["spring", "summer", "autumn", "winter"] * 2:
        learner.start_season(season)
        learner.learn(STEPS)
        learner.end_season()
        counts.append((learner.account.trainable_parameters, learner.account.total_parameters))
    return learner, counts


def test_parameter_count_after_eight_seasons_equals_the_count_after_one(eight_seasons) -> None:
    _, counts = eight_seasons
    assert len(set(counts)) == 1 and counts[0][1] > 0


def test_knowledge_base_acts_in_every_season_and_the_memory_keeps_the_newest(eight_seasons) -> None:
    learner, _ = eight_seasons
    assert learner.acting_model("spring") is learner.knowledge_base
    assert learner.knowledge_base.policy.season_columns[:4] == [0, 0, 0, 0]
    # A season that came back replaced its older record: four seasons of states, the second year's
    # (each season adds its record twice: before and after its DAgger round).
    assert learner.memory.season_counts() == {9: 64, 11: 64, 13: 64, 15: 64}
    assert learner.memory.slots[-8:] == [0, 0, 1, 1, 2, 2, 3, 3]
    assert len(learner.distillation_losses) == 16 and all(np.isfinite(learner.distillation_losses))


def test_active_column_acts_for_the_season_being_learned() -> None:
    learner = make_learner("progress-compress", ppo_config=TINY, seed=1, **OPTIONS)
    learner.start_season("spring")
    assert learner.acting_model("spring") is learner.model
    learner.learn(STEPS)
    learner.end_season()
    assert learner.acting_model("spring") is learner.knowledge_base


def test_distillation_moves_the_knowledge_base_towards_the_active_column() -> None:
    learner = make_learner("progress-compress", ppo_config=TINY, seed=2, **{**OPTIONS, "distill_steps": 0})
    learner.start_season("summer")
    learner.learn(STEPS)
    learner.end_season()
    obs = observations("summer", 32)
    active = learner.model.policy

    def gap() -> float:
        return float(
            np.abs(
                learner.knowledge_base.predict(obs, deterministic=True)[0] - active.predict(obs, deterministic=True)[0]
            ).mean()
        )

    before = gap()
    learner.distill_steps = 300
    learner.compress()
    assert gap() < 0.5 * before


def test_save_and_load_restore_the_knowledge_base_and_memory(eight_seasons, tmp_path: Path) -> None:
    learner, _ = eight_seasons
    learner.save(tmp_path)
    restored = load_learner(tmp_path, ppo_config=TINY)
    obs = observations("autumn")
    np.testing.assert_array_equal(restored.predict(obs, "autumn"), learner.predict(obs, "autumn"))
    assert restored.memory.arrays["observations"].tobytes() == learner.memory.arrays["observations"].tobytes()
    assert restored.distillation_losses == learner.distillation_losses


def test_a_budget_too_small_for_the_dagger_rounds_is_refused() -> None:
    with pytest.raises(ValueError, match=r"states_per_season \(1\) must be at least dagger_rounds \+ 1 \(2\)"):
        ProgressCompress(ppo_config=TINY, states_per_season=1, dagger_rounds=1)
