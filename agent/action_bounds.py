"""The action-bound loss: keep a Gaussian policy's action means inside the action box.

The garden's actions live in [-1, 1] and SB3 clips what the policy samples. A network trained
for a season learns means far outside the box where full throttle pays (31 to 44% of the means
of ``finetune``'s network after autumn are beyond ±1 on winter's states); there every sample
clips to the same action, so exploration in that dimension is gone and the next season's
gradient has nothing to follow. The penalty ``sum_a relu(|mu_a| - 1)^2`` is zero inside the box and pulls
means back to its edge, where the noise still changes what the robot does. It is the
``bounds_loss`` of rl_games, used by Isaac Gym's PPO agents (Makoviychuk et al. 2021,
https://arxiv.org/abs/2108.10470).
"""

from __future__ import annotations

import torch as th
from stable_baselines3.common.policies import ActorCriticPolicy

#: The action box's half-width (``GardenWatering-v0``'s actions are in [-1, 1]).
ACTION_BOUND = 1.0


def action_bound_loss(policy: ActorCriticPolicy, observations: th.Tensor, bound: float = ACTION_BOUND) -> th.Tensor:
    """Batch mean of ``sum_a relu(|mu_a(s)| - bound)^2``: zero while every action mean is inside the box."""
    mean = policy.get_distribution(observations).distribution.mean
    return th.relu(mean.abs() - bound).pow(2).sum(dim=-1).mean()
