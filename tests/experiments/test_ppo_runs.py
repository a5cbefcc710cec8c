"""The studies' PPO runs: the learnability study's variants and the folders their results go to."""

from __future__ import annotations

from pathlib import Path

import pytest
from stable_baselines3 import PPO
from stable_baselines3.common.vec_env import VecNormalize

from agent.components.path_shaping import PathShaping
from agent.core.continual_ppo import ContinualPPO
from agent.core.ppo_defaults import default_ppo_config
from experiments.studies.learnability import variant_label
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


def test_path_shaping_is_a_variant_with_its_own_folder_that_wraps_the_training_envs() -> None:
    setup = ppo_setup(shaping="path")
    assert setup["shaping"] == "path" and ppo_folder(setup) not in (ppo_folder(), ppo_folder(ppo_setup("linear")))
    model = new_ppo("winter", 0, setup)
    assert all(isinstance(env, PathShaping) and env.gamma == model.gamma for env in model.get_env().envs)
    with pytest.raises(ValueError, match="unknown shaping 'curvy'; valid: none, path"):
        ppo_setup(shaping="curvy")


def test_reward_scaling_is_a_variant_that_normalizes_rewards_only() -> None:
    setup = ppo_setup(normalize_reward=True)
    assert setup["normalize_reward"] is True and ppo_folder(setup) != ppo_folder()
    env = new_ppo("winter", 0, setup).get_env()
    assert isinstance(env, VecNormalize) and env.norm_reward and not env.norm_obs and env.gamma == setup["gamma"]


def test_the_action_bound_variant_trains_a_continual_ppo_with_the_loss() -> None:
    setup = ppo_setup(action_bound_coef=0.5)
    assert setup["action_bound_coef"] == 0.5 and ppo_folder(setup) != ppo_folder()
    model = new_ppo("winter", 0, setup)
    assert isinstance(model, ContinualPPO) and model.auxiliary_loss is not None
    assert type(new_ppo("winter", 0)) is PPO
    with pytest.raises(ValueError, match="action-bound coefficient must be >= 0"):
        ppo_setup(action_bound_coef=-1.0)


def test_the_table_title_names_every_variant() -> None:
    assert variant_label(ppo_setup(), None) == ""
    setup = ppo_setup("linear", 2.0, "path", True, 1.0)
    assert variant_label(setup, Path("ppo.yaml")) == (
        ", learning rate 2x the default's, linear, the ppo: settings of ppo.yaml, trained with shaping by the path"
        " around obstacles, trained on rewards scaled by VecNormalize, with the action-bound loss (weight 1)"
    )
