"""Shared pieces of the PPO benchmark scripts: season envs, training, normalized evaluation, results.

Every benchmark writes one JSON file per finished run, in a folder per env id and PPO set-up
(``docs/results/BENCHMARK/GardenWatering-vN/ppo-HASH/``, the folder's ``ppo.json`` saying which),
and skips runs whose file exists, so a long benchmark continues where it stopped when started
again, and a change of the project's PPO defaults trains the runs again beside the old ones.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch
from stable_baselines3 import PPO
from stable_baselines3.common.evaluation import evaluate_policy
from stable_baselines3.common.vec_env import VecEnv, VecNormalize, sync_envs_normalization

import envs
from agent.components.action_bounds import action_bound_hook
from agent.components.path_shaping import PathShaping
from agent.core.continual_ppo import ContinualPPO
from agent.core.ppo_defaults import default_ppo_config, ppo_kwargs
from agent.core.season_envs import DEFAULT_ENV_ID, season_vec_env
from agent.methods.finetune import reset_exploration
from envs.atomic_io import atomic_write_json
from envs.normalization import reference_returns
from experiments import RESULTS
from experiments.pipeline.evaluation import EVAL_SEED

#: How the learning rate moves through a run: SB3's constant rate, or annealed linearly to 0 (the
#: PPO paper's Atari set-up; Huang et al. 2022, "The 37 implementation details of PPO").
LR_SCHEDULES = ("constant", "linear")
#: Training-time reward shaping on top of the env's reward: none, or by the path around obstacles
#: (:class:`agent.components.path_shaping.PathShaping`).
SHAPINGS = ("none", "path")


def ppo_setup(
    lr_schedule: str = "constant",
    lr_scale: float = 1.0,
    shaping: str = "none",
    normalize_reward: bool = False,
    action_bound_coef: float = 0.0,
    normalize_observations: bool = False,
) -> dict[str, Any]:
    """The project's PPO defaults, with the study's variants when given.

    The variants: a learning-rate schedule and scale, training-time shaping, rewards scaled by a
    running estimate of the return's standard deviation (SB3's ``VecNormalize(norm_reward=True)``,
    the PPO implementations' reward scaling, Engstrom et al. 2020, https://arxiv.org/abs/2005.12729),
    observations standardized by running statistics (``VecNormalize(norm_obs=True)``, rl-zoo3's
    ``normalize: true``), and the continual learners' action-bound loss
    (:mod:`agent.components.action_bounds`).
    The result is what names the results folder (:func:`ppo_folder`): the defaults' own folder
    without variants.
    """
    if lr_schedule not in LR_SCHEDULES:
        raise ValueError(f"unknown learning-rate schedule {lr_schedule!r}; valid: {', '.join(LR_SCHEDULES)}")
    if not lr_scale > 0:
        raise ValueError(f"the learning-rate scale must be > 0, got {lr_scale}")
    if shaping not in SHAPINGS:
        raise ValueError(f"unknown shaping {shaping!r}; valid: {', '.join(SHAPINGS)}")
    if not action_bound_coef >= 0:
        raise ValueError(f"the action-bound coefficient must be >= 0, got {action_bound_coef}")
    setup = default_ppo_config()
    if (lr_schedule, lr_scale) != ("constant", 1.0):
        setup |= {"lr_schedule": lr_schedule, "lr_scale": lr_scale}
    if shaping != "none":
        setup["shaping"] = shaping
    if normalize_reward:
        setup["normalize_reward"] = True
    if action_bound_coef > 0:
        setup["action_bound_coef"] = action_bound_coef
    if normalize_observations:
        setup["normalize_observations"] = True
    return setup


def new_ppo(season: str, seed: int, config: dict[str, Any] | None = None, env_id: str = DEFAULT_ENV_ID) -> PPO:
    """A fresh PPO with the project's default hyperparameters on ``season`` of ``env_id`` (1 torch thread).

    ``config``: PPO settings over the defaults; ``lr_schedule`` and ``lr_scale`` (see :func:`ppo_setup`)
    make the learning rate ``scale * rate``, constant or annealed linearly to 0 over one ``learn``;
    ``shaping: path`` trains on the env's reward plus :class:`PathShaping` (with PPO's gamma), and
    ``normalize_reward: true`` on rewards scaled by SB3's ``VecNormalize``, ``normalize_observations:
    true`` on observations standardized by it (:func:`evaluate` then uses the training statistics,
    frozen); ``action_bound_coef > 0`` makes it a
    :class:`ContinualPPO` with that weight of the action-bound loss in every minibatch loss.
    """
    torch.set_num_threads(1)
    config = dict(config) if config is not None else default_ppo_config()
    schedule, scale = config.pop("lr_schedule", "constant"), float(config.pop("lr_scale", 1.0))
    shaping, normalize_reward = config.pop("shaping", "none"), bool(config.pop("normalize_reward", False))
    normalize_observations = bool(config.pop("normalize_observations", False))
    bound_coef = float(config.pop("action_bound_coef", 0.0))
    n_envs, kwargs = ppo_kwargs(config)
    rate = scale * float(kwargs.pop("learning_rate"))
    # SB3 calls the schedule with the share of the run still to go: 1 at the start, 0 at the end.
    learning_rate: float | Callable[[float], float] = (lambda remaining: rate * remaining) if schedule == "linear" else rate
    wrapper = partial(PathShaping, gamma=float(kwargs["gamma"])) if shaping == "path" else None
    env = season_vec_env(season, n_envs, seed, env_id, wrapper)
    if normalize_reward or normalize_observations:
        gamma = float(kwargs["gamma"])
        env = VecNormalize(env, norm_obs=normalize_observations, norm_reward=normalize_reward, gamma=gamma)
    if bound_coef == 0:
        return PPO("MlpPolicy", env, seed=seed, device="cpu", verbose=0, learning_rate=learning_rate, **kwargs)
    model = ContinualPPO("MlpPolicy", env, seed=seed, device="cpu", verbose=0, learning_rate=learning_rate, **kwargs)
    model.auxiliary_loss = action_bound_hook(model, bound_coef)
    return model


def switch_season(model: PPO, season: str, seed: int, env_id: str = DEFAULT_ENV_ID) -> None:
    """Point a model at another season's envs (same spaces), keeping its weights; explore afresh as ``finetune`` does."""
    model.set_env(season_vec_env(season, model.n_envs, seed, env_id), force_reset=True)
    reset_exploration(model)


def train(model: PPO, steps: int) -> float:
    """Train for ``steps`` env steps; return the wall seconds."""
    start = time.perf_counter()
    model.learn(steps, reset_num_timesteps=False)
    return time.perf_counter() - start


def evaluate(model: PPO, season: str, episodes: int = 20, env_id: str = DEFAULT_ENV_ID) -> dict[str, float]:
    """Mean return and normalized return (the references of ``env_id``'s version) over ``episodes`` fixed days."""
    env: VecEnv = season_vec_env(season, 1, EVAL_SEED, env_id)
    training_statistics = model.get_vec_normalize_env()
    if training_statistics is not None and training_statistics.norm_obs:
        # The policy sees observations standardized as in training: its statistics, frozen, raw rewards.
        env = VecNormalize(env, training=False, norm_reward=False, clip_obs=training_statistics.clip_obs)
        sync_envs_normalization(training_statistics, env)
    returns, _ = evaluate_policy(model, env, n_eval_episodes=episodes, deterministic=True, return_episode_rewards=True)
    env.close()
    mean = float(np.mean(returns))
    return {"return": mean, "normalized": normalized(season, mean, env_id)}


def normalized(season: str, episode_return: float, env_id: str) -> float:
    """A raw return of ``season`` on ``env_id``, normalized with that env version's current reference returns."""
    return float(reference_returns(season, version=envs.env_version(env_id)).normalize(episode_return))


def ppo_folder(config: dict[str, Any] | None = None) -> str:
    """``ppo-HASH``: the results folder of a PPO set-up (default: the project's defaults), from its content."""
    canonical = json.dumps(config if config is not None else default_ppo_config(), sort_keys=True)
    return "ppo-" + hashlib.sha256(canonical.encode()).hexdigest()[:8]


def result_path(benchmark: str, env_id: str, name: str, setup: dict[str, Any] | None = None) -> Path:
    """Where a run's result JSON lives: the folder of its PPO set-up (default: the project's current PPO defaults)."""
    return RESULTS / benchmark / env_id / ppo_folder(setup) / f"{name}.json"


def load_result(benchmark: str, env_id: str, name: str, setup: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """A finished run's result, or None."""
    path = result_path(benchmark, env_id, name, setup)
    return json.loads(path.read_text()) if path.is_file() else None


def save_result(benchmark: str, env_id: str, name: str, result: dict[str, Any], setup: dict[str, Any] | None = None) -> None:
    """Write a run's result atomically (temp file, then rename), and the PPO set-up beside it once."""
    path = result_path(benchmark, env_id, name, setup)
    if not (path.parent / "ppo.json").is_file():
        atomic_write_json(path.parent / "ppo.json", setup if setup is not None else default_ppo_config())
    atomic_write_json(path, result)
