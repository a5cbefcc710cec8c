"""Acting without the season one-hot: the season recognizer, its file, novelty, and ``evergreen eval --season-agnostic``.

On the tiny two-season progressive run (spring, winter) of the session fixtures, whose training
saved a recognizer with each season's checkpoint; each test that writes copies the run first.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from stable_baselines3.common.vec_env import VecEnv, VecEnvWrapper

from agent import load_learner
from agent.components.recognizer import SeasonRecognizer
from envs import MAX_SEASONS
from envs.season_spec import resolve_season
from experiments.pipeline import recognition
from experiments.pipeline.config import CONFIG_DIR, read_run_config
from experiments.pipeline.evaluation import EVAL_SEED, SeasonEvaluator
from experiments.pipeline.recognition import FIT_SEED, RECOGNIZER_FILE, fit_recognizer, play_days
from experiments.pipeline.run_folder import read_matrix
from tests.experiments.cli_runs import evergreen_here

ENV_ID = "GardenWatering-v1"
CHECKPOINTS = ("season_1_spring", "season_2_winter")


@pytest.fixture(scope="module")
def final_learner(method_runs: dict[str, Path]) -> Any:
    run = method_runs["progressive"]
    config = read_run_config(run)
    return load_learner(run / "season_2_winter", ppo_config=config["ppo"], restore_random_state=False)


@pytest.fixture(scope="module")
def recognizer(final_learner: Any, method_runs: dict[str, Path]) -> SeasonRecognizer:
    assert read_run_config(method_runs["progressive"])["env"] == ENV_ID
    return fit_recognizer(final_learner, ENV_ID, days=6)


@pytest.fixture
def run_copy(method_runs: dict[str, Path], tmp_path: Path) -> Path:
    return Path(shutil.copytree(method_runs["progressive"], tmp_path / "progressive"))


def test_recognizer_tells_two_seasons_apart_on_held_out_days(final_learner: Any, recognizer: SeasonRecognizer) -> None:
    # Fitted on days seeded from FIT_SEED; judged on the evaluation days, which it never saw.
    for season in ("spring", "winter"):
        _, _, named = play_days(final_learner, season, 6, EVAL_SEED, ENV_ID, recognizer, told=False)
        assert len(named) == 6
        assert np.mean([guess == season for guess, *_ in named]) >= 0.9
        assert all(1 <= step <= recognizer.commit_steps for _, step, *_ in named)


def test_a_recognizer_of_spring_finds_winter_new(final_learner: Any) -> None:
    spring_days = play_days(final_learner, "spring", 6, FIT_SEED, ENV_ID)[1]
    n_obs, n_actions = spring_days[0].observations.shape[1], spring_days[0].actions.shape[1]
    spring_only = SeasonRecognizer(["spring"], n_obs - MAX_SEASONS, n_actions).fit(spring_days)
    for season, new in (("spring", False), ("winter", True)):
        _, _, named = play_days(final_learner, season, 6, EVAL_SEED, ENV_ID, spring_only, told=False)
        assert [novel for _, _, novel, _ in named] == [new] * 6, season


def test_recognizer_survives_save_and_load_bit_for_bit(recognizer: SeasonRecognizer) -> None:
    loaded = SeasonRecognizer.from_bytes(recognizer.to_bytes())
    assert loaded.seasons == recognizer.seasons
    assert (loaded.obs_dims, loaded.confidence, loaded.commit_steps) == (
        recognizer.obs_dims,
        recognizer.confidence,
        recognizer.commit_steps,
    )
    assert loaded.novelty_threshold == recognizer.novelty_threshold
    assert loaded.movement_threshold == recognizer.movement_threshold < float("inf")
    for name in ("mean", "scale", "weights", "bias", "centers", "spreads", "move_weights", "move_spreads"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(recognizer, name))
    features = np.random.default_rng(0).normal(size=(5, recognizer.mean.size))
    np.testing.assert_array_equal(loaded.probabilities(features), recognizer.probabilities(features))
    np.testing.assert_array_equal(loaded.novelty(features), recognizer.novelty(features))
    with pytest.raises(ValueError, match="not a season recognizer"):
        SeasonRecognizer.from_bytes(b"not an npz archive")


class ScrambledSeason(VecEnvWrapper):
    """Writes a one-hot of another season (slot 5) where the env wrote the true one."""

    def _scramble(self, observations: np.ndarray) -> np.ndarray:
        observations = observations.copy()
        observations[:, -MAX_SEASONS:] = 0.0
        observations[:, -MAX_SEASONS + 5] = 1.0
        return observations

    def reset(self) -> np.ndarray:
        return self._scramble(np.asarray(self.venv.reset()))

    def step_wait(self) -> Any:
        observations, rewards, dones, infos = self.venv.step_wait()
        return self._scramble(np.asarray(observations)), rewards, dones, infos


def test_acting_season_agnostic_never_reads_the_one_hot(
    final_learner: Any, recognizer: SeasonRecognizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    honest = play_days(final_learner, "winter", 4, EVAL_SEED, ENV_ID, recognizer, told=False)
    original: Callable[..., VecEnv] = recognition.season_vec_env
    monkeypatch.setattr(recognition, "season_vec_env", lambda *args, **kwargs: ScrambledSeason(original(*args, **kwargs)))
    scrambled = play_days(final_learner, "winter", 4, EVAL_SEED, ENV_ID, recognizer, told=False)
    assert scrambled[0] == honest[0]  # the same returns
    assert scrambled[2] == honest[2]  # the same seasons named, at the same steps
    for day, other in zip(honest[1], scrambled[1], strict=True):
        np.testing.assert_array_equal(day.actions, other.actions)


def test_told_play_matches_the_evaluation_days(final_learner: Any) -> None:
    # play_days deals the days as SB3's evaluate_policy does: told the season, the same mean return.
    evaluator = SeasonEvaluator(["winter"], 4, env_id=ENV_ID)
    expected = evaluator.mean_return(final_learner.acting_model("winter"), "winter")
    evaluator.close()
    returns, _, _ = play_days(final_learner, "winter", 4, EVAL_SEED, ENV_ID)
    assert float(np.mean(returns)) == expected


def test_training_saves_a_recognizer_with_every_checkpoint_and_eval_uses_it(run_copy: Path) -> None:
    saved = {folder: (run_copy / folder / RECOGNIZER_FILE).read_bytes() for folder in CHECKPOINTS}
    assert not (run_copy / "untrained" / RECOGNIZER_FILE).exists()  # nothing learned, nothing to recognize
    assert SeasonRecognizer.from_bytes(saved["season_1_spring"]).seasons == ["spring"]
    assert SeasonRecognizer.from_bytes(saved["season_2_winter"]).seasons == ["spring", "winter"]
    result = evergreen_here("eval", run_copy, "--season-agnostic", "--episodes", "2")
    assert result.returncode == 0, result.stderr
    _, _, first = read_matrix(run_copy / "eval_agnostic")
    assert np.isnan(first[1, 1])  # after spring the progressive network has no winter column, told or not
    # compare shows the run told and not told, and its recognizer's confusion.
    compared = evergreen_here("compare", run_copy, "--out", run_copy.parent / "report")
    assert compared.returncode == 0, compared.stderr
    report = (run_copy.parent / "report" / "report.md").read_text()
    assert "## Told the season and not" in report and "| progressive | 1 |" in report
    assert (run_copy.parent / "report" / "confusion.png").is_file()
    # --fit-recognizer for checkpoints made without one: removed here, fitted again, the same bytes.
    for folder in CHECKPOINTS:
        (run_copy / folder / RECOGNIZER_FILE).unlink()
    again = evergreen_here("eval", run_copy, "--season-agnostic", "--fit-recognizer", "--episodes", "2")
    assert again.returncode == 0, again.stderr
    assert {folder: (run_copy / folder / RECOGNIZER_FILE).read_bytes() for folder in CHECKPOINTS} == saved
    _, _, second = read_matrix(run_copy / "eval_agnostic")
    np.testing.assert_array_equal(first, second)


def test_eval_season_agnostic_without_a_recognizer_names_the_file(run_copy: Path) -> None:
    missing = run_copy / "season_1_spring" / RECOGNIZER_FILE
    missing.unlink()  # as a checkpoint made before recognizers were
    result = evergreen_here("eval", run_copy, "--season-agnostic")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert str(missing) in result.stderr and "--fit-recognizer" in result.stderr
    assert not (run_copy / "eval_agnostic").exists()


def test_eval_season_agnostic_with_a_damaged_recognizer_names_the_file(run_copy: Path) -> None:
    damaged = run_copy / "season_2_winter" / RECOGNIZER_FILE
    damaged.write_bytes(damaged.read_bytes()[:40])
    before = sorted(p.name for p in run_copy.rglob("*"))
    result = evergreen_here("eval", run_copy, "--season-agnostic")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and str(damaged) in result.stderr
    assert sorted(p.name for p in run_copy.rglob("*")) == before


def test_fit_recognizer_needs_season_agnostic(run_copy: Path) -> None:
    result = evergreen_here("eval", run_copy, "--fit-recognizer")
    assert result.returncode == 2 and "--season-agnostic" in result.stderr


def test_the_icy_spring_shares_springs_thermometer_clock_and_plants_not_its_ground() -> None:
    icy, spring = resolve_season(str(CONFIG_DIR / "seasons" / "icy_spring.yaml")), resolve_season("spring")
    same = ("temperature_c", "episode_steps", "thirsty_kinds", "dormant_kinds", "thirsty_plants", "dormant_plants")
    assert [getattr(icy, name) for name in same] == [getattr(spring, name) for name in same]
    assert icy.ground_friction < spring.ground_friction and icy.drag < spring.drag
