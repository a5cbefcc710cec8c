"""The update-speed benchmark: every variant timed on the same update, the loss variants ending on the same weights."""

from __future__ import annotations

from experiments.benchmarks import update_speed
from tests.agent.test_learners import STEPS, TINY


def test_every_variant_is_timed_each_round_and_the_bound_loss_variants_train_the_same_weights() -> None:
    result = update_speed.measure("winter", STEPS, 2, TINY)
    assert set(result["seconds"]) == {
        "SB3 (no auxiliary loss)",
        "action-bound loss, always with a graph",
        update_speed.TODAY,
        "today + fused Adam",
    }
    assert all(len(rounds) == 2 and min(rounds) > 0 for rounds in result["seconds"].values())
    assert result["same_weights_as_today"]["action-bound loss, always with a graph"]
    assert result["minibatches"] == TINY["n_epochs"] * TINY["n_steps"] * TINY["n_envs"] // TINY["batch_size"]
