"""``finetune``: one network keeps training season after season (the forgetting baseline).

Plain sequential fine-tuning, the lower bound of every continual-learning benchmark (e.g.
Continual World, Wołczyk et al. 2021): nothing protects what earlier seasons taught.
"""

from __future__ import annotations

from agent.learner import ContinualLearner


class Finetune(ContinualLearner):
    """One PPO network, created at the first season and trained on every season in turn."""

    method = "finetune"

    def _on_season_start(self, season: str) -> None:
        env = self.season_env(season)
        if self.model is None:
            self.model = self.new_model(env)
        else:
            # Same weights and optimizer state; only the data changes.
            previous_env = self.model.get_env()
            self.model.set_env(env, force_reset=True)
            if previous_env is not None:
                previous_env.close()
