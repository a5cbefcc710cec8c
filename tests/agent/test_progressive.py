"""The progressive network: frozen columns, the newest-column optimizer, column choice, checkpoints."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch as th

from agent import CheckpointError, load_learner, make_learner
from agent.components.progressive import FrozenColumnsRolloutBuffer
from agent.components.progressive.policy import UnknownSeasonError
from agent.methods.progressive import Progressive
from tests.agent.test_learners import STEPS, TINY, observations


def fixed_observations(season: str, n: int = 200) -> np.ndarray:
    """``n`` observations of ``season``: visited states, perturbed (the one-hot kept)."""
    visited = observations(season, n=20)
    rng = np.random.default_rng(0)
    obs = visited[rng.integers(len(visited), size=n)].copy()
    obs[:, :-8] += rng.normal(scale=0.1, size=obs[:, :-8].shape).astype(np.float32)
    return obs


@pytest.fixture(scope="module")
def two_seasons() -> tuple[Progressive, dict[str, th.Tensor], np.ndarray]:
    """A progressive learner after spring and summer; column 0's state and spring's actions after spring."""
    learner = make_learner("progressive", ppo_config=TINY, seed=0)
    learner.start_season("spring")
    learner.learn(STEPS)
    learner.end_season()
    column = {k: v.clone() for k, v in learner.model.policy.mlp_extractor.columns[0].state_dict().items()}
    actions = learner.predict(fixed_observations("spring"), "spring")
    learner.start_season("summer")
    learner.learn(STEPS)
    learner.end_season()
    return learner, column, actions


def test_first_column_is_bitwise_unchanged_by_the_second_season(two_seasons) -> None:
    learner, column_after_spring, spring_actions = two_seasons
    column = learner.model.policy.mlp_extractor.columns[0]
    for name, value in column.state_dict().items():
        assert th.equal(value, column_after_spring[name]), name
    assert all(not p.requires_grad for p in column.parameters()) and not column.training
    np.testing.assert_array_equal(learner.predict(fixed_observations("spring"), "spring"), spring_actions)


def test_optimizer_holds_only_the_newest_column(two_seasons) -> None:
    learner, _, _ = two_seasons
    policy = learner.model.policy
    in_optimizer = {id(p) for group in policy.optimizer.param_groups for p in group["params"]}
    newest = {id(p) for p in policy.mlp_extractor.columns[1].parameters()}
    assert in_optimizer == newest
    # The newest column reads column 0 through adapters (alphas, down and up projections).
    column = policy.mlp_extractor.columns[1]
    assert len(column.adapters) == 1 and column.output_adapter is not None  # into layer 2 and into the heads
    # A training step leaves no gradient on frozen columns: they are computed without tracking.
    obs = th.as_tensor(fixed_observations("summer", 32))
    _, log_prob, _ = policy.evaluate_actions(obs, th.zeros(32, 3))
    log_prob.sum().backward()
    assert all(p.grad is None for p in policy.mlp_extractor.columns[0].parameters())
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in policy.mlp_extractor.columns[1].parameters())


def test_each_season_uses_its_own_column_and_an_unknown_season_is_refused(two_seasons) -> None:
    learner, _, _ = two_seasons
    assert learner.model.policy.season_columns[:4] == [0, 1, -1, -1]
    with pytest.raises(UnknownSeasonError, match="no column for season slot 3; it knows the seasons: spring, summer"):
        learner.predict(observations("winter"), "winter")
    assert learner.account.trainable_parameters < learner.account.total_parameters


def test_save_and_load_in_a_fresh_process_gives_identical_actions(two_seasons, tmp_path: Path) -> None:
    learner, _, _ = two_seasons
    learner.save(tmp_path)
    obs = np.concatenate([fixed_observations("spring", 50), fixed_observations("summer", 50)])
    np.save(tmp_path / "obs.npy", obs)
    expected = np.concatenate([learner.predict(obs[:50], "spring"), learner.predict(obs[50:], "summer")])
    script = f"""
import numpy as np, stable_baselines3, torch
torch.set_num_threads(1)  # as the learner runs: float sums then match bit for bit
model = stable_baselines3.PPO.load({str(tmp_path / "model.zip")!r}, device="cpu")
obs = np.load({str(tmp_path / "obs.npy")!r})
actions = [model.predict(obs[:50], deterministic=True)[0], model.predict(obs[50:], deterministic=True)[0]]
np.save({str(tmp_path / "actions.npy")!r}, np.concatenate(actions))
print(model.policy.n_columns)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2"]
    np.testing.assert_array_equal(np.load(tmp_path / "actions.npy"), expected)


def test_column_count_must_match_the_checkpoint_metadata(two_seasons, tmp_path: Path) -> None:
    learner, _, _ = two_seasons
    learner.save(tmp_path)
    info = json.loads((tmp_path / "learner.json").read_text())
    info["seasons"].append("autumn")
    (tmp_path / "learner.json").write_text(json.dumps(info))
    with pytest.raises(CheckpointError, match=r"model\.zip: 2 columns for 3 seasons"):
        load_learner(tmp_path, ppo_config=TINY)


def test_random_control_keeps_no_trained_column() -> None:
    learner = make_learner("progressive-random", ppo_config=TINY, seed=0)
    learner.start_season("spring")
    learner.learn(STEPS)
    trained = {k: v.clone() for k, v in learner.model.policy.mlp_extractor.columns[0].state_dict().items()}
    learner.end_season()
    learner.start_season("summer")
    column = learner.model.policy.mlp_extractor.columns[0]
    assert not all(th.equal(v, trained[k]) for k, v in column.state_dict().items())
    assert all(not p.requires_grad for p in column.parameters())


def test_frozen_columns_cached_per_rollout_give_the_same_update_terms(two_seasons) -> None:
    learner, _, _ = two_seasons
    policy = learner.model.policy
    assert isinstance(learner.model.rollout_buffer, FrozenColumnsRolloutBuffer)
    assert learner.model.rollout_buffer.policy is policy
    obs = th.as_tensor(fixed_observations("summer", 64))
    actions = th.as_tensor(np.random.default_rng(0).uniform(-1, 1, size=(64, 3)), dtype=th.float32)
    cached = th.cat([obs, policy.mlp_extractor.frozen_activations(obs)], dim=1)
    for computed, from_cache in zip(
        policy.evaluate_actions(obs, actions), policy.evaluate_actions(cached, actions), strict=True
    ):
        th.testing.assert_close(computed, from_cache)


def as_season(obs: np.ndarray, season: str) -> np.ndarray:
    """``obs`` with ``season``'s one-hot in place of its own (the columns themselves do not read it)."""
    from envs.season_spec import MAX_SEASONS, resolve_season

    relabelled = obs.copy()
    relabelled[:, -MAX_SEASONS:] = 0.0
    relabelled[:, -MAX_SEASONS + resolve_season(season).index] = 1.0
    return relabelled


def means(policy, obs: np.ndarray) -> th.Tensor:
    with th.no_grad():
        return policy.get_distribution(th.as_tensor(obs)).distribution.mean


@pytest.mark.parametrize("method", ["progressive", "progress-compress"])
def test_a_column_started_from_the_latest_computes_what_it_ended_with(method: str) -> None:
    options = {"states_per_season": 64, "distill_steps": 20, "distill_batch": 32} if method == "progress-compress" else {}
    learner = make_learner(method, ppo_config=TINY, seed=0, column_init="latest", **options)
    learner.start_season("spring")
    learner.learn(STEPS)
    learner.end_season()
    obs = fixed_observations("spring")
    spring = means(learner.acting_model("spring").policy, obs)
    learner.start_season("summer")
    started = means(learner.model.policy, as_season(obs, "summer"))
    th.testing.assert_close(started, spring, rtol=0, atol=1e-6)
    learner.learn(STEPS)  # the silent laterals and the copied layers train
    assert not th.allclose(means(learner.model.policy, as_season(obs, "summer")), spring)


def test_column_init_is_checked_and_names_its_values() -> None:
    with pytest.raises(ValueError, match="column_init must be one of random, latest, best, got 'newest'"):
        make_learner("progressive", column_init="newest")


def test_columns_use_the_policy_s_activation() -> None:
    config = {**TINY, "policy_kwargs": {**TINY["policy_kwargs"], "activation_fn": "relu"}}
    learner = make_learner("progressive", ppo_config=config, seed=0)
    learner.start_season("spring")
    learner.learn(STEPS)
    learner.end_season()
    learner.start_season("summer")
    columns = learner.model.policy.mlp_extractor.columns
    assert all(isinstance(column.activation, th.nn.ReLU) for column in columns)
    hidden, _, _ = columns[0](th.as_tensor(fixed_observations("spring")[:, :-8]), [], with_output=False)
    assert all(bool((h >= 0).all()) for h in hidden) and any(bool((h == 0).any()) for h in hidden)
