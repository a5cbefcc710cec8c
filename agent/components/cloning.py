"""States a season's final policy visits, and the policy's outputs on them.

Both replay (behaviour cloning on old seasons, CLEAR: Rolnick et al. 2019) and EWC (the Fisher
at the season's end, Kirkpatrick et al. 2017) need states drawn from the distribution the final
policy of a season visits, not from older policies: the learner's ``season_states`` plays the season
with that policy (:func:`agent.core.season_envs.collect_states`), or takes the states it saw there.
:func:`policy_outputs` reads a diagonal-Gaussian actor-critic's action mean, log-std and value on a
batch, the targets a later season's policy is cloned towards.
"""

from __future__ import annotations

import numpy as np
import torch as th
from stable_baselines3.common.on_policy_algorithm import OnPolicyAlgorithm
from stable_baselines3.common.policies import ActorCriticPolicy


def policy_outputs(policy: ActorCriticPolicy, observations: th.Tensor) -> tuple[th.Tensor, th.Tensor, th.Tensor]:
    """``(action mean, action log-std, value)`` of a Gaussian actor-critic on a batch (with gradients).

    Works for any SB3 ``ActorCriticPolicy`` whose action distribution is a diagonal Gaussian,
    including per-sample log-stds (the progressive policy's per-column ones). Shapes:
    ``(batch, action_dim)``, ``(batch, action_dim)``, ``(batch,)``.
    """
    features = policy.extract_features(observations)
    if policy.share_features_extractor:
        latent_pi, latent_vf = policy.mlp_extractor(features)
    else:
        pi_features, vf_features = features
        latent_pi = policy.mlp_extractor.forward_actor(pi_features)
        latent_vf = policy.mlp_extractor.forward_critic(vf_features)
    value = policy.value_net(latent_vf).flatten()
    if isinstance(getattr(policy, "log_std", None), th.Tensor):
        # SB3's MlpPolicy: a state-independent log-std; no distribution object needed (this runs every minibatch).
        mean = policy.action_net(latent_pi)
        return mean, policy.log_std.expand_as(mean), value
    distribution = policy._get_action_dist_from_latent(latent_pi).distribution
    assert isinstance(distribution, th.distributions.Normal), "policy_outputs needs a diagonal-Gaussian policy"
    mean = distribution.mean
    return mean, th.log(distribution.stddev).expand_as(mean), value


def gaussian_kl(mean_old: th.Tensor, log_std_old: th.Tensor, mean: th.Tensor, log_std: th.Tensor) -> th.Tensor:
    """KL(N(mean_old, std_old) ‖ N(mean, std)) per sample, summed over action dimensions (closed form)."""
    variance_old, variance = th.exp(2 * log_std_old), th.exp(2 * log_std)
    return (log_std - log_std_old + (variance_old + (mean_old - mean) ** 2) / (2 * variance) - 0.5).sum(dim=-1)


def policy_targets(model: OnPolicyAlgorithm, observations: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``model``'s (mean, log-std, value) on ``observations``, in eval mode, as numpy arrays."""
    model.policy.set_training_mode(False)
    with th.no_grad():
        mean, log_std, value = policy_outputs(model.policy, th.as_tensor(observations))
    return mean.detach().numpy(), log_std.detach().numpy(), value.detach().numpy()


def cloning_loss(policy: ActorCriticPolicy, batch: dict[str, th.Tensor], beta_policy: float, beta_value: float) -> th.Tensor:
    """``beta_policy * KL(pi_old || pi) + beta_value * (V - V_old)^2`` on a batch of a replay memory (means)."""
    mean, log_std, value = policy_outputs(policy, batch["observations"])
    kl = gaussian_kl(batch["means"], batch["log_stds"], mean, log_std).mean()
    return beta_policy * kl + beta_value * th.mean((value - batch["values"]) ** 2)
