"""Evaluation of continual learners: rows of the return matrix and learning-curve points.

Every evaluation plays the same days with deterministic actions: the evaluation envs of a season
(up to ``MAX_EVAL_ENVS``, env ``i`` seeded ``EVAL_SEED + i``) are reseeded before every evaluation.
They are made from the run's env id (its config's ``env``), the env the learner trains on, and
returns are normalized with that env version's references.
"""

from __future__ import annotations

import numpy as np
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.evaluation import evaluate_policy
from stable_baselines3.common.vec_env import VecEnv

from agent import ContinualLearner
from agent.core.season_envs import DEFAULT_ENV_ID, season_vec_env
from envs import env_version
from envs.normalization import reference_returns

#: First evaluation day's seed (training envs use seeds far below it).
EVAL_SEED = 10_000
#: Evaluation envs per season: batched predictions, bounded memory.
MAX_EVAL_ENVS = 10


class SeasonEvaluator:
    """Mean returns of a policy on fixed evaluation days of each season (envs kept between calls)."""

    def __init__(self, seasons: list[str], episodes: int, env_id: str = DEFAULT_ENV_ID) -> None:
        if episodes < 1:
            raise ValueError(f"evaluation episodes must be >= 1, got {episodes}")
        self.episodes = episodes
        self.env_id = env_id
        self._envs: dict[str, VecEnv] = {}
        # Each env version has its own physics and gardener, so its own 0 (random) and 1 (gardener) references.
        version = env_version(env_id)
        self._references = {season: reference_returns(season, version=version) for season in dict.fromkeys(seasons)}

    def _env(self, season: str) -> VecEnv:
        if season not in self._envs:
            self._envs[season] = season_vec_env(season, min(self.episodes, MAX_EVAL_ENVS), EVAL_SEED, env_id=self.env_id)
        env = self._envs[season]
        env.seed(EVAL_SEED)  # the same days at every evaluation
        return env

    def mean_return(self, model: BaseAlgorithm, season: str) -> float:
        """Mean undiscounted return of ``model`` over this evaluator's days of ``season``."""
        returns, _ = evaluate_policy(
            model, self._env(season), n_eval_episodes=self.episodes, deterministic=True, return_episode_rewards=True
        )
        return float(np.mean(returns))

    def normalize(self, season: str, value: float) -> float:
        """0 = random policy, 1 = scripted gardener (cached reference returns)."""
        return float(self._references[season].normalize(value))

    def row(self, learner: ContinualLearner, seasons: list[str]) -> tuple[list[float], list[float]]:
        """Raw and normalized mean returns of the learner on each season of ``seasons``.

        NaN where the learner cannot act yet (a progressive network before the season's column).
        """
        raw = [
            self.mean_return(learner.acting_model(season), season) if learner.can_act(season) else float("nan")
            for season in seasons
        ]
        return raw, [self.normalize(season, value) for season, value in zip(seasons, raw, strict=True)]

    def close(self) -> None:
        """Close the evaluation envs."""
        for env in self._envs.values():
            env.close()
        self._envs.clear()
