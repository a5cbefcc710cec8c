"""Shared pieces of the PPO benchmark scripts: season envs, training, normalized evaluation, results.

Every benchmark writes one JSON file per finished run and skips runs whose file exists, so a
long benchmark continues where it stopped when started again.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from stable_baselines3 import PPO
from stable_baselines3.common.evaluation import evaluate_policy

import envs  # noqa: F401  (registers the ids)
from agent.core.ppo_defaults import ppo_kwargs
from agent.core.season_envs import season_vec_env
from agent.methods.finetune import reset_exploration
from envs.atomic_io import atomic_write_json
from envs.normalization import reference_returns
from experiments import RESULTS
from experiments.pipeline.evaluation import EVAL_SEED


def new_ppo(season: str, seed: int, config: dict[str, Any] | None = None) -> PPO:
    """A fresh PPO with the project's default hyperparameters on ``season`` (1 torch thread)."""
    torch.set_num_threads(1)
    n_envs, kwargs = ppo_kwargs(config)
    return PPO("MlpPolicy", season_vec_env(season, n_envs, seed), seed=seed, device="cpu", verbose=0, **kwargs)


def switch_season(model: PPO, season: str, seed: int) -> None:
    """Point a model at another season's envs (same spaces), keeping its weights; explore afresh as ``finetune`` does."""
    model.set_env(season_vec_env(season, model.n_envs, seed), force_reset=True)
    reset_exploration(model)


def train(model: PPO, steps: int) -> float:
    """Train for ``steps`` env steps; return the wall seconds."""
    start = time.perf_counter()
    model.learn(steps, reset_num_timesteps=False)
    return time.perf_counter() - start


def evaluate(model: PPO, season: str, episodes: int = 20) -> dict[str, float]:
    """Mean return and normalized return over ``episodes`` fixed days (deterministic actions)."""
    env = season_vec_env(season, 1, EVAL_SEED)
    returns, _ = evaluate_policy(model, env, n_eval_episodes=episodes, deterministic=True, return_episode_rewards=True)
    env.close()
    mean = float(np.mean(returns))
    return {"return": mean, "normalized": float(reference_returns(season).normalize(mean))}


def result_path(benchmark: str, name: str) -> Path:
    """Where a run's result JSON lives."""
    return RESULTS / benchmark / f"{name}.json"


def load_result(benchmark: str, name: str) -> dict[str, Any] | None:
    """A finished run's result, or None."""
    path = result_path(benchmark, name)
    return json.loads(path.read_text()) if path.is_file() else None


def save_result(benchmark: str, name: str, result: dict[str, Any]) -> None:
    """Write a run's result atomically (temp file, then rename)."""
    atomic_write_json(result_path(benchmark, name), result)
