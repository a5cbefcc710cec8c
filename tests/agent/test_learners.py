"""The learner interface and the first learners: season loop, accounting, the loss hook, checkpoints."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from stable_baselines3 import PPO

import agent
from agent import CheckpointError, ContinualLearner, ContinualPPO, load_learner, make_learner
from agent.core.ppo_defaults import default_ppo_config, ppo_kwargs
from agent.core.season_envs import mixed_season_vec_env, season_vec_env

TINY = {**default_ppo_config(), "n_envs": 2, "n_steps": 64, "batch_size": 64, "n_epochs": 2}
TINY["policy_kwargs"] = {"net_arch": [32, 32], "log_std_init": -0.5}
STEPS = 128
#: Small method options for tests (the defaults collect thousands of states per season).
TINY_OPTIONS: dict[str, dict] = {
    "replay": {"states_per_season": 64},
    "ewc": {"fisher_states": 64},
    "progress-compress": {"states_per_season": 64, "distill_steps": 20, "distill_batch": 32},
}


def two_seasons(method: str, seed: int = 0) -> ContinualLearner:
    learner = make_learner(method, ppo_config=TINY, seed=seed, **TINY_OPTIONS.get(method, {}))
    for season in ("spring", "winter"):
        learner.start_season(season)
        learner.learn(learner.season_timesteps(STEPS))
        learner.end_season()
    return learner


def learned_then_started(method: str, **options: object) -> ContinualLearner:
    """A learner (seed 0, tiny PPO) that learned spring for ``STEPS`` steps and started winter."""
    learner = make_learner(method, ppo_config=TINY, seed=0, **options)
    learner.start_season("spring")
    learner.learn(STEPS)
    learner.end_season()
    learner.start_season("winter")
    return learner


def parameters(model: PPO) -> list[np.ndarray]:
    return [p.detach().numpy().copy() for p in model.policy.parameters()]


def observations(season: str, n: int = 16) -> np.ndarray:
    env = season_vec_env(season, 2, seed=123)
    obs = [env.reset()]
    for _ in range(n // 2 - 1):
        obs.append(env.step(np.zeros((2, 3), dtype=np.float32))[0])
    return np.concatenate(obs)


def test_unknown_method_names_the_choices() -> None:
    with pytest.raises(ValueError, match="valid methods: finetune, scratch, retrain"):
        make_learner("elastic")


def models_per_season(method: str) -> tuple[ContinualLearner, list[PPO]]:
    """A learner after spring and summer, and the model it trained in each season."""
    learner = make_learner(method, ppo_config=TINY, seed=0)
    models = []
    for season in ("spring", "summer"):
        learner.start_season(season)
        models.append(learner.model)
        learner.learn(STEPS)
        learner.end_season()
    return learner, models


def test_finetune_keeps_one_network_and_counts_its_cost() -> None:
    learner, (model, second) = models_per_season("finetune")
    assert second is model  # the same network goes on training
    assert learner.seasons == ["spring", "summer"]
    assert learner.account.env_steps == 2 * STEPS == model.num_timesteps
    assert learner.account.wall_seconds > 0
    expected = sum(p.numel() for p in model.policy.parameters())
    assert learner.account.trainable_parameters == learner.account.total_parameters == expected
    assert learner.account.memory_bytes == 0


@pytest.mark.parametrize("method", ["finetune", "replay", "ewc"])
def test_a_new_season_explores_afresh_without_moving_the_action_means(method: str) -> None:
    learner = make_learner(method, ppo_config=TINY, seed=0, **TINY_OPTIONS.get(method, {}))
    learner.start_season("spring")
    learner.learn(STEPS)
    learner.end_season()
    policy = learner.model.policy
    with torch.no_grad():
        policy.log_std.fill_(-1.7)  # as if spring had shrunk the exploration noise
    obs = torch.as_tensor(observations("spring"))
    means_before = policy.get_distribution(obs).distribution.mean.detach().clone()
    learner.start_season("summer")
    assert torch.equal(policy.log_std.detach(), torch.full_like(policy.log_std, -0.5))  # log_std_init
    assert torch.equal(policy.get_distribution(obs).distribution.mean, means_before)


def test_finetune_copies_fine_tunes_and_keeps_each_season_s_network_frozen() -> None:
    copies = make_learner("finetune-copies", ppo_config=TINY, seed=0)
    plain = make_learner("finetune", ppo_config=TINY, seed=0)
    copies.start_season("spring")
    assert copies.can_act("spring") and not copies.can_act("winter")
    for learner in (copies, plain):
        learner.start_season("spring") if learner is plain else None
        learner.learn(STEPS)
        learner.end_season()
    after_spring = parameters(plain.model)
    copies.start_season("winter")
    copies.learn(STEPS)
    copies.end_season()
    # Spring is played by the network spring ended with; winter's training went into the fine-tuned one.
    spring_model = copies.acting_model("spring")
    assert spring_model is not copies.model and copies.acting_model("winter") is copies.model
    for kept, expected in zip(parameters(spring_model), after_spring, strict=True):
        np.testing.assert_array_equal(kept, expected)
    assert not any(p.requires_grad for p in spring_model.policy.parameters())
    assert any((a != b).any() for a, b in zip(parameters(copies.model), after_spring, strict=True))
    assert copies.account.total_parameters == 2 * sum(p.numel() for p in copies.model.policy.parameters())


def test_scratch_starts_each_season_from_a_fresh_network() -> None:
    _, (first, second) = models_per_season("scratch")
    assert second is not first and second.num_timesteps == STEPS


def test_retrain_mixes_every_season_so_far_with_k_times_the_budget() -> None:
    learner = make_learner("retrain", ppo_config=TINY, seed=0)
    for k, season in enumerate(("spring", "summer", "autumn"), start=1):
        learner.start_season(season)
        assert learner.season_timesteps(STEPS) == k * STEPS
        played = {env.unwrapped.spec_season.name for env in learner.model.get_env().envs}
        assert played == {"spring", "summer", "autumn"}.intersection(learner.seasons)
        learner.learn(learner.season_timesteps(STEPS))
        learner.end_season()
    assert learner.account.env_steps == 6 * STEPS


def test_mixed_env_deals_seasons_round_robin() -> None:
    env = mixed_season_vec_env(["spring", "winter"], n_envs=3, seed=0)
    assert [e.unwrapped.spec_season.name for e in env.envs] == ["spring", "winter", "spring"]
    assert mixed_season_vec_env(["spring", "summer", "autumn"], n_envs=2, seed=0).num_envs == 3


def test_continual_ppo_without_hook_is_sb3_ppo_bit_for_bit() -> None:
    n_envs, kwargs = ppo_kwargs(TINY)
    models = []
    for cls in (PPO, ContinualPPO):
        model = cls("MlpPolicy", season_vec_env("spring", n_envs, 0), seed=3, device="cpu", **kwargs)
        model.learn(STEPS)
        models.append(model)
    for a, b in zip(parameters(models[0]), parameters(models[1]), strict=True):
        np.testing.assert_array_equal(a, b)


def test_adam_updates_all_tensors_at_once_also_after_loading(tmp_path: Path) -> None:
    # SB3's PPO above loops over the tensors (torch's CPU default); ContinualPPO's foreach update gives
    # the same bits, which the test above checks.
    n_envs, kwargs = ppo_kwargs(TINY)
    model = ContinualPPO("MlpPolicy", season_vec_env("spring", n_envs, 0), seed=3, device="cpu", **kwargs)
    assert [group["foreach"] for group in model.policy.optimizer.param_groups] == [True]
    # A zip saved by plain SB3 (foreach None in its optimizer state) still loads into the foreach update.
    PPO("MlpPolicy", season_vec_env("spring", n_envs, 0), seed=3, device="cpu", **kwargs).save(tmp_path / "sb3.zip")
    loaded = ContinualPPO.load(tmp_path / "sb3.zip", device="cpu")
    assert [group["foreach"] for group in loaded.policy.optimizer.param_groups] == [True]


def test_auxiliary_loss_hook_is_called_and_shapes_the_update() -> None:
    n_envs, kwargs = ppo_kwargs(TINY)
    calls = []
    results = []
    for with_hook in (False, True):
        model = ContinualPPO("MlpPolicy", season_vec_env("spring", n_envs, 0), seed=3, device="cpu", **kwargs)
        if with_hook:

            def pull_log_std_down(batch, model=model) -> torch.Tensor:
                calls.append(len(batch.observations))
                return 10.0 * model.policy.log_std.sum()

            model.auxiliary_loss = pull_log_std_down
        model.learn(STEPS)
        results.append(model.policy.log_std.detach().clone())
    assert calls and all(n == TINY["batch_size"] for n in calls)
    assert (results[1] < results[0]).all()


@pytest.mark.parametrize("method", sorted(agent.METHODS))
def test_save_and_load_give_identical_actions(method: str, tmp_path: Path) -> None:
    learner = two_seasons(method)
    learner.save(tmp_path)
    restored = load_learner(tmp_path, ppo_config=TINY)
    assert type(restored) is type(learner) and restored.seasons == learner.seasons
    assert restored.account == learner.account
    obs = observations("winter")
    np.testing.assert_array_equal(restored.predict(obs, "winter"), learner.predict(obs, "winter"))


@pytest.mark.parametrize("method", sorted(agent.METHODS))
def test_two_season_run_is_deterministic_under_a_seed(method: str) -> None:
    a, b = two_seasons(method, seed=5), two_seasons(method, seed=5)
    for x, y in zip(parameters(a.model), parameters(b.model), strict=True):
        np.testing.assert_array_equal(x, y)
    assert a.account.env_steps == b.account.env_steps
    np.testing.assert_array_equal(a.predict(observations("spring"), "spring"), b.predict(observations("spring"), "spring"))


def test_missing_or_corrupted_checkpoint_names_the_file(tmp_path: Path) -> None:
    learner = two_seasons("finetune")
    learner.save(tmp_path)
    (tmp_path / "model.zip").write_bytes(b"not a zip")
    with pytest.raises(CheckpointError, match=r"corrupted checkpoint file .*model\.zip"):
        load_learner(tmp_path, ppo_config=TINY)
    (tmp_path / "model.zip").unlink()
    with pytest.raises(CheckpointError, match=r"missing checkpoint file .*model\.zip"):
        load_learner(tmp_path, ppo_config=TINY)
    (tmp_path / "learner.json").write_text("{")
    with pytest.raises(CheckpointError, match=r"corrupted checkpoint file .*learner\.json"):
        load_learner(tmp_path, ppo_config=TINY)


def test_checkpoint_opens_with_plain_sb3_in_a_fresh_process(tmp_path: Path) -> None:
    learner = two_seasons("finetune")
    learner.save(tmp_path)
    script = f"""
import gymnasium as gym
import stable_baselines3
from stable_baselines3.common.evaluation import evaluate_policy
from stable_baselines3.common.monitor import Monitor
import agent  # registers nothing the user must pass: no custom objects
model = stable_baselines3.PPO.load({str(tmp_path / "model.zip")!r})
env = Monitor(gym.make("GardenWatering-v0", season="winter", observe_season=True))
mean, std = evaluate_policy(model, env, n_eval_episodes=2)
print(type(model).__name__, mean)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    name, mean = result.stdout.split()
    assert name == "PPO" and np.isfinite(float(mean))


def test_package_lists_its_methods() -> None:
    assert set(agent.METHODS) == {
        "finetune",
        "scratch",
        "retrain",
        "replay",
        "ewc",
        "progressive",
        "progressive-random",
        "progress-compress",
        "finetune-copies",
    }


def test_a_checkpoint_relabelled_to_another_method_is_refused_in_words(tmp_path: Path) -> None:
    learner = make_learner("finetune", ppo_config=TINY, seed=0)
    learner.start_season("spring")
    learner.end_season()
    learner.save(tmp_path)
    info = json.loads((tmp_path / "learner.json").read_text())
    info["method"], info["options"] = "ewc", {}
    (tmp_path / "learner.json").write_text(json.dumps(info))
    with pytest.raises(CheckpointError, match=r"state\.pt: its method state does not fit a 'ewc' learner"):
        load_learner(tmp_path, ppo_config=TINY)


def test_plasticity_options_pull_toward_the_start_and_shrink_toward_a_fresh_network(tmp_path: Path) -> None:
    pulled = make_learner("finetune", ppo_config=TINY, seed=0, l2_init_coef=10.0)
    plain = make_learner("finetune", ppo_config=TINY, seed=0)
    for learner in (pulled, plain):
        learner.start_season("spring")
        learner.learn(STEPS)
    start = {name: t.numpy() for name, t in pulled.initial_weights.items()}

    def distance(learner: ContinualLearner) -> float:
        return sum(
            float(((p.detach().numpy() - start[n]) ** 2).sum())
            for n, p in learner.model.policy.named_parameters()
            if n in start
        )

    assert 0 < distance(pulled) < distance(plain)
    pulled.end_season()
    pulled.save(tmp_path)  # the anchor is part of the checkpoint: a resumed run pulls toward the same weights
    restored = load_learner(tmp_path, ppo_config=TINY)
    for name, value in restored.initial_weights.items():
        np.testing.assert_array_equal(value.numpy(), start[name])

    shrunk = make_learner("finetune", ppo_config=TINY, seed=0, shrink_perturb=1.0)
    shrunk.start_season("spring")
    shrunk.learn(STEPS)
    shrunk.end_season()
    before = parameters(shrunk.model)
    shrunk.start_season("summer")  # fraction 1: a freshly drawn network, not the trained one
    assert all((a != b).any() for a, b in zip(parameters(shrunk.model)[1:], before[1:], strict=True))


@pytest.mark.parametrize(("option", "value"), [("l2_init_coef", -1.0), ("shrink_perturb", 1.5)])
def test_plasticity_options_are_checked(option: str, value: float) -> None:
    with pytest.raises(ValueError, match=f"method option {option} must be"):
        make_learner("replay", **{option: value})
