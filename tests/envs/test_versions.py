"""Env versions: each id builds its version's physics, v1 is deterministic, v0's settings and seasons still work on v1."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest

import envs
from envs.gardener import ScriptedGardener
from envs.gardeners import make_gardener
from envs.normalization import cache_path, gardener_days, random_returns, reference_returns
from envs.physics import PHYSICS, PHYSICS_V0, PhysicsSettings
from envs.planning_gardener import PlanningGardener


def test_v0_settings_are_the_first_release() -> None:
    # What GardenWatering-v0 always ran: 12 x 1/60 s, Bullet's solver defaults, the rover as four links.
    assert PHYSICS_V0 == PhysicsSettings(version=0, time_step=1.0 / 60.0, substeps=12)
    for settings in PHYSICS.values():
        assert settings.control_period == pytest.approx(0.2)


@pytest.mark.parametrize("version", envs.ENV_VERSIONS)
def test_every_id_of_a_version_builds_its_physics(version: int) -> None:
    ids = [envs.generic_env_id(version), *(envs.season_env_id(s, version) for s in envs.DEFAULT_SEASON_NAMES)]
    assert set(ids) <= set(envs.ENV_IDS)
    for env_id in ids:
        env = gym.make(env_id)
        assert env.unwrapped.physics == PHYSICS[version] and env.unwrapped.version == version
        assert envs.env_version(env_id) == version
        env.close()


def test_env_version_names_the_valid_ids() -> None:
    with pytest.raises(ValueError, match="GardenWatering-v1"):
        envs.env_version("GardenWatering-v9")
    with pytest.raises(ValueError, match="unknown env id"):
        envs.env_version("CartPole-v1")


def test_unknown_version_argument_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="valid versions: 0, 1"):
        envs.GardenWateringEnv(version=7)
    with pytest.raises(ValueError, match="valid versions"):
        make_gardener("spring", 7)


def test_explicit_time_step_and_action_repeat_override_the_version() -> None:
    env = envs.GardenWateringEnv(version=1, action_repeat=10, time_step=0.02)
    assert (env.physics.substeps, env.physics.time_step, env.physics.solver_iterations) == (10, 0.02, 20)
    env.close()


def _rollout_bytes(env: gym.Env, seed: int) -> bytes:
    actions = np.random.default_rng(7).uniform(-1, 1, (150, 3)).astype(np.float32)
    obs, _ = env.reset(seed=seed)
    chunks = [obs.tobytes()]
    for action in actions:
        obs, reward, terminated, truncated, _ = env.step(action)
        chunks += [obs.tobytes(), np.float64(reward).tobytes()]
        if terminated or truncated:
            obs, _ = env.reset()
            chunks.append(obs.tobytes())
    return b"".join(chunks)


@pytest.mark.parametrize("season", envs.DEFAULT_SEASON_NAMES)
def test_v1_same_seed_bit_identical(season: str) -> None:
    first = gym.make("GardenWatering-v1", season=season)
    second = gym.make("GardenWatering-v1", season=season)
    run = _rollout_bytes(first, 123)
    assert run == _rollout_bytes(second, 123)
    assert run == _rollout_bytes(first, 123)  # the same env replays the day after a reset (restoreState)
    first.close()
    second.close()


def test_v1_bit_identical_across_processes() -> None:
    code = (
        "import hashlib, gymnasium as gym, envs\n"
        "from tests.envs.test_versions import _rollout_bytes\n"
        "print(hashlib.sha256(_rollout_bytes(gym.make('GardenWatering-v1', season='autumn'), 5)).hexdigest())"
    )
    root = Path(__file__).resolve().parents[2]
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root) for _ in "ab"]
    here = hashlib.sha256(_rollout_bytes(gym.make("GardenWatering-v1", season="autumn"), 5)).hexdigest()
    assert [run.stdout for run in runs] == [here + "\n"] * 2


def test_a_season_yaml_written_for_v0_loads_on_v1(tmp_path: Path) -> None:
    path = tmp_path / "late_winter.yaml"
    path.write_text(envs.default_season("winter").replace(name="late-winter", index=5).to_yaml())
    for version in envs.ENV_VERSIONS:
        env = gym.make(envs.generic_env_id(version), season=str(path))
        _, info = env.reset(seed=0)
        assert info["season"] == "late-winter"
        env.close()


def test_out_of_range_season_values_name_the_field_on_v1(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(envs.default_season("spring").to_yaml().replace("ground_friction: 0.8", "ground_friction: 9.0"))
    with pytest.raises(ValueError, match=r"SeasonSpec\.ground_friction must be in"):
        gym.make("GardenWatering-v1", season=str(path))


def test_each_version_has_its_gardener() -> None:
    assert isinstance(make_gardener("winter", 0), ScriptedGardener)
    assert isinstance(make_gardener("winter", 1), PlanningGardener)


@pytest.mark.parametrize("season", envs.DEFAULT_SEASON_NAMES)
def test_v1_gardener_waters_without_harm(season: str) -> None:
    days = gardener_days(season, episodes=4, seed=50, version=1)
    random = random_returns(season, episodes=4, seed=50, version=1)
    assert np.mean([d.episode_return for d in days]) > random.mean() + 4.0
    assert sum(d.damaged + d.trampled for d in days) == 0
    assert sum(d.success for d in days) >= 3


def test_reference_returns_are_cached_per_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVERGREEN_CACHE", str(tmp_path))
    monkeypatch.setattr("envs.normalization.REFERENCE_EPISODES", 2)
    v0, v1 = reference_returns("spring", version=0), reference_returns("spring", version=1)
    keys = sorted(json.loads(cache_path().read_text()))
    assert len(keys) == 2 and "GardenWatering-v0" in keys[0] and "GardenWatering-v1" in keys[1]
    monkeypatch.setattr("envs.normalization.random_returns", lambda *a, **k: pytest.fail("cache not used"))
    assert reference_returns("spring", version=0) == v0 and reference_returns("spring", version=1) == v1
