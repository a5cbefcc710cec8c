"""Season recognizers of checkpoints: the days they are fitted on, their file, and acting with one.

A learner that acts with a network (or column, or head) per season needs to be told the season;
acting without it (``evergreen eval --season-agnostic``, :mod:`experiments.pipeline.agnostic`), a
:class:`~agent.components.recognizer.SeasonRecognizer` names the season from the day so far. The
recognizer of a checkpoint is fitted on days of the seasons that checkpoint was trained on, played by
the checkpoint told the season, on days no evaluation uses (env ``i`` seeded ``FIT_SEED + i``), and
saved in the checkpoint's folder (``recognizer.npz``): by ``evergreen train`` at each season's end,
or by ``evergreen eval --season-agnostic --fit-recognizer`` for checkpoints made before.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from gymnasium import spaces

from agent import CheckpointError, ContinualLearner
from agent.components.recognizer import Day, DayTracker, SeasonRecognizer
from agent.core.season_envs import season_vec_env
from envs import MAX_SEASONS
from envs.season_spec import resolve_season
from experiments.pipeline.evaluation import MAX_EVAL_ENVS

RECOGNIZER_FILE = "recognizer.npz"
#: First seed of the days a recognizer is fitted on (evaluation uses EVAL_SEED and up, training far below).
FIT_SEED = 20_000
#: What a recognizer named on a day: the season, the step it committed at, judged new, the day's length.
Named = tuple[str, int, bool, int]
#: Days per season a recognizer is fitted on.
FIT_DAYS = 20
#: Methods that act with a network (or column, or head) per season, and so need a recognizer.
PER_SEASON = ("progressive", "progressive-random", "progress-compress", "finetune-copies")


def one_hot(season: str) -> np.ndarray:
    """The season one-hot the env writes for ``season``."""
    vector = np.zeros(MAX_SEASONS, dtype=np.float32)
    vector[resolve_season(season).index] = 1.0
    return vector


def play_days(
    learner: ContinualLearner,
    season: str,
    days: int,
    seed: int,
    env_id: str,
    recognizer: SeasonRecognizer | None = None,
    told: bool = True,
    only: str | None = None,
) -> tuple[list[float], list[Day], list[Named]]:
    """Play ``days`` days of ``season`` deterministically: their returns, the days lived, and per day :data:`Named`.

    Told: the learner acts for ``season`` with the env's one-hot. Not told: the one-hot is zeroed and,
    with a ``recognizer``, the season it names picks the network and its one-hot; with ``only`` (a
    learner with a network per season that knows one), that season's network acts. Days are dealt
    as SB3's ``evaluate_policy`` deals them, so the same seed gives the same days, and a day's return
    is the Monitor's (rounded to 6 decimals) as there.
    """
    n_envs = min(days, MAX_EVAL_ENVS)
    env = season_vec_env(season, n_envs, seed, env_id=env_id)
    env.seed(seed)
    box = env.action_space
    assert isinstance(box, spaces.Box)
    targets = [(days + i) // n_envs for i in range(n_envs)]
    counts, returns = [0] * n_envs, [0.0] * n_envs
    trajectories: list[tuple[list[np.ndarray], list[np.ndarray]]] = [([], []) for _ in range(n_envs)]
    finished, lived, named = list[float](), list[Day](), list[Named]()
    tracker = DayTracker(recognizer, n_envs) if recognizer is not None else None
    observations = np.asarray(env.reset())
    actions: np.ndarray | None = None
    dones = np.zeros(n_envs, dtype=bool)
    while any(c < t for c, t in zip(counts, targets, strict=True)):
        blind = observations.copy()
        blind[:, -MAX_SEASONS:] = 0.0  # nothing below reads the season the env wrote
        seasons = tracker.observe(blind, actions, dones) if tracker is not None else None
        if told:
            actions = np.asarray(learner.acting_model(season).predict(observations, deterministic=True)[0])
        else:
            named_now = seasons or [only or season] * n_envs
            actions = act_untold(learner, blind, named_now, told_one_hot=seasons is not None or only is not None)
        actions = np.clip(actions, box.low, box.high)
        for i in range(n_envs):
            trajectories[i][0].append(observations[i].copy())
            trajectories[i][1].append(actions[i].copy())
        stepped, rewards, dones, infos = env.step(actions)
        observations = np.asarray(stepped)
        for i in range(n_envs):
            if counts[i] >= targets[i]:
                continue
            returns[i] += float(rewards[i])
            if dones[i]:
                finished.append(float(infos[i]["episode"]["r"]) if "episode" in infos[i] else returns[i])
                lived.append(Day(season, *(np.stack(part) for part in trajectories[i])))
                if tracker is not None and seasons is not None:
                    steps = len(trajectories[i][0])
                    named.append((seasons[i], tracker.committed_at[i] or steps, bool(tracker.novel[i]), steps))
                counts[i] += 1
                returns[i], trajectories[i] = 0.0, ([], [])
    env.close()
    return finished, lived, named


def act_untold(learner: ContinualLearner, blind: np.ndarray, seasons: list[str], told_one_hot: bool) -> np.ndarray:
    """Deterministic actions for one-hot-free observations, each env acting as the season named for it.

    ``told_one_hot``: the named season's one-hot is written into the observation (it picks a column or
    head); otherwise the slots stay empty (a single network on what it observes).
    """
    actions: np.ndarray | None = None
    for guess in dict.fromkeys(seasons):
        rows = [i for i, s in enumerate(seasons) if s == guess]
        inputs = blind[rows]
        if told_one_hot:
            inputs[:, -MAX_SEASONS:] = one_hot(guess)
        predicted = np.asarray(learner.acting_model(guess).predict(inputs, deterministic=True)[0])
        if actions is None:
            actions = np.zeros((len(blind), *predicted.shape[1:]), dtype=np.float32)
        actions[rows] = predicted
    assert actions is not None
    return actions


def fit_recognizer(learner: ContinualLearner, env_id: str, days: int = FIT_DAYS) -> SeasonRecognizer:
    """A recognizer of the learner's seasons so far, fitted on ``days`` days of each, played told the season."""
    seasons = list(dict.fromkeys(learner.seasons))
    lived: list[Day] = []
    for season in seasons:
        lived += play_days(learner, season, days, FIT_SEED, env_id)[1]
    obs_dims, n_actions = lived[0].observations.shape[1] - MAX_SEASONS, lived[0].actions.shape[1]
    return SeasonRecognizer(seasons, obs_dims, n_actions).fit(lived)


def load_recognizer(path: Path) -> SeasonRecognizer:
    """The recognizer saved at ``path``; ``CheckpointError`` naming the file if it is missing or damaged."""
    if not path.is_file():
        raise CheckpointError(
            f"{path}: no season recognizer for this checkpoint; fit one with "
            f"`evergreen eval {path.parent.parent} --season-agnostic --fit-recognizer`"
        )
    try:
        return SeasonRecognizer.from_bytes(path.read_bytes())
    except ValueError as error:
        raise CheckpointError(f"{path}: damaged season recognizer ({error}); fit it again with --fit-recognizer") from None
