"""SB3 callbacks of a seasonal run: the learning curves, the mid-season checkpoints and the progress bar."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np
from stable_baselines3.common.callbacks import BaseCallback
from tqdm.auto import tqdm

from agent import ContinualLearner
from envs.season_spec import season_label
from experiments.pipeline.evaluation import SeasonEvaluator


class LearningCurve(BaseCallback):
    """Evaluate every season of the sequence at the start of a season, every ``eval_every`` steps and at its end.

    The end point is skipped when the last evaluation is less than half an interval before it.

    Points (dicts with the ``curves.csv`` columns) accumulate in ``points``; the evaluation time
    is excluded from the learner's training wall time. A season resumed from a mid-season
    checkpoint sets ``points`` and ``next_eval`` from it: the curve goes on where it stopped
    (season steps count from the season's start).
    """

    def __init__(
        self,
        learner: ContinualLearner,
        evaluator: SeasonEvaluator,
        seasons: list[str],
        season_index: int,
        eval_every: int,
    ) -> None:
        super().__init__()
        self.learner = learner
        self.evaluator = evaluator
        self.seasons = seasons
        self.labels = [season_label(season) for season in seasons]
        self.season_index = season_index
        self.eval_every = eval_every
        self.points: list[dict[str, Any]] = []
        self.next_eval = eval_every

    def _season_step(self) -> int:
        return self.learner.season_steps()

    def _evaluate(self) -> None:
        with self.learner.untimed():
            raw, normalized = self.evaluator.row(self.learner, self.seasons)
        trained = season_label(self.learner.season)
        for label, value, score in zip(self.labels, raw, normalized, strict=True):
            self.points.append(
                {
                    "season_index": self.season_index,
                    "trained_season": trained,
                    "season_step": self._season_step(),
                    "step": self.learner.account.env_steps + self._season_step(),
                    "eval_season": label,
                    "return": value,
                    "normalized": score,
                }
            )
        self.logger.record(
            f"eval/{self.learner.season}_normalized_return", normalized[self.seasons.index(self.learner.season)]
        )

    def _on_training_start(self) -> None:
        if not self.points:  # the season's first point (a resumed season has it already)
            self._evaluate()

    def _on_step(self) -> bool:
        if self._season_step() >= self.next_eval:
            self.next_eval += self.eval_every
            self._evaluate()
        return True

    def _on_training_end(self) -> None:
        # The season's last point, unless an evaluation just happened (SB3 overshoots by < 1 rollout).
        last = self.points[-1]["season_step"] if self.points else -self.eval_every
        if self._season_step() - last >= self.eval_every / 2:
            self._evaluate()


class MidSeasonCheckpoints(BaseCallback):
    """Call ``save(season_steps)`` at the first rollout boundary after every ``every`` env steps of the season.

    At a rollout boundary (before a rollout is collected) the model has just been updated and no
    transition is pending, so the saved state is one a season can go on from. ``done`` is where a
    resumed season starts; the schedule stays the same multiples of ``every``.
    """

    def __init__(self, learner: ContinualLearner, every: int, save: Callable[[int], None], done: int = 0) -> None:
        super().__init__()
        if every < 1:
            raise ValueError(f"checkpoint interval must be >= 1 env step, got {every}")
        self.learner = learner
        self.every = every
        self.save = save
        self.next_save = (done // every + 1) * every

    def _on_rollout_start(self) -> None:
        steps = self.learner.season_steps()
        if steps >= self.next_save:
            self.next_save = (steps // self.every + 1) * self.every
            self.save(steps)

    def _on_step(self) -> bool:
        return True


class SeasonProgressBar(BaseCallback):
    """A tqdm bar per season: season, env steps and the mean return of the last training episodes."""

    def __init__(self, label: str, total: int, done: int = 0) -> None:
        super().__init__()
        self.label = label
        self.total = total
        self.done = done  # steps a resumed season had done before
        self._bar: tqdm | None = None
        self._start_steps = 0
        self._returns: deque[float] = deque(maxlen=20)  # this season's last training days

    def _on_training_start(self) -> None:
        self._start_steps = self.num_timesteps - self.done
        self._bar = tqdm(total=self.total, initial=self.done, desc=self.label, unit="step", dynamic_ncols=True, leave=True)

    def _on_step(self) -> bool:
        assert self._bar is not None
        self._bar.update(self.num_timesteps - self._start_steps - self._bar.n)
        self._returns.extend(info["episode"]["r"] for info in self.locals["infos"] if "episode" in info)
        if self.n_calls % 64 == 0 and self._returns:
            self._bar.set_postfix(ret=f"{np.mean(self._returns):.2f}", refresh=False)
        return True

    def _on_training_end(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
