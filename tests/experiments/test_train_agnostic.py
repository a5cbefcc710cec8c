"""Training without being told when the season changes: ``evergreen train --season-agnostic``.

The world's clock and its envs (experiments.pipeline.season_stream), a tiny two-season run end to end
(the change noticed, the folders, the report, the evaluation not told), the season-end work on the
states seen, and bad input.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from stable_baselines3.common.vec_env import DummyVecEnv

from agent import make_learner
from envs import MAX_SEASONS
from envs.season_spec import resolve_season
from experiments.pipeline.config import ConfigError, read_run_config
from experiments.pipeline.recognition import RECOGNIZER_FILE
from experiments.pipeline.run_folder import AGNOSTIC_DIR, DETECTION, read_matrix
from experiments.pipeline.season_stream import SeasonStreamEnv, WorldClock, stream_vec_env
from experiments.pipeline.train import train_run
from experiments.pipeline.train_agnostic import detection_report, start_over
from experiments.report.compare import write_report
from tests.experiments.behaviour_fixture import tiny_config
from tests.experiments.cli_runs import assert_user_error, evergreen_here, tree_digest

ENV_ID = "GardenWatering-v1"


def test_the_stream_plays_the_clocks_season_and_shows_the_believed_one_hot() -> None:
    clock = WorldClock(["spring", "winter"], steps=40)
    env = SeasonStreamEnv(clock, ENV_ID, believed="spring")
    spring, winter = resolve_season("spring").index, resolve_season("winter").index
    observation, _ = env.reset(seed=0)
    seasons_played = set()
    for _ in range(300):
        seasons_played.add(env._inner.unwrapped.season_index)  # type: ignore[attr-defined]
        assert observation[-MAX_SEASONS:][spring] == 1.0 and observation[-MAX_SEASONS:].sum() == 1.0
        observation, _, terminated, truncated, _ = env.step(env.action_space.sample())
        if terminated or truncated:
            observation, _ = env.reset()
    env.close()
    assert clock.now == 300 and seasons_played == {spring, winter}  # the next day after step 40 was winter's


def test_stream_envs_share_the_clock_and_are_seeded_by_position() -> None:
    clock = WorldClock(["spring", "winter"], steps=10_000)
    first, second = (stream_vec_env(clock, "spring", 2, seed=7, env_id=ENV_ID) for _ in range(2))
    assert isinstance(first, DummyVecEnv)
    assert np.array_equal(first.reset(), second.reset())
    first.step(np.zeros((2, *first.action_space.shape)))  # type: ignore[misc]
    assert clock.now == 2
    first.close()
    second.close()


def test_detection_report_matches_each_change_with_the_first_detection_after_it() -> None:
    clock = WorldClock(["spring", "summer", "autumn", "winter"], steps=100)
    report = detection_report(clock, [50, 130, 140, 360], [("spring", 30, False, 30), ("spring", 30, True, 120)])
    assert [change["delay_steps"] for change in report["changes"]] == [30, None, 60]
    assert report["false_alarms"] == [50, 140] and report["missed"] == 1
    assert report["days_judged_in_season"] == 1 and report["days_judged_new_in_season"] == 0  # day 2: summer already


def test_season_end_work_takes_the_states_seen_when_the_season_cannot_be_played() -> None:
    learner = make_learner("replay", ppo_config=tiny_config("replay")["ppo"], env_id=ENV_ID, states_per_season=50)
    learner.start_season("spring")
    seen = np.random.default_rng(0).normal(size=(80, learner.model.observation_space.shape[0])).astype(np.float32)  # type: ignore[union-attr]
    learner.end_season(seen_states=seen)
    stored = learner.memory.arrays["observations"]  # type: ignore[attr-defined]
    assert len(stored) == 50 and all(any(np.array_equal(row, state) for state in seen[-50:]) for row in stored)
    learner.close()


@pytest.fixture(scope="module")
def untold_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    config = tiny_config("progressive", env=ENV_ID, season_agnostic=True, steps=4_000, eval_every=10_000)
    run = tmp_path_factory.mktemp("untold") / "progressive"
    train_run(config, run, progress=False)
    return run


def test_an_untold_run_notices_the_change_and_writes_what_a_told_run_writes(untold_run: Path) -> None:
    assert read_run_config(untold_run)["season_agnostic"] is True
    report = json.loads((untold_run / DETECTION).read_text())
    (change,) = report["changes"]
    assert change["to"] == "winter" and change["at_step"] == 4_000
    assert change["noticed_at_step"] is not None and 0 <= change["delay_steps"] < 2_000
    assert report["false_alarms"] == [] and report["missed"] == 0
    for folder in ("season_1_spring", "season_2_winter"):
        assert (untold_run / folder / RECOGNIZER_FILE).is_file()
    rows, columns, told = read_matrix(untold_run)
    assert rows == ["untrained", "spring", "winter"] and columns == ["spring", "winter"]
    _, _, untold = read_matrix(untold_run / AGNOSTIC_DIR)
    assert untold.shape == told.shape and np.isfinite(untold[2]).all()


def test_an_untold_run_run_again_is_left_as_it_is(untold_run: Path) -> None:
    before = tree_digest(untold_run)
    config = read_run_config(untold_run)
    train_run(config, untold_run, progress=False)
    assert tree_digest(untold_run) == before


def test_season_agnostic_needs_distinct_seasons_each_trained_once(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="distinct seasons"):
        tiny_config("progressive", season_agnostic=True, seasons=["spring", "winter", "spring"])
    with pytest.raises(ConfigError, match="not retrain"):
        tiny_config("retrain", season_agnostic=True)
    result = evergreen_here("train", "--method", "retrain", "--season-agnostic", "--run-dir", tmp_path / "run")
    assert_user_error(result, "season_agnostic", "retrain")
    assert not (tmp_path / "run").exists()


def test_compare_shows_the_untold_run_beside_the_told_one(
    untold_run: Path, method_runs: dict[str, Path], tmp_path: Path
) -> None:
    report = write_report([method_runs["progressive"], untold_run], tmp_path / "report").read_text()
    assert "| progressive (untold) |" in report and "| progressive |" in report
    section = report[report.index("## Noticing new seasons") :]
    delay = json.loads((untold_run / DETECTION).read_text())["changes"][0]["delay_steps"]
    assert f"| progressive (untold) | 0 | {delay:,} | 0 |" in section


def test_a_stopped_untold_run_is_moved_aside_inside_its_folder_not_deleted(tmp_path: Path) -> None:
    run = tmp_path / "run"
    (run / "season_1_spring").mkdir(parents=True)
    (run / "config.yaml").write_text("method: progressive\n")
    (run / "season_1_spring" / "row.json").write_text("{}")
    start_over(run)
    (aside,) = run.glob("interrupted-*")
    assert sorted(p.name for p in run.iterdir()) == sorted(["config.yaml", aside.name])
    assert (aside / "season_1_spring" / "row.json").read_text() == "{}"
