"""``retrain``: at season k, a fresh network trained from scratch on all k seasons seen so far.

What a user does today when the garden changes and the old data is still there: throw the
policy away and retrain on everything (multi-task training, the usual upper reference of
continual-learning benchmarks), paying k times the per-season budget at season k.
"""

from __future__ import annotations

from agent.core.learner import ContinualLearner
from agent.core.season_envs import mixed_season_vec_env


class Retrain(ContinualLearner):
    """A new PPO network per season on one vec env mixing seasons 1..k, with k times the budget."""

    method = "retrain"

    def season_timesteps(self, timesteps: int) -> int:
        """k times the per-season budget at the k-th season."""
        return timesteps * len(self.seasons)

    def _on_season_start(self, season: str) -> None:
        env = mixed_season_vec_env(self.seasons, self.n_envs, self.env_seed(), env_id=self.env_id)
        self._replace_model(self.new_model(env, seed=self.env_seed()))
