"""Online EWC: the closed-form Fisher of the Gaussian policy and the penalty around the anchor."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch as th

from agent import make_learner
from agent.components.fisher import gaussian_policy_fisher, regularized_parameters
from agent.methods.ewc import EWC
from tests.agent.test_learners import STEPS, TINY, learned_then_started, observations


@pytest.fixture(scope="module")
def ewc_after_one_season() -> EWC:
    learner = learned_then_started("ewc", fisher_states=64)
    assert isinstance(learner, EWC)
    return learner


def test_fisher_is_finite_non_negative_and_normalized(ewc_after_one_season: EWC) -> None:
    fisher = ewc_after_one_season.fisher
    assert set(fisher) == set(regularized_parameters(ewc_after_one_season.model.policy))
    values = th.cat([f.flatten() for f in fisher.values()])
    assert th.isfinite(values).all() and (values >= 0).all()
    assert values.mean().item() == pytest.approx(1.0, rel=1e-4)  # one season, normalized to mean 1
    assert not any(name.startswith(("value_net", "mlp_extractor.value_net", "log_std")) for name in fisher)


def test_fisher_matches_per_sample_autograd() -> None:
    learner = make_learner("ewc", ppo_config=TINY, seed=3)
    learner.start_season("summer")
    policy = learner.model.policy
    obs = th.as_tensor(observations("summer", n=6))
    fisher = gaussian_policy_fisher(policy, obs)
    expected = {name: th.zeros_like(p) for name, p in regularized_parameters(policy).items()}
    inverse_variance = th.exp(-2 * policy.log_std.detach())
    for state in obs:
        mean = policy.action_net(policy.mlp_extractor.forward_actor(policy.extract_features(state[None])))[0]
        for j in range(len(mean)):
            grads = th.autograd.grad(mean[j], list(regularized_parameters(policy).values()), retain_graph=True)
            for (name, _), grad in zip(regularized_parameters(policy).items(), grads, strict=True):
                expected[name] += grad**2 * inverse_variance[j] / len(obs)
    for name in expected:
        th.testing.assert_close(fisher[name], expected[name], rtol=1e-4, atol=1e-8)


def test_penalty_is_zero_at_the_anchor_and_positive_away(ewc_after_one_season: EWC) -> None:
    learner = ewc_after_one_season
    policy = learner.model.policy
    assert learner.season_losses() == [learner.bound_loss, learner.penalty]
    assert learner.penalty(SimpleNamespace()).item() == 0.0
    saved = {k: v.clone() for k, v in policy.state_dict().items()}
    try:
        with th.no_grad():
            policy.mlp_extractor.policy_net[0].weight.add_(0.05)
        penalty = learner.penalty(SimpleNamespace())
        assert penalty.item() > 0
        penalty.backward()
        assert policy.mlp_extractor.policy_net[0].weight.grad.abs().sum() > 0
        with th.no_grad():  # the critic is not anchored
            policy.load_state_dict(saved)
            policy.value_net.weight.add_(1.0)
        assert learner.penalty(SimpleNamespace()).item() == 0.0
    finally:
        policy.load_state_dict(saved)


def test_fisher_accumulates_with_decay() -> None:
    learner = make_learner("ewc", ppo_config=TINY, seed=0, fisher_states=32, fisher_decay=0.5)
    means = []
    for season in ("spring", "winter"):
        learner.start_season(season)
        learner.learn(STEPS)
        learner.end_season()
        means.append(th.cat([f.flatten() for f in learner.fisher.values()]).mean().item())
    assert means[0] == pytest.approx(1.0, rel=1e-4) and means[1] == pytest.approx(1.5, rel=1e-4)


@pytest.mark.parametrize(
    ("options", "field"),
    [({"ewc_lambda": -1.0}, "ewc_lambda"), ({"fisher_decay": 1.5}, "fisher_decay"), ({"fisher_states": 0}, "fisher_states")],
)
def test_bad_options_name_the_field(options: dict, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        EWC(ppo_config=TINY, **options)
