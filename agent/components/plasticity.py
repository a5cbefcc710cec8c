"""Cheap fixes for a network that learns less well after many seasons (loss of plasticity).

- :func:`l2_init_loss`: an L2 pull toward the network's initial weights ("L2 Init", Kumar et al.
  2023, https://arxiv.org/abs/2308.11958; the regularizer family Dohare et al., Nature 2024, found
  to keep PPO learning on a changing Ant), added to every PPO minibatch loss;
- :func:`shrink_and_perturb`: at a season's start, move the weights a fraction of the way toward a
  freshly initialized network (Ash & Adams 2020, https://arxiv.org/abs/1910.08475, and its soft
  form for on-policy RL, Juliani & Ash 2024, https://arxiv.org/abs/2405.19153).

Both leave the state-independent log-std alone (``finetune`` resets it each season anyway).
"""

from __future__ import annotations

import torch as th
from stable_baselines3.common.policies import ActorCriticPolicy


def weights(policy: ActorCriticPolicy) -> dict[str, th.Tensor]:
    """The policy's parameters the fixes act on (every one but the log-std), by name."""
    return {name: p for name, p in policy.named_parameters() if name != "log_std"}


def l2_init_loss(policy: ActorCriticPolicy, initial: dict[str, th.Tensor]) -> th.Tensor:
    """``sum_p ||theta_p - theta0_p||^2`` over :func:`weights` (``initial``: their values at creation)."""
    current = weights(policy)
    return sum(((current[name] - start) ** 2).sum() for name, start in initial.items()) or th.zeros(())


def fresh_policy(policy: ActorCriticPolicy) -> ActorCriticPolicy:
    """A newly initialized policy of the same class and arguments (drawn from torch's RNG)."""
    return type(policy)(**policy._get_constructor_parameters())


def shrink_and_perturb(policy: ActorCriticPolicy, fraction: float) -> None:
    """``theta <- (1 - fraction) * theta + fraction * theta_fresh`` for :func:`weights`, in place."""
    fresh = weights(fresh_policy(policy))
    with th.no_grad():
        for name, p in weights(policy).items():
            p.mul_(1.0 - fraction).add_(fresh[name], alpha=fraction)
