"""SB3 callbacks of a seasonal run: the learning curves and the progress bar."""

from __future__ import annotations

from collections import deque
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
    is excluded from the learner's training wall time.
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
        self._start_steps = 0
        self._next_eval = 0

    def _season_step(self) -> int:
        return self.num_timesteps - self._start_steps

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
        self._start_steps = self.num_timesteps
        self._next_eval = self.eval_every
        self._evaluate()

    def _on_step(self) -> bool:
        if self._season_step() >= self._next_eval:
            self._next_eval += self.eval_every
            self._evaluate()
        return True

    def _on_training_end(self) -> None:
        # The season's last point, unless an evaluation just happened (SB3 overshoots by < 1 rollout).
        last = self.points[-1]["season_step"] if self.points else -self.eval_every
        if self._season_step() - last >= self.eval_every / 2:
            self._evaluate()


class SeasonProgressBar(BaseCallback):
    """A tqdm bar per season: season, env steps and the mean return of the last training episodes."""

    def __init__(self, label: str, total: int) -> None:
        super().__init__()
        self.label = label
        self.total = total
        self._bar: tqdm | None = None
        self._start_steps = 0
        self._returns: deque[float] = deque(maxlen=20)  # this season's last training days

    def _on_training_start(self) -> None:
        self._start_steps = self.num_timesteps
        self._bar = tqdm(total=self.total, desc=self.label, unit="step", dynamic_ncols=True, leave=True)

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
