"""The documented PPO defaults load, and SB3 PPO trains on the garden with them."""

from __future__ import annotations

import numpy as np
from stable_baselines3 import PPO
from stable_baselines3.common.env_util import make_vec_env

import envs  # noqa: F401
from agent.core.ppo_defaults import default_ppo_config, ppo_kwargs


def test_defaults_split_into_n_envs_and_ppo_kwargs() -> None:
    config = default_ppo_config()
    n_envs, kwargs = ppo_kwargs(config)
    assert n_envs == config["n_envs"] and "n_envs" not in kwargs
    assert kwargs["policy_kwargs"]["net_arch"] == {"pi": [128, 128], "vf": [128, 128]}
    assert default_ppo_config() == config  # a fresh copy each time


def test_ppo_learns_a_few_steps_on_the_garden() -> None:
    config = {**default_ppo_config(), "n_envs": 2, "n_steps": 64, "batch_size": 64, "n_epochs": 2}
    n_envs, kwargs = ppo_kwargs(config)
    venv = make_vec_env("GardenWatering-v0", n_envs=n_envs, seed=0, env_kwargs={"season": "summer", "observe_season": True})
    model = PPO("MlpPolicy", venv, seed=0, device="cpu", **kwargs)
    before = [p.detach().clone() for p in model.policy.parameters()]
    model.learn(256)
    assert model.num_timesteps == 256
    assert any(
        not np.array_equal(a.numpy(), b.detach().numpy()) for a, b in zip(before, model.policy.parameters(), strict=True)
    )
    action, _ = model.predict(venv.reset(), deterministic=True)
    assert action.shape == (2, 3)
