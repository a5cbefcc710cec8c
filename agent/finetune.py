"""``finetune``: one network keeps training season after season (the forgetting baseline).

Plain sequential fine-tuning, the lower bound of every continual-learning benchmark (e.g.
Continual World, Wołczyk et al. 2021): nothing protects what earlier seasons taught.

Each new season is explored afresh: the policy's state-independent log-std goes back to its
initial value (``log_std_init``), as a fresh network's would. Without it the exploration noise
that shrank while the first season was learned stays small, and later seasons are learned far
less (an exploratory run on an intermediate design of the seasons, seed 0, 100,000 steps per
season: winter 0.38 after three earlier seasons, against 0.57 with the reset). The action
means, which deterministic evaluation uses, are left untouched, so the reset changes no
earlier season's evaluated return.
"""

from __future__ import annotations

import torch as th
from stable_baselines3 import PPO

from agent.learner import ContinualLearner


class Finetune(ContinualLearner):
    """One PPO network, created at the first season and trained on every season in turn."""

    method = "finetune"

    def _on_season_start(self, season: str) -> None:
        env = self.season_env(season)
        if self.model is None:
            self.model = self.new_model(env)
        else:
            # Same weights and optimizer state; the data changes and exploration starts afresh.
            previous_env = self.model.get_env()
            self.model.set_env(env, force_reset=True)
            if previous_env is not None:
                previous_env.close()
            reset_exploration(self.model)


def reset_exploration(model: PPO) -> None:
    """Put the policy's log-std back to its initial value (SB3's ``log_std_init``).

    With ``use_sde`` the log-std parametrizes the noise weights' scale; it is reset the same way.
    """
    with th.no_grad():
        model.policy.log_std.fill_(model.policy.log_std_init)
