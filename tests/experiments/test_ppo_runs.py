"""The studies' PPO runs: the learning-rate variants of the learnability study, and where their results go."""

from __future__ import annotations

import pytest

from agent.core.ppo_defaults import default_ppo_config
from experiments.studies.ppo_runs import new_ppo, ppo_folder, ppo_setup


def test_the_default_setup_is_the_defaults_and_variants_get_their_own_folder() -> None:
    assert ppo_setup() == default_ppo_config() and ppo_folder(ppo_setup()) == ppo_folder()
    linear = ppo_setup("linear", 2.0)
    assert linear["lr_schedule"] == "linear" and ppo_folder(linear) != ppo_folder()


def test_a_linear_schedule_anneals_the_scaled_rate_to_zero() -> None:
    rate = default_ppo_config()["learning_rate"]
    model = new_ppo("spring", 0, ppo_setup("linear", 2.0))
    assert model.lr_schedule(1.0) == pytest.approx(2 * rate) and model.lr_schedule(0.25) == pytest.approx(0.5 * rate)
    constant = new_ppo("spring", 0)
    assert constant.lr_schedule(1.0) == constant.lr_schedule(0.0) == rate


@pytest.mark.parametrize(("schedule", "scale", "message"), [("cosine", 1.0, "valid: constant, linear"), ("linear", 0.0, "0")])
def test_bad_variants_are_refused_naming_the_valid_ones(schedule: str, scale: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ppo_setup(schedule, scale)
