"""The action-bound loss: keep a Gaussian policy's action means inside the action box.

The garden's actions live in [-1, 1] and SB3 clips what the policy samples. A network trained
for a season can learn means far outside the box where full throttle pays (``docs/methods.md``
says how often); there every sample clips to the same action, so exploration in that dimension is gone
and the next season's gradient has nothing to follow. The penalty
``sum_a relu(mu_a - high_a)^2 + relu(low_a - mu_a)^2`` (``sum_a relu(|mu_a| - 1)^2`` for the
garden's box) is zero inside the box and pulls means back to its edge, where the noise still
changes what the robot does. It is the
``bounds_loss`` of rl_games, used by Isaac Gym's PPO agents (Makoviychuk et al. 2021,
https://arxiv.org/abs/2108.10470).
"""

from __future__ import annotations

from collections.abc import Callable

import torch as th
from gymnasium import spaces
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.policies import ActorCriticPolicy
from stable_baselines3.common.type_aliases import RolloutBufferSamples


def action_bound_loss(policy: ActorCriticPolicy, observations: th.Tensor) -> th.Tensor:
    """Batch mean of ``sum_a relu(mu_a(s) - high_a)^2 + relu(low_a - mu_a(s))^2`` over the policy's action box.

    Zero while every action mean is inside the box. The means are first computed without a graph:
    when all are inside, the loss and its gradient are exactly zero and a constant zero is returned
    (adding it to a loss changes no bit of the loss or of any gradient); only otherwise is the
    actor's forward pass run again with a graph, so that the gradient reaches it.
    """
    with th.no_grad():
        mean = action_means(policy, observations)
        low, high = box_bounds(policy, mean)
        # NaN means count as outside, so that a broken network's loss stays NaN.
        inside = bool(((mean >= low) & (mean <= high)).all())
    if inside:
        return mean.new_zeros(())
    mean = action_means(policy, observations)
    return (th.relu(mean - high).pow(2) + th.relu(low - mean).pow(2)).sum(dim=-1).mean()


def action_means(policy: ActorCriticPolicy, observations: th.Tensor) -> th.Tensor:
    """The policy's Gaussian action means on ``observations`` (one actor forward pass)."""
    distribution = policy.get_distribution(observations).distribution
    if not isinstance(distribution, th.distributions.Normal) or not isinstance(policy.action_space, spaces.Box):
        raise TypeError("the action-bound loss needs a Gaussian policy over a Box action space")
    return distribution.mean


def box_bounds(policy: ActorCriticPolicy, like: th.Tensor) -> tuple[th.Tensor, th.Tensor]:
    """The action box's ``(low, high)`` as tensors of ``like``'s dtype and device."""
    assert isinstance(policy.action_space, spaces.Box)
    box = (policy.action_space.low, policy.action_space.high)
    low, high = (th.as_tensor(bound, dtype=like.dtype, device=like.device) for bound in box)
    return low, high


def action_bound_hook(model: BaseAlgorithm, coef: float) -> Callable[[RolloutBufferSamples], th.Tensor] | None:
    """``coef`` times :func:`action_bound_loss` on each minibatch's observations, as a ``ContinualPPO.auxiliary_loss``.

    ``None`` (SB3's update bit for bit) when ``coef`` is 0 or the policy squashes its actions (gSDE's
    tanh already keeps them in the box).
    """
    policy = model.policy
    if coef <= 0 or not isinstance(policy, ActorCriticPolicy) or policy.squash_output:
        return None

    def bound_loss(rollout_data: RolloutBufferSamples) -> th.Tensor:
        return coef * action_bound_loss(policy, rollout_data.observations)

    return bound_loss
