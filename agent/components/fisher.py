"""The closed-form diagonal Fisher information of SB3's Gaussian policy (for EWC).

For a Gaussian policy with a state-independent log-std, the Fisher of the action mean's weights is::

    F_p = mean_s sum_j (d mu_j(s) / d theta_p)^2 / sigma_j^2

computed with ``torch.func`` per-sample Jacobians (the true Fisher of the policy, not squared
minibatch-loss gradients). Elastic weight consolidation, Kirkpatrick et al. 2017,
https://arxiv.org/abs/1612.00796.
"""

from __future__ import annotations

import torch as th
from stable_baselines3.common.policies import ActorCriticPolicy
from torch import nn
from torch.func import functional_call, jacrev, vmap

#: Prefixes of the policy's parameters the penalty anchors (SB3's MlpPolicy actor).
REGULARIZED_PREFIXES = ("features_extractor.", "pi_features_extractor.", "mlp_extractor.policy_net.", "action_net.")


def regularized_parameters(policy: ActorCriticPolicy) -> dict[str, nn.Parameter]:
    """The actor parameters EWC anchors, by name."""
    return {name: p for name, p in policy.named_parameters() if name.startswith(REGULARIZED_PREFIXES)}


class _ActionMean(nn.Module):
    """The actor's action mean as a module of the policy's parameters (for ``torch.func``)."""

    def __init__(self, policy: ActorCriticPolicy) -> None:
        super().__init__()
        self.policy = policy

    def forward(self, observations: th.Tensor) -> th.Tensor:
        features = self.policy.extract_features(observations)
        if isinstance(features, tuple):  # separate actor and critic extractors: (actor's, critic's)
            features = features[0]
        return self.policy.action_net(self.policy.mlp_extractor.forward_actor(features))


def gaussian_policy_fisher(policy: ActorCriticPolicy, observations: th.Tensor, chunk: int = 256) -> dict[str, th.Tensor]:
    """Closed-form diagonal Fisher of a state-independent-std Gaussian policy on ``observations``.

    Per-sample Jacobians of the action mean (``torch.func.vmap(jacrev(...))``), squared, divided
    by the action variance, summed over action dimensions and averaged over states.
    """
    policy.set_training_mode(False)
    action_mean = _ActionMean(policy)
    params = {f"policy.{name}": p.detach() for name, p in regularized_parameters(policy).items()}
    inverse_variance = th.exp(-2 * policy.log_std.detach())  # (action_dim,)

    def mean_of_one(parameters: dict[str, th.Tensor], observation: th.Tensor) -> th.Tensor:
        return functional_call(action_mean, parameters, (observation.unsqueeze(0),)).squeeze(0)

    per_sample_jacobian = vmap(jacrev(mean_of_one), in_dims=(None, 0))
    fisher = {name: th.zeros_like(p) for name, p in params.items()}
    for start in range(0, len(observations), chunk):
        jacobians = per_sample_jacobian(params, observations[start : start + chunk])
        for name, jacobian in jacobians.items():  # (batch, action_dim, *parameter shape)
            weights = inverse_variance.view(1, -1, *([1] * (jacobian.dim() - 2)))
            fisher[name] += (jacobian**2 * weights).sum(dim=(0, 1))
    return {name.removeprefix("policy."): f / len(observations) for name, f in fisher.items()}
