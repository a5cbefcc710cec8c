"""``replay``: behaviour-cloning replay of earlier seasons (CLEAR-style cloning for PPO).

At the end of each season the learner plays that season with its final policy, keeps a bounded
memory of the states it visits (season one-hot included) with the policy's action mean, log-std
and value there (:class:`~agent.components.replay_memory.ReplayMemory`). While later seasons train, every
PPO minibatch adds, on a replayed batch of the same size drawn evenly from the stored seasons::

    beta_policy * KL(pi_old(.|s) || pi(.|s)) + beta_value * (V(s) - V_old(s))^2

(the policy- and value-cloning losses of CLEAR, Rolnick et al. 2019,
https://arxiv.org/abs/1811.11682; replaying states and cloning behaviour rather than replaying
transitions into the RL loss, as ClonEx does, Wołczyk et al. 2022, https://arxiv.org/abs/2209.13900).
The loss enters through :class:`~agent.core.continual_ppo.ContinualPPO`'s one auxiliary-loss hook.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch as th
from stable_baselines3.common.type_aliases import RolloutBufferSamples

from agent.components.cloning import cloning_loss, policy_targets
from agent.components.replay_memory import MemoryCheckpoint, ReplayMemory, check_cloning_options
from agent.core.continual_ppo import AuxiliaryLoss
from agent.core.season_envs import DEFAULT_ENV_ID
from agent.methods.finetune import Finetune
from envs.season_spec import resolve_season


class Replay(MemoryCheckpoint, Finetune):
    """One PPO network trained season after season, cloning its own past behaviour on replayed states.

    :param states_per_season: states kept from each season (collected with its final policy;
        counted as environment steps in the compute accounting)
    :param total_states: optional cap on the whole memory, enforced by reservoir sampling
    :param beta_policy: weight of the policy-cloning KL (SB3's losses are batch means)
    :param beta_value: weight of the value-cloning squared error
    :param action_bound_coef: weight of ``finetune``'s action-bound loss
    :param l2_init_coef: weight of ``finetune``'s L2 pull toward the initial weights (0: off)
    :param shrink_perturb: ``finetune``'s shrink-and-perturb fraction at each season's start (0: off)
    """

    method = "replay"
    supports_sde = False  # its losses and columns use a state-independent Gaussian log-std

    def __init__(
        self,
        ppo_config: dict[str, Any] | None = None,
        seed: int = 0,
        tensorboard_log: str | Path | None = None,
        torch_threads: int = 1,
        env_id: str = DEFAULT_ENV_ID,
        *,
        states_per_season: int = 10_000,
        total_states: int | None = None,
        beta_policy: float = 1.0,
        beta_value: float = 0.5,
        action_bound_coef: float = 1.0,
        l2_init_coef: float = 0.0,
        shrink_perturb: float = 0.0,
    ) -> None:
        check_cloning_options(states_per_season, total_states, beta_policy, beta_value)
        super().__init__(
            ppo_config,
            seed,
            tensorboard_log,
            torch_threads,
            env_id,
            action_bound_coef=action_bound_coef,
            l2_init_coef=l2_init_coef,
            shrink_perturb=shrink_perturb,
        )
        self.states_per_season = states_per_season
        self.total_states = total_states
        self.beta_policy = beta_policy
        self.beta_value = beta_value
        self.memory = ReplayMemory(states_per_season, total_states, seed=seed)

    def season_losses(self) -> list[AuxiliaryLoss]:
        """``finetune``'s terms plus behaviour cloning once a season has ended (nothing to clone before)."""
        return [*super().season_losses(), self.cloning_loss] if len(self.memory) else super().season_losses()

    def _on_season_end(self, season: str) -> None:
        with self.season_work(env_steps=self.states_per_season):
            model = self._require_model()
            states = self.season_states(model, self.states_per_season, self.env_seed() + 500)
            targets = (states, *policy_targets(model, states))
            self.memory.add_season(*targets, slot=resolve_season(season).index)

    def cloning_loss(self, rollout_data: RolloutBufferSamples) -> th.Tensor:
        """``beta_policy * KL + beta_value * value error`` on a replayed batch the minibatch's size."""
        batch = self.memory.sample(len(rollout_data.observations))
        return cloning_loss(self._require_model().policy, batch, self.beta_policy, self.beta_value)
