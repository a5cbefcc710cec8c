"""``ewc``: online elastic weight consolidation (the regularization baseline).

At the end of each season the learner plays the season with its final policy and computes the
diagonal Fisher information of its Gaussian policy in closed form on the visited states::

    F_p = mean_s sum_j (d mu_j(s) / d theta_p)^2 / sigma_j^2

(the policy's state-independent log-std contributes no term for the network's weights; this is
the true Fisher of the policy, not squared minibatch-loss gradients). Each season's Fisher is
normalized to mean 1 and accumulated with a decay, ``F <- decay * F + F_season`` (online EWC,
Schwarz et al. 2018, https://arxiv.org/abs/1805.06370), and the anchor moves to the latest
parameters. Later seasons add ``lambda / 2 * sum_p F_p (theta_p - theta*_p)^2`` to every PPO
minibatch loss (Kirkpatrick et al. 2017, https://arxiv.org/abs/1612.00796) through
:class:`~agent.core.continual_ppo.ContinualPPO`'s auxiliary-loss hook.

The penalty covers the actor's shared weights (policy MLP and action-mean layer); the critic and
the log-std are left free, as Continual World does, since regularizing them costs plasticity.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch as th
from stable_baselines3.common.type_aliases import RolloutBufferSamples

from agent.components.fisher import gaussian_policy_fisher, regularized_parameters
from agent.core.continual_ppo import AuxiliaryLoss
from agent.core.options import check_option
from agent.core.season_envs import DEFAULT_ENV_ID
from agent.methods.finetune import Finetune


class EWC(Finetune):
    """One PPO network held near its past seasons' parameters by a Fisher-weighted penalty.

    :param ewc_lambda: penalty weight lambda (the Fisher is normalized to mean 1 per season)
    :param fisher_decay: online-EWC decay of the accumulated Fisher at each new season (1: plain sum)
    :param fisher_states: states collected with the season's final policy to estimate its Fisher
        (counted as environment steps in the compute accounting)
    :param action_bound_coef: weight of ``finetune``'s action-bound loss
    :param l2_init_coef: weight of ``finetune``'s L2 pull toward the initial weights (0: off)
    :param shrink_perturb: ``finetune``'s shrink-and-perturb fraction at each season's start (0: off)
    """

    method = "ewc"
    supports_sde = False  # its losses and columns use a state-independent Gaussian log-std

    def __init__(
        self,
        ppo_config: dict[str, Any] | None = None,
        seed: int = 0,
        tensorboard_log: str | Path | None = None,
        torch_threads: int = 1,
        env_id: str = DEFAULT_ENV_ID,
        *,
        ewc_lambda: float = 1.0,
        fisher_decay: float = 0.9,
        fisher_states: int = 2_048,
        action_bound_coef: float = 1.0,
        l2_init_coef: float = 0.0,
        shrink_perturb: float = 0.0,
    ) -> None:
        check_option("ewc_lambda", ewc_lambda)
        check_option("fisher_decay", fisher_decay)
        check_option("fisher_states", fisher_states, integer=True, positive=True)
        if fisher_decay > 1:
            raise ValueError(f"method option fisher_decay must be within [0, 1], got {fisher_decay!r}")
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
        self.ewc_lambda = ewc_lambda
        self.fisher_decay = fisher_decay
        self.fisher_states = fisher_states
        self.fisher: dict[str, th.Tensor] = {}
        self.anchor: dict[str, th.Tensor] = {}

    def season_losses(self) -> list[AuxiliaryLoss]:
        """``finetune``'s terms plus the penalty once a season has ended (no anchor before)."""
        return [*super().season_losses(), self.penalty] if self.fisher else super().season_losses()

    def _on_season_end(self, season: str) -> None:
        model = self._require_model()
        with self.season_work(env_steps=self.fisher_states):
            observations = self.season_states(model, self.fisher_states, self.env_seed() + 500)
            season_fisher = gaussian_policy_fisher(model.policy, th.as_tensor(observations))
            scale = th.cat([f.flatten() for f in season_fisher.values()]).mean().clamp_min(1e-12)
            for name, f in season_fisher.items():
                previous = self.fisher.get(name)
                self.fisher[name] = f / scale if previous is None else self.fisher_decay * previous + f / scale
            self.anchor = {name: p.detach().clone() for name, p in regularized_parameters(model.policy).items()}

    def penalty(self, rollout_data: RolloutBufferSamples) -> th.Tensor:
        """``lambda / 2 * sum_p F_p (theta_p - theta*_p)^2`` over the anchored parameters."""
        parameters = regularized_parameters(self._require_model().policy)
        total = sum(((self.fisher[n] * (parameters[n] - self.anchor[n]) ** 2).sum() for n in self.fisher), th.zeros(()))
        return 0.5 * self.ewc_lambda * total

    def memory_bytes(self) -> int:
        """Bytes of the accumulated Fisher and the anchor."""
        return sum(t.numel() * t.element_size() for t in [*self.fisher.values(), *self.anchor.values()])

    def method_state(self) -> dict[str, Any]:
        """The accumulated Fisher and the anchor parameters."""
        return {**super().method_state(), "fisher": self.fisher, "anchor": self.anchor}

    def load_method_state(self, state: dict[str, Any]) -> None:
        """Inverse of :meth:`method_state`."""
        super().load_method_state(state)
        self.fisher = dict(state["fisher"])
        self.anchor = dict(state["anchor"])
