"""The season recognizer's movement models: a season that looks like a known one but moves like another is new.

Days of the real garden (GardenWatering-v1), driven by a fixed noisy command to drive ahead from the
day's standstill, as a trained gardener starts its day; no learner is needed.
"""

from __future__ import annotations

import io

import gymnasium as gym
import numpy as np
import pytest

import envs  # noqa: F401  (registers the garden's ids)
from agent.components.recognizer import Day, DayEvidence, SeasonRecognizer, day_features
from agent.components.season_movement import MOVE_STEPS, early_moves, movement_surprise
from envs import MAX_SEASONS
from experiments.pipeline.config import CONFIG_DIR

ICY_SPRING = str(CONFIG_DIR / "seasons" / "icy_spring.yaml")
STEPS = 12  # a day's first steps: novelty is judged at step 10


def drive(season: str, days: int, seed: int) -> list[Day]:
    """``days`` days of ``season``, each its first :data:`STEPS` steps, commanded ahead with a little noise."""
    env = gym.make("GardenWatering-v1", season=season, observe_season=True)
    rng = np.random.default_rng(seed)
    lived = []
    for day in range(days):
        observation, _ = env.reset(seed=seed + day)
        observations, actions = [], []
        for _ in range(STEPS):
            action = np.clip(np.array([0.8, 0.8, 0.0]) + rng.normal(0.0, 0.15, 3), -1.0, 1.0).astype(np.float32)
            observations.append(observation)
            actions.append(action)
            observation, *_ = env.step(action)
        lived.append(Day(season, np.stack(observations), np.stack(actions)))
    env.close()
    return lived


@pytest.fixture(scope="module")
def spring_recognizer() -> SeasonRecognizer:
    days = drive("spring", 12, seed=20_000)
    obs_dims = days[0].observations.shape[1] - MAX_SEASONS
    return SeasonRecognizer(["spring"], obs_dims, days[0].actions.shape[1]).fit(days)


def judged(recognizer: SeasonRecognizer, days: list[Day]) -> list[bool]:
    step = recognizer.commit_steps
    return [
        recognizer.is_new(
            day_features(d.observations[:step, : recognizer.obs_dims], d.actions)[-1], early_moves(d.observations, d.actions)
        )
        for d in days
    ]


def test_the_icy_spring_looks_like_spring_but_its_first_moves_are_new(spring_recognizer: SeasonRecognizer) -> None:
    icy = drive(ICY_SPRING, 8, seed=30_000)
    assert judged(spring_recognizer, icy) == [True] * 8
    # By its look alone (thermometer, clock, plants), most icy-spring days would pass as spring.
    looks = [
        spring_recognizer.novelty(day_features(d.observations[:10, : spring_recognizer.obs_dims], d.actions)[-1:])[0]
        for d in icy
    ]
    assert np.mean([score <= spring_recognizer.novelty_threshold for score in looks]) >= 0.5


def test_springs_movement_model_explains_spring_days_it_was_not_fitted_on(spring_recognizer: SeasonRecognizer) -> None:
    model = (spring_recognizer.move_weights[0], spring_recognizer.move_spreads[0])
    surprises = [movement_surprise(early_moves(d.observations, d.actions), *model) for d in drive("spring", 8, seed=30_000)]
    assert max(surprises) <= spring_recognizer.movement_threshold
    icy = [movement_surprise(early_moves(d.observations, d.actions), *model) for d in drive(ICY_SPRING, 8, seed=30_000)]
    assert min(icy) > 3 * max(surprises)  # ice is far from what spring's ground explains


def test_the_day_evidence_keeps_the_same_early_moves_as_the_whole_day() -> None:
    (day,) = drive("spring", 1, seed=5)
    evidence = DayEvidence(day.actions.shape[1])
    for t, observation in enumerate(day.observations):
        evidence.add(observation[:-MAX_SEASONS].astype(np.float64), day.actions[t - 1].astype(np.float64) if t else None)
    np.testing.assert_array_equal(evidence.moves(), early_moves(day.observations, day.actions))
    assert evidence.moves().shape == (MOVE_STEPS, 6 + day.actions.shape[1])


def test_a_recognizer_saved_before_movement_models_loads_and_judges_by_look_alone(
    spring_recognizer: SeasonRecognizer,
) -> None:
    with np.load(io.BytesIO(spring_recognizer.to_bytes())) as saved:
        old = {name: saved[name] for name in saved.files if not name.startswith("move_")}
    old["settings"] = old["settings"][:5]  # the settings had no movement threshold then
    buffer = io.BytesIO()
    np.savez(buffer, **old)
    loaded = SeasonRecognizer.from_bytes(buffer.getvalue())
    assert loaded.movement_threshold == float("inf") and loaded.move_weights.size == 0
    icy = drive(ICY_SPRING, 4, seed=30_000)
    looks = [loaded.novelty(day_features(d.observations[:10, : loaded.obs_dims], d.actions)[-1:])[0] for d in icy]
    assert judged(loaded, icy) == [score > loaded.novelty_threshold for score in looks]
