"""``finetune``: one network keeps training season after season (the forgetting baseline).

Plain sequential fine-tuning, the lower bound of every continual-learning benchmark (e.g.
Continual World, Wołczyk et al. 2021): nothing protects what earlier seasons taught.

Each new season is explored afresh, as a fresh network would explore it, in two ways:

- the policy's state-independent log-std goes back to its initial value (``log_std_init``), so
  the exploration noise that shrank while an earlier season was learned does not keep the next
  one from being explored. The action means, which deterministic evaluation uses, are left
  untouched, so the reset changes no earlier season's evaluated return;
- the action means are kept inside the action box by the action-bound loss
  (:mod:`agent.components.action_bounds`, weight ``action_bound_coef``), from the first season on:
  means learned far outside the box clip every sample to the same action, so a later season
  could not explore there.

Why both, and what they measured: ``docs/methods.md`` (the winter plasticity probe is in
``docs/history.md``).

``replay`` and ``ewc`` are ``finetune`` plus a loss, and explore each season the same way.
"""

from __future__ import annotations

import functools
import operator
from pathlib import Path
from typing import Any, ClassVar

import torch as th
from stable_baselines3 import PPO
from stable_baselines3.common.type_aliases import RolloutBufferSamples

from agent.components.action_bounds import action_bound_loss
from agent.components.plasticity import l2_init_loss, shrink_and_perturb, weights
from agent.core.continual_ppo import AuxiliaryLoss
from agent.core.learner import ContinualLearner
from agent.core.options import check_option
from agent.core.season_envs import DEFAULT_ENV_ID


class Finetune(ContinualLearner):
    """One PPO network, created at the first season and trained on every season in turn.

    :param action_bound_coef: weight of the action-bound loss that keeps the policy's action
        means inside the action box (0: SB3's PPO update bit for bit)
    :param l2_init_coef: weight of an L2 pull toward the network's initial weights, a plasticity
        fix (:mod:`agent.components.plasticity`; 0: off)
    :param shrink_perturb: at each season after the first, the fraction of the way the weights move
        toward a freshly initialized network, a plasticity fix (0: off, 1: a fresh network)
    """

    method = "finetune"
    # Checkpoints saved before the action-bound loss existed were trained without it.
    legacy_options: ClassVar[dict[str, Any]] = {"action_bound_coef": 0.0}

    def __init__(
        self,
        ppo_config: dict[str, Any] | None = None,
        seed: int = 0,
        tensorboard_log: str | Path | None = None,
        torch_threads: int = 1,
        env_id: str = DEFAULT_ENV_ID,
        *,
        action_bound_coef: float = 1.0,
        l2_init_coef: float = 0.0,
        shrink_perturb: float = 0.0,
    ) -> None:
        check_option("action_bound_coef", action_bound_coef)
        check_option("l2_init_coef", l2_init_coef)
        check_option("shrink_perturb", shrink_perturb)
        if shrink_perturb > 1:
            raise ValueError(f"method option shrink_perturb must be within [0, 1], got {shrink_perturb!r}")
        super().__init__(ppo_config, seed, tensorboard_log, torch_threads, env_id)
        self.action_bound_coef = action_bound_coef
        self.l2_init_coef = l2_init_coef
        self.shrink_perturb = shrink_perturb
        #: The network's weights when it was created (the anchor of the L2 pull; kept only when it is on).
        self.initial_weights: dict[str, th.Tensor] = {}

    def _on_season_start(self, season: str) -> None:
        env = self.season_env(season)
        if self.model is None:
            self.model = self.new_model(env)
            if self.l2_init_coef > 0:
                self.initial_weights = {name: p.detach().clone() for name, p in weights(self.model.policy).items()}
        else:
            # Same weights and optimizer state; the data changes and exploration starts afresh.
            previous_env = self.model.get_env()
            self.model.set_env(env, force_reset=True)
            if previous_env is not None:
                previous_env.close()
            reset_exploration(self.model)
            if self.shrink_perturb > 0:
                shrink_and_perturb(self.model.policy, self.shrink_perturb)
        self.model.auxiliary_loss = sum_of(self.season_losses())

    def season_losses(self) -> list[AuxiliaryLoss]:
        """The terms added to every PPO minibatch loss this season (``replay`` and ``ewc`` add theirs).

        No action-bound loss with ``squash_output`` (gSDE's tanh already keeps actions in the box).
        """
        squashed = self._require_model().policy.squash_output
        losses: list[AuxiliaryLoss] = [self.bound_loss] if self.action_bound_coef > 0 and not squashed else []
        return [*losses, self.l2_init_loss] if self.l2_init_coef > 0 else losses

    def bound_loss(self, rollout_data: RolloutBufferSamples) -> th.Tensor:
        """``action_bound_coef`` times the action-bound loss on the minibatch's observations."""
        return self.action_bound_coef * action_bound_loss(self._require_model().policy, rollout_data.observations)

    def l2_init_loss(self, rollout_data: RolloutBufferSamples) -> th.Tensor:
        """``l2_init_coef`` times the squared distance of the weights from their initial values."""
        return self.l2_init_coef * l2_init_loss(self._require_model().policy, self.initial_weights)

    def method_state(self) -> dict[str, Any]:
        """The initial weights, when the L2 pull toward them is on."""
        return {"initial_weights": self.initial_weights} if self.initial_weights else {}

    def load_method_state(self, state: dict[str, Any]) -> None:
        """Inverse of :meth:`method_state`."""
        self.initial_weights = dict(state.get("initial_weights", {}))


def sum_of(losses: list[AuxiliaryLoss]) -> AuxiliaryLoss | None:
    """One auxiliary loss adding ``losses`` up (None for none: the update stays SB3's bit for bit)."""
    if not losses:
        return None
    if len(losses) == 1:
        return losses[0]

    def total(rollout_data: RolloutBufferSamples) -> th.Tensor:
        return functools.reduce(operator.add, [loss(rollout_data) for loss in losses])

    return total


def reset_exploration(model: PPO) -> None:
    """Put the policy's log-std back to its initial value (SB3's ``log_std_init``).

    With ``use_sde`` the log-std parametrizes the noise weights' scale; it is reset the same way.
    """
    with th.no_grad():
        model.policy.log_std.fill_(model.policy.log_std_init)
