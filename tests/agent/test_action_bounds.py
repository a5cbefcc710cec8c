"""The action-bound loss of ``finetune`` (and of ``replay`` and ``ewc``, which build on it)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch as th

from agent import load_learner, make_learner
from agent.components.action_bounds import action_bound_loss
from agent.methods.finetune import Finetune, sum_of
from tests.agent.test_learners import STEPS, TINY, observations


def action_means(learner: Finetune, obs: np.ndarray) -> th.Tensor:
    with th.no_grad():
        return learner.model.policy.get_distribution(th.as_tensor(obs)).distribution.mean


@pytest.fixture
def finetune_in_spring() -> Finetune:
    learner = make_learner("finetune", ppo_config=TINY, seed=0)
    learner.start_season("spring")
    return learner


def test_loss_is_zero_inside_the_box_positive_outside_and_reaches_the_action_head(finetune_in_spring: Finetune) -> None:
    policy = finetune_in_spring.model.policy
    obs = th.as_tensor(observations("spring"))
    assert action_bound_loss(policy, obs).item() == 0.0  # a fresh network's means are near 0
    with th.no_grad():
        policy.action_net.bias.copy_(th.tensor([3.0, 0.0, -2.5]))
    means = policy.get_distribution(obs).distribution.mean.detach()
    expected = (th.relu(means.abs() - 1) ** 2).sum(-1).mean()
    loss = action_bound_loss(policy, obs)
    th.testing.assert_close(loss, expected)
    assert loss.item() > 1.0
    loss.backward()
    assert policy.action_net.bias.grad[0] > 0 and policy.action_net.bias.grad[2] < 0
    assert policy.log_std.grad is None and all(p.grad is None for p in policy.value_net.parameters())


def reference_bound_loss(policy: th.nn.Module, obs: th.Tensor) -> th.Tensor:
    """The loss as first written: always with the actor's graph."""
    mean = policy.get_distribution(obs).distribution.mean
    return (th.relu(mean - 1).pow(2) + th.relu(-1 - mean).pow(2)).sum(dim=-1).mean()


@pytest.mark.parametrize("bias", [[0.0, 0.0, 0.0], [1.02, 0.0, -1.3]], ids=["inside", "partly outside"])
def test_loss_and_every_gradient_are_bit_identical_to_the_loss_with_a_graph_always(
    finetune_in_spring: Finetune, bias: list[float]
) -> None:
    """Skipping the graph when every mean is inside the box changes no bit of a PPO minibatch's gradients."""
    policy = finetune_in_spring.model.policy
    obs = th.as_tensor(observations("spring"))
    with th.no_grad():
        policy.action_net.bias.add_(th.tensor(bias))
    gradients = []
    for bound_loss in (reference_bound_loss, action_bound_loss):
        policy.zero_grad(set_to_none=True)
        distribution = policy.get_distribution(obs)
        loss = -distribution.log_prob(th.zeros(len(obs), 3)).mean() + bound_loss(policy, obs)
        loss.backward()
        gradients.append([loss.detach(), *(p.grad.clone() for p in policy.parameters() if p.grad is not None)])
    assert len(gradients[0]) == len(gradients[1])
    for reference, skipped in zip(*gradients, strict=True):
        assert th.equal(reference, skipped)


def test_training_pulls_means_back_into_the_box() -> None:
    obs = observations("spring")
    excess = {}
    for coef in (0.0, 1.0):
        learner = make_learner("finetune", ppo_config=TINY, seed=0, action_bound_coef=coef)
        learner.start_season("spring")
        with th.no_grad():
            learner.model.policy.action_net.bias.copy_(th.tensor([3.0, 3.0, 3.0]))
        learner.learn(2 * STEPS)
        excess[coef] = th.relu(action_means(learner, obs).abs() - 1).sum().item()
    # The same seed and data: only the loss differs.
    assert excess[1.0] < excess[0.0]


def test_zero_weight_leaves_sb3s_update_and_a_positive_one_attaches_the_bound() -> None:
    plain = make_learner("finetune", ppo_config=TINY, seed=0, action_bound_coef=0.0)
    plain.start_season("spring")
    assert plain.season_losses() == [] and plain.model.auxiliary_loss is None
    bounded = make_learner("finetune", ppo_config=TINY, seed=0)
    bounded.start_season("spring")
    assert bounded.model.auxiliary_loss == bounded.bound_loss
    batch = SimpleNamespace(observations=th.as_tensor(observations("spring")))
    assert bounded.model.auxiliary_loss(batch).item() == 0.0


@pytest.mark.parametrize("method", ["progressive", "progressive-random", "progress-compress"])
def test_the_progressive_methods_bound_the_training_column_from_the_first_season(method: str) -> None:
    options = {"states_per_season": 64, "distill_steps": 20} if method == "progress-compress" else {}
    bounded = make_learner(method, ppo_config=TINY, seed=0, **options)
    bounded.start_season("spring")
    batch = SimpleNamespace(observations=th.as_tensor(observations("spring")))
    assert bounded.model.auxiliary_loss is not None and bounded.model.auxiliary_loss(batch).item() == 0.0
    extractor = bounded.model.policy.mlp_extractor
    with th.no_grad():  # the training column's means pushed out of the box: the hook sees them
        extractor.column(extractor.trainable_column).action_head.bias.fill_(3.0)
    assert bounded.model.auxiliary_loss(batch).item() > 1.0
    plain = make_learner(method, ppo_config=TINY, seed=0, action_bound_coef=0.0, **options)
    plain.start_season("spring")
    assert plain.model.auxiliary_loss is None


@pytest.mark.parametrize("method", ["finetune", "replay", "ewc", "progressive", "progress-compress"])
def test_negative_weight_is_refused_by_name(method: str) -> None:
    with pytest.raises(ValueError, match="action_bound_coef must be a non-negative number"):
        make_learner(method, ppo_config=TINY, action_bound_coef=-1.0)


def test_terms_are_added_up_in_one_hook() -> None:
    def term(value: float) -> Callable[[object], th.Tensor]:
        return lambda batch: th.tensor(value)

    assert sum_of([]) is None
    assert sum_of([term(1.0), term(2.0), term(4.0)])(None).item() == 7.0


def test_a_checkpoint_saved_before_the_loss_existed_loads_without_it(tmp_path: Path) -> None:
    learner = make_learner("replay", ppo_config=TINY, seed=0, states_per_season=64)
    learner.start_season("spring")
    learner.save(tmp_path)
    info = json.loads((tmp_path / "learner.json").read_text())
    assert info["options"]["action_bound_coef"] == 1.0
    del info["options"]["action_bound_coef"]  # as written before the option existed
    (tmp_path / "learner.json").write_text(json.dumps(info))
    restored = load_learner(tmp_path, ppo_config=TINY)
    assert restored.action_bound_coef == 0.0 and restored.options()["beta_policy"] == 1.0
