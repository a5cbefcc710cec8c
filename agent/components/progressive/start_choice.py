"""How a new column starts when ``column_init`` is ``best``: the start that plays the new season best.

A copy of an earlier column transfers what it learned only where that helps: a column copied
into a season whose rules contradict its own (winter's watering rule reverses the others') starts
below a fresh column and spends its first rollouts unlearning. ``best`` therefore tries each
candidate start (a copy of each earlier column, or of each earlier season's head, and the fresh
column, the start of Progressive Neural Networks, Rusu et al. 2016, https://arxiv.org/abs/1606.04671)
on a few days of the new season, with deterministic actions. The best-scoring copy starts the
column if it plays at least as well as the fresh column. Where no copy does, the latest copy starts
it, as with ``latest`` (why, against a fresh column or a copy's hidden layers under fresh heads:
docs/benchmark.md#starting-from-the-best-playing-column). The days played are environment steps:
:func:`trial_start` counts them as training compute.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.evaluation import evaluate_policy

from agent.components.progressive.column import ProgressiveColumn
from agent.core.learner import ContinualLearner
from agent.core.season_envs import season_vec_env

#: Name of the fresh column among the candidates (the paper's start).
FRESH = "fresh"
#: Trial days per candidate: a day is 50 to 60 steps, so a few thousand steps a season at most.
TRIAL_DAYS = 8
#: Offset of the trial days' env seeds from the season's training envs' seed (the evaluation days are far above).
TRIAL_SEED_OFFSET = 700


@dataclass
class ColumnStart:
    """The start chosen for one season: the candidates' mean returns on the trial days and their cost."""

    season: str
    chosen: str
    returns: dict[str, float] = field(default_factory=dict)
    env_steps: int = 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (kept in the learner's checkpoint)."""
        return asdict(self)


def choose_start(
    model: BaseAlgorithm,
    column: ProgressiveColumn,
    sources: Sequence[tuple[str, ProgressiveColumn, int]],
    season: str,
    seed: int,
    env_id: str,
    days: int = TRIAL_DAYS,
) -> ColumnStart:
    """Start ``column`` (the one ``model`` trains and acts with in ``season``) from its best-playing candidate.

    :param sources: ``(name, earlier column, head)`` per candidate copy, most recent first; a copy is
        :meth:`ProgressiveColumn.start_from`. The column as it is now is the fresh candidate, tried last.
    :param days: trial days per candidate (the same days for each: one env per day, seeded from ``seed``)
    :return: the choice. The best copy starts the column if it plays at least as well as the fresh
        column (ties go to the most recent copy); otherwise the most recent copy does (``chosen`` is
        ``"NAME, the latest"``).
    """
    fresh = {name: tensor.clone() for name, tensor in column.state_dict().items()}
    choice = ColumnStart(season=season, chosen=FRESH)
    env = season_vec_env(season, days, seed, env_id=env_id)
    try:
        for name, source, head in [*sources, (FRESH, None, 0)]:
            column.load_state_dict(fresh)  # the adapters' parts a copy leaves alone stay as initialized
            if source is not None:
                column.start_from(source, head)
            env.seed(seed)
            returns, lengths = evaluate_policy(
                model, env, n_eval_episodes=days, deterministic=True, return_episode_rewards=True
            )
            choice.returns[name] = float(np.mean(returns))
            choice.env_steps += int(np.sum(lengths))
    finally:
        env.close()
    column.load_state_dict(fresh)
    if not sources:
        return choice
    best_copy = max(range(len(sources)), key=lambda k: choice.returns[sources[k][0]])  # the first of the best
    copy_wins = choice.returns[sources[best_copy][0]] >= choice.returns[FRESH]
    name, source, head = sources[best_copy if copy_wins else 0]
    column.start_from(source, head)
    choice.chosen = name if copy_wins else f"{name}, the latest"
    return choice


def trial_start(
    learner: ContinualLearner,
    model: BaseAlgorithm,
    column: ProgressiveColumn,
    sources: Sequence[tuple[str, ProgressiveColumn, int]],
    season: str,
) -> dict[str, Any]:
    """:func:`choose_start` on ``learner``'s trial days of ``season``, its wall time and env steps counted as
    the learner's training compute; the choice as a JSON-ready dict (for the learner's ``column_starts``)."""
    with learner.season_work():
        start = choose_start(model, column, sources, season, learner.env_seed() + TRIAL_SEED_OFFSET, learner.env_id)
    learner.account.env_steps += start.env_steps
    return start.to_dict()
