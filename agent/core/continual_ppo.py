"""PPO with one seam for continual-learning losses: ``auxiliary_loss`` inside ``train()``.

Stable-Baselines3's callbacks cannot add a loss term (they run between rollouts and updates, not
inside the gradient step), so continual methods that regularize the policy (behaviour-cloning
replay, EWC) need the update itself. ``ContinualPPO.train`` is SB3 2.9's ``PPO.train`` (clip
version, Schulman et al. 2017, https://arxiv.org/abs/1707.06347) with exactly one addition: the
minibatch loss becomes ``loss + auxiliary_loss(rollout_data)`` when a hook is set, and the hook's
value is logged as ``train/auxiliary_loss``.

Checkpoints stay plain SB3 zips: ``stable_baselines3.PPO.load(path)`` opens them (the hook is
not saved; the learner attaches it again at each ``start_season``, also after loading).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch as th
from gymnasium import spaces
from stable_baselines3 import PPO
from stable_baselines3.common.type_aliases import RolloutBufferSamples
from stable_baselines3.common.utils import explained_variance
from torch.nn import functional as F

#: A loss term computed on a PPO minibatch (it may ignore the minibatch and draw its own data). With
#: the progressive policy's rollout buffer, ``observations`` carry cached frozen-column activations
#: as extra columns after the observation.
AuxiliaryLoss = Callable[[RolloutBufferSamples], th.Tensor]


def update_with_foreach(optimizer: th.optim.Optimizer) -> None:
    """Let an Adam optimizer update all its tensors at once (torch's ``foreach``) unless told otherwise.

    On CPU torch otherwise loops over the tensors in Python (its default ``foreach`` is for GPUs
    only). Both do the same arithmetic element by element, so the weights are the same bit for bit
    (the behaviour fixtures check it); the loop's per-tensor overhead is what goes.
    """
    if isinstance(optimizer, th.optim.Adam):
        for group in optimizer.param_groups:
            if group.get("foreach") is None:
                group["foreach"] = True


class ContinualPPO(PPO):
    """:class:`stable_baselines3.PPO` plus an optional auxiliary loss added to every minibatch loss.

    Set ``model.auxiliary_loss = fn`` (``fn(rollout_data) -> scalar tensor``) to regularize the
    update; ``None`` (the default) gives SB3's PPO update bit for bit.
    """

    auxiliary_loss: AuxiliaryLoss | None = None

    def _setup_model(self) -> None:
        super()._setup_model()
        # A rollout buffer that reads the policy (the progressive one caches frozen columns) gets it here,
        # on creation and on load alike.
        bind_policy = getattr(self.rollout_buffer, "bind_policy", None)
        if bind_policy is not None:
            bind_policy(self.policy)
        update_with_foreach(self.policy.optimizer)

    def set_parameters(
        self, load_path_or_dict: str | dict[str, Any], exact_match: bool = True, device: th.device | str = "auto"
    ) -> None:
        """SB3's ``set_parameters``; the loaded optimizer keeps updating all its tensors at once."""
        super().set_parameters(load_path_or_dict, exact_match=exact_match, device=device)
        # Loading an optimizer's state restores the saved ``foreach`` (None in zips saved before it was set).
        update_with_foreach(self.policy.optimizer)

    def _excluded_save_params(self) -> list[str]:
        # The hook is a bound method of the learner: attached at each season start, never pickled.
        return [*super()._excluded_save_params(), "auxiliary_loss"]

    # Longer than the project's 60 lines on purpose: this is SB3's PPO.train copied line for line (plus
    # the hook), so it stays diffable against SB3's. tests/agent/test_sb3_pin.py fails when SB3's changes.
    def train(self) -> None:
        """Update the policy on the rollout buffer (SB3 2.9's ``PPO.train`` plus the auxiliary-loss hook)."""
        self.policy.set_training_mode(True)
        self._update_learning_rate(self.policy.optimizer)
        clip_range = self.clip_range(self._current_progress_remaining)  # type: ignore[operator]
        if self.clip_range_vf is not None:
            clip_range_vf = self.clip_range_vf(self._current_progress_remaining)  # type: ignore[operator]

        entropy_losses, pg_losses, value_losses, clip_fractions, auxiliary_losses = [], [], [], [], []
        continue_training = True
        for epoch in range(self.n_epochs):
            approx_kl_divs = []
            for rollout_data in self.rollout_buffer.get(self.batch_size):
                actions = rollout_data.actions
                if isinstance(self.action_space, spaces.Discrete):
                    actions = rollout_data.actions.long().flatten()

                values, log_prob, entropy = self.policy.evaluate_actions(rollout_data.observations, actions)
                values = values.flatten()
                advantages = rollout_data.advantages
                if self.normalize_advantage and len(advantages) > 1:
                    advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)

                ratio = th.exp(log_prob - rollout_data.old_log_prob)
                policy_loss_1 = advantages * ratio
                policy_loss_2 = advantages * th.clamp(ratio, 1 - clip_range, 1 + clip_range)
                policy_loss = -th.min(policy_loss_1, policy_loss_2).mean()
                pg_losses.append(policy_loss.item())
                clip_fractions.append(th.mean((th.abs(ratio - 1) > clip_range).float()).item())

                if self.clip_range_vf is None:
                    values_pred = values
                else:
                    values_pred = rollout_data.old_values + th.clamp(
                        values - rollout_data.old_values, -clip_range_vf, clip_range_vf
                    )
                value_loss = F.mse_loss(rollout_data.returns, values_pred)
                value_losses.append(value_loss.item())

                entropy_loss = -th.mean(-log_prob) if entropy is None else -th.mean(entropy)
                entropy_losses.append(entropy_loss.item())

                loss = policy_loss + self.ent_coef * entropy_loss + self.vf_coef * value_loss
                # The one addition to SB3's update: the continual method's loss term.
                if self.auxiliary_loss is not None:
                    auxiliary = self.auxiliary_loss(rollout_data)
                    auxiliary_losses.append(auxiliary.item())
                    loss = loss + auxiliary

                with th.no_grad():
                    log_ratio = log_prob - rollout_data.old_log_prob
                    approx_kl_div = th.mean((th.exp(log_ratio) - 1) - log_ratio).cpu().numpy()
                    approx_kl_divs.append(approx_kl_div)
                if self.target_kl is not None and approx_kl_div > 1.5 * self.target_kl:
                    continue_training = False
                    if self.verbose >= 1:
                        print(f"Early stopping at step {epoch} due to reaching max kl: {approx_kl_div:.2f}")
                    break

                self.policy.optimizer.zero_grad()
                loss.backward()
                th.nn.utils.clip_grad_norm_(self.policy.parameters(), self.max_grad_norm)
                self.policy.optimizer.step()

            self._n_updates += 1
            if not continue_training:
                break

        explained_var = explained_variance(self.rollout_buffer.values.flatten(), self.rollout_buffer.returns.flatten())
        self.logger.record("train/entropy_loss", np.mean(entropy_losses))
        self.logger.record("train/policy_gradient_loss", np.mean(pg_losses))
        self.logger.record("train/value_loss", np.mean(value_losses))
        if auxiliary_losses:
            self.logger.record("train/auxiliary_loss", np.mean(auxiliary_losses))
        self.logger.record("train/approx_kl", np.mean(approx_kl_divs))
        self.logger.record("train/clip_fraction", np.mean(clip_fractions))
        self.logger.record("train/loss", loss.item())
        self.logger.record("train/explained_variance", explained_var)
        if hasattr(self.policy, "log_std"):
            self.logger.record("train/std", th.exp(self.policy.log_std).mean().item())
        self.logger.record("train/n_updates", self._n_updates, exclude="tensorboard")
        self.logger.record("train/clip_range", clip_range)
        if self.clip_range_vf is not None:
            self.logger.record("train/clip_range_vf", clip_range_vf)
