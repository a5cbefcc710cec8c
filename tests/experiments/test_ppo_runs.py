"""The studies' PPO runs: the learnability study's variants and the folders their results go to."""

from __future__ import annotations

from pathlib import Path

import pytest
from stable_baselines3 import PPO
from stable_baselines3.common.vec_env import VecEnv, VecNormalize

from agent.components.path_shaping import PathShaping
from agent.core.continual_ppo import ContinualPPO
from agent.core.ppo_defaults import default_ppo_config
from experiments.studies.learnability import variant_label
from experiments.studies.ppo_runs import evaluate, new_ppo, ppo_folder, ppo_setup, train


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


def test_observation_normalization_standardizes_training_and_evaluates_with_the_frozen_statistics(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    setup = ppo_setup(normalize_observations=True)
    assert setup["normalize_observations"] is True and ppo_folder(setup) != ppo_folder(ppo_setup(normalize_reward=True))
    model = new_ppo("winter", 0, setup | {"n_steps": 16, "batch_size": 64, "n_epochs": 1})
    training = model.get_vec_normalize_env()
    assert training is not None and training.norm_obs and not training.norm_reward
    train(model, 128)
    seen: list[VecEnv] = []

    def evaluate_policy_on(_model: PPO, env: VecEnv, **_: object) -> tuple[list[float], list[int]]:
        seen.append(env)
        return [1.0], [50]

    monkeypatch.setattr("experiments.studies.ppo_runs.evaluate_policy", evaluate_policy_on)
    evaluate(model, "winter", episodes=1)
    (env,) = seen
    assert isinstance(env, VecNormalize) and not env.training and env.norm_obs and not env.norm_reward
    assert env.obs_rms is not training.obs_rms and (env.obs_rms.mean == training.obs_rms.mean).all()


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
    setup = ppo_setup("linear", 2.0, "path", True, 1.0, True)
    assert variant_label(setup, Path("ppo.yaml")) == (
        ", learning rate 2x the default's, linear, the ppo: settings of ppo.yaml, trained with shaping by the path"
        " around obstacles, trained on rewards scaled by VecNormalize, observations standardized by VecNormalize,"
        " with the action-bound loss (weight 1)"
    )
