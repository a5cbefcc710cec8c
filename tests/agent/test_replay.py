"""Behaviour-cloning replay: the bounded memory, the cloning loss, and the memory in checkpoints."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch as th

from agent import CheckpointError, load_learner, make_learner
from agent.components.cloning import gaussian_kl
from agent.components.replay_memory import MEMORY_FILE, ReplayMemory
from agent.methods.replay import Replay
from tests.agent.test_learners import STEPS, TINY

STATES = 96


def season_record(rng: np.random.Generator, n: int) -> tuple[np.ndarray, ...]:
    return rng.normal(size=(n, 5)), rng.normal(size=(n, 2)), rng.normal(size=(n, 2)), rng.normal(size=n)


def test_memory_never_exceeds_its_budget() -> None:
    rng = np.random.default_rng(0)
    per_season = ReplayMemory(states_per_season=50)
    capped = ReplayMemory(states_per_season=50, total_states=120)
    for season in range(6):
        for memory in (per_season, capped):
            memory.add_season(*season_record(rng, 80))
            assert len(memory) <= 50 * (season + 1) and max(memory.season_counts().values()) <= 50
        assert len(capped) <= 120
    assert per_season.season_counts() == dict.fromkeys(range(6), 50)
    assert len(capped) == 120
    # The reservoir keeps a uniform sample of the stream: every season is still there.
    assert set(capped.season_counts()) == set(range(6))


def test_batches_are_drawn_evenly_over_seasons() -> None:
    rng = np.random.default_rng(1)
    memory = ReplayMemory(states_per_season=1000)
    memory.add_season(*season_record(rng, 1000))
    memory.add_season(*season_record(rng, 10))  # a small season is not drowned by a big one
    batch = memory.sample(4000)
    from_small = np.isin(batch["observations"][:, 0].numpy(), memory.arrays["observations"][1000:, 0])
    assert 0.45 < from_small.mean() < 0.55


@pytest.fixture(scope="module")
def replay_after_one_season() -> Replay:
    learner = make_learner("replay", ppo_config=TINY, seed=0, states_per_season=STATES)
    learner.start_season("spring")
    learner.learn(STEPS)
    learner.end_season()
    learner.start_season("winter")  # attaches the cloning loss
    return learner


def minibatch(size: int = 32) -> SimpleNamespace:
    return SimpleNamespace(observations=th.zeros(size, 1))


def test_memory_is_collected_with_the_final_policy_and_counted(replay_after_one_season: Replay) -> None:
    learner = replay_after_one_season
    memory = learner.memory
    assert len(memory) == STATES and memory.season_counts() == {0: STATES}
    assert learner.account.memory_bytes == memory.nbytes > 0
    assert learner.account.env_steps >= STEPS + STATES  # the collection is environment interaction
    # Every state carries spring's one-hot, the season it was collected in.
    one_hot = memory.arrays["observations"][:, -8:]
    assert (one_hot[:, 0] == 1).all() and (one_hot[:, 1:] == 0).all()
    assert learner.season_losses() == [learner.bound_loss, learner.cloning_loss]


def test_cloning_loss_is_zero_unchanged_positive_changed_and_reaches_the_parameters(
    replay_after_one_season: Replay,
) -> None:
    learner = replay_after_one_season
    policy = learner.model.policy
    saved = {k: v.clone() for k, v in policy.state_dict().items()}
    try:
        # The new season reset the exploration noise; the policy as it ended spring clones exactly.
        with th.no_grad():
            policy.log_std.copy_(th.as_tensor(learner.memory.arrays["log_stds"][0]))
        assert learner.cloning_loss(minibatch()).item() == pytest.approx(0.0, abs=1e-6)
        with th.no_grad():
            policy.action_net.weight.add_(0.3)
            policy.value_net.bias.add_(0.5)
        loss = learner.cloning_loss(minibatch())
        assert loss.item() > 0.01
        policy.zero_grad()
        loss.backward()
        for name, parameter in policy.named_parameters():
            if name.startswith(("mlp_extractor.policy_net", "action_net", "mlp_extractor.value_net", "value_net")):
                assert parameter.grad is not None and parameter.grad.abs().sum() > 0, name
    finally:
        policy.load_state_dict(saved)


def test_gaussian_kl_matches_torch_distributions() -> None:
    rng = th.Generator().manual_seed(0)
    mean_old, mean = th.randn(7, 3, generator=rng), th.randn(7, 3, generator=rng)
    log_std_old, log_std = th.randn(7, 3, generator=rng) * 0.3, th.randn(7, 3, generator=rng) * 0.3
    expected = th.distributions.kl_divergence(
        th.distributions.Normal(mean_old, log_std_old.exp()), th.distributions.Normal(mean, log_std.exp())
    ).sum(-1)
    th.testing.assert_close(gaussian_kl(mean_old, log_std_old, mean, log_std), expected)


def test_memory_survives_save_and_load_byte_for_byte(replay_after_one_season: Replay, tmp_path: Path) -> None:
    learner = replay_after_one_season
    learner.save(tmp_path)
    restored = load_learner(tmp_path, ppo_config=TINY)
    assert isinstance(restored, Replay) and restored.options() == learner.options()
    for name, array in learner.memory.arrays.items():
        assert restored.memory.arrays[name].dtype == array.dtype
        assert restored.memory.arrays[name].tobytes() == array.tobytes(), name
    assert restored.memory.rng.bit_generator.state == learner.memory.rng.bit_generator.state
    assert (restored.memory.n_seasons, restored.memory.n_seen) == (learner.memory.n_seasons, learner.memory.n_seen)


def test_missing_or_damaged_memory_file_names_it(replay_after_one_season: Replay, tmp_path: Path) -> None:
    replay_after_one_season.save(tmp_path)
    (tmp_path / MEMORY_FILE).write_bytes(b"PK\x03\x04 damaged")
    with pytest.raises(CheckpointError, match=r"corrupted checkpoint file .*replay_memory\.npz"):
        load_learner(tmp_path, ppo_config=TINY)
    (tmp_path / MEMORY_FILE).unlink()
    with pytest.raises(CheckpointError, match=r"missing checkpoint file .*replay_memory\.npz"):
        load_learner(tmp_path, ppo_config=TINY)


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"states_per_season": 0}, "states_per_season"),
        ({"total_states": -5}, "total_states"),
        ({"beta_policy": -1.0}, "beta_policy"),
        ({"beta_value": -0.1}, "beta_value"),
    ],
)
def test_bad_options_name_the_field(options: dict, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        Replay(ppo_config=TINY, **options)


def test_reservoir_stays_uniform_when_a_season_record_is_replaced() -> None:
    rng = np.random.default_rng(3)
    counts = np.zeros(4)
    for seed in range(20):
        memory = ReplayMemory(states_per_season=1000, total_states=400, seed=seed)
        for slot in range(4):
            memory.add_season(*season_record(rng, 500), slot=slot)
            memory.add_season(*season_record(rng, 500), slot=slot)  # replaced at once, as a DAgger round does
        assert len(memory) == 400 and memory.n_seen == 2000
        counts += [memory.season_counts().get(2 * slot + 1, 0) for slot in range(4)]
    # Every season holds about a quarter of the reservoir (100 of 400 on average).
    assert np.all(np.abs(counts / 20 - 100) < 15), counts / 20


def test_infinite_weights_are_refused() -> None:
    with pytest.raises(ValueError, match="beta_policy must be a non-negative number"):
        Replay(ppo_config=TINY, beta_policy=float("inf"))
