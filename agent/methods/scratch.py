"""``scratch``: a fresh network for each season (the single-season reference).

Its learning curve on each season is the reference of forward transfer (Continual World's
``AUC_scratch``, Wołczyk et al. 2021), and its diagonal is what one season's budget buys alone.
"""

from __future__ import annotations

from agent.core.learner import ContinualLearner


class Scratch(ContinualLearner):
    """A new, randomly initialized PPO network at the start of every season; the last one acts."""

    method = "scratch"

    def _on_season_start(self, season: str) -> None:
        # Seeded by position, so season k's network does not depend on what came before.
        self._replace_model(self.new_model(self.season_env(season), seed=self.env_seed()))
