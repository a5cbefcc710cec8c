"""A rollout buffer that caches the frozen progressive columns' activations once per rollout."""

from __future__ import annotations

import numpy as np
import torch as th
from stable_baselines3.common.buffers import RolloutBuffer
from stable_baselines3.common.type_aliases import RolloutBufferSamples
from stable_baselines3.common.vec_env import VecNormalize

from agent.components.progressive.policy import ProgressiveActorCriticPolicy


class FrozenColumnsRolloutBuffer(RolloutBuffer):
    """SB3's rollout buffer that computes the frozen columns once per rollout, not once per minibatch.

    PPO passes every rollout state through the policy ``n_epochs`` times; frozen columns give the
    same activations every time. After a rollout, this buffer computes them for all its states
    in one batch and hands each minibatch its rows appended to the observations; the progressive
    extractor recognizes the extra width and reads them instead of recomputing the columns. The
    result is the same function; only the training step gets cheaper. Without a bound policy it
    is SB3's buffer.
    """

    policy: ProgressiveActorCriticPolicy | None = None
    _augmented: th.Tensor | None = None

    def bind_policy(self, policy: ProgressiveActorCriticPolicy) -> None:
        """The policy whose frozen columns to cache (ContinualPPO binds it when it builds the buffer)."""
        self.policy = policy

    def reset(self) -> None:
        super().reset()
        self._augmented = None

    def _get_samples(self, batch_inds: np.ndarray, env: VecNormalize | None = None) -> RolloutBufferSamples:
        samples = super()._get_samples(batch_inds, env)
        if self.policy is None or self.policy.mlp_extractor.cache_width == 0:
            return samples
        if self._augmented is None:  # observations are flattened by now: (buffer_size * n_envs, obs_dim)
            observations = self.to_torch(self.observations)
            self._augmented = th.cat([observations, self.policy.mlp_extractor.frozen_activations(observations)], dim=1)
        return samples._replace(observations=self._augmented[th.as_tensor(batch_inds)])
