"""Noticing, while training, that the garden has moved to a season the learner has not learned.

A learner trained without being told when a season ends (``evergreen train --season-agnostic``)
follows its own training days with :class:`SeasonWatch`, an SB3 callback. For each season it
believes it is in, the watch

1. collects the first ``warmup_days`` days of the season and fits a
   :class:`~agent.components.recognizer.SeasonRecognizer` on them and on the days kept of the
   seasons before (its novelty score says how unlike every known season a day is);
2. judges every later day new or known (:meth:`~agent.components.recognizer.SeasonRecognizer.is_new`:
   its look at step ``commit_steps`` of the day, and its first moves) and feeds the verdicts to Page's CUSUM
   (:class:`~agent.components.change_detector.SeasonChangeDetector`);
3. refits the recognizer every ``refit_days`` days on the season's latest days, so it follows the
   policy as it learns (what the robot sees and how it moves change with it). A day is learned only
   ``lag_days`` days after it was judged: a new season is noticed before its days could be learned
   as the old season's, even one that looks new on only some of its days;
4. stops ``learn`` when the CUSUM declares a change. The days since the CUSUM statistic last stood at
   zero are the change's own evidence and are set aside: they belong to the new season.

The states of the season's last days before the change (:meth:`SeasonWatch.season_states`) are what the
learner's season-end work uses (a replay memory, a distillation), since the season can no longer be
played once the garden has moved on; :meth:`SeasonWatch.recognizer` is the acting recognizer saved
with the season's checkpoint.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

import numpy as np
from stable_baselines3.common.callbacks import BaseCallback

from agent.components.change_detector import SeasonChangeDetector
from agent.components.recognizer import Day, SeasonRecognizer, day_features
from agent.components.season_movement import early_moves

#: A finished day's verdict: (season believed, its env steps, judged new or None in warm-up, stream step at its end).
Verdict = tuple[str, int, bool | None, int]

#: Detector settings while training: the training policy is stochastic and still learning, so a known
#: season's day is judged new more often than when acting (p_known 0.1); a new season may look new on
#: only half of its days (p_new 0.5: the evidence still grows, by 0.5 a day at that rate); the threshold
#: asks for 12 days judged new in a row (some 650 env steps of days), far below a season's length.
TRAINING_DETECTOR = {"p_known": 0.1, "p_new": 0.5, "threshold": 18.0}


class SeasonWatch(BaseCallback):
    """Follows a learner's training days and stops ``learn`` when a new season begins (module docstring).

    :param obs_dims: the observation's length without the season one-hot
    :param n_actions: the action's length
    :param warmup_days: days of a new season collected before its days are judged
    :param refit_days: days between refits of the recognizer
    :param keep_days: days kept per season for the recognizer (its latest learned)
    :param keep_states: observations kept of the current season for its season-end work
    :param lag_days: a judged day is learned (kept for the recognizer) only after this many later days
    :param clock: reads the env steps of the stream so far (recorded with each day's verdict)
    """

    def __init__(
        self,
        obs_dims: int,
        n_actions: int,
        warmup_days: int = 50,
        refit_days: int = 25,
        keep_days: int = 50,
        keep_states: int = 10_000,
        lag_days: int = 100,
        clock: Callable[[], int] | None = None,
    ) -> None:
        super().__init__()
        self.obs_dims, self.n_actions = obs_dims, n_actions
        self.warmup_days, self.refit_days, self.keep_days, self.keep_states = warmup_days, refit_days, keep_days, keep_states
        self.lag_days, self.clock = lag_days, clock
        # Per season, the latest days it learns: their features and early moves (what a recognizer is fitted on).
        self.known: dict[str, deque[tuple[np.ndarray, np.ndarray]]] = {}
        self.season = ""
        self.watching = False
        self.changed = False
        self.detector = SeasonChangeDetector(**TRAINING_DETECTOR)
        self.fitted: SeasonRecognizer | None = None
        self.verdicts: list[Verdict] = []  # per finished day
        self._recent: deque[np.ndarray] = deque()  # the current season's observations, day by day
        self._recent_states = 0
        self._waiting: deque[Day] = deque()  # judged days not learned yet (the latest lag_days)
        self._excursion = 0  # days since the CUSUM statistic last stood at zero
        self._since_fit = 0
        self._open: list[tuple[list[np.ndarray], list[np.ndarray]]] = []

    def begin(self, season: str, watch: bool = True) -> None:
        """A new season starts (the learner's ``start_season``); ``watch``: look for the next change."""
        self.season, self.watching, self.changed = season, watch, False
        self.known[season] = deque(maxlen=self.keep_days)
        self.fitted = None
        self.detector.statistic = 0.0
        self._recent.clear()
        self._recent_states = 0
        self._waiting.clear()
        self._excursion, self._since_fit = 0, 0

    def _on_training_start(self) -> None:
        self._open = [([], []) for _ in range(self.training_env.num_envs)]  # a new learn resets its envs

    def _on_step(self) -> bool:
        observations = self.locals["obs_tensor"].numpy()
        actions, dones = self.locals["clipped_actions"], self.locals["dones"]
        for i, (states, taken) in enumerate(self._open):
            states.append(observations[i].copy())
            taken.append(np.asarray(actions[i], dtype=np.float64).copy())
            if dones[i]:
                self.add_day(Day(self.season, np.stack(states), np.stack(taken)))
                self._open[i] = ([], [])
        return not self.changed

    def add_day(self, day: Day) -> None:
        """Judge a finished day and update the detector (or collect it, in the season's warm-up)."""
        if self.changed:  # another env's day ended in the step the change was noticed: the new season's
            return
        if self.fitted is None:
            self._keep(day)
            self.verdicts.append((self.season, len(day.observations), None, self._now()))
            self._since_fit += 1
            if self._since_fit >= self.warmup_days:
                self._refit()
            return
        features = day_features(day.observations[: self.fitted.commit_steps, : self.obs_dims], day.actions)
        judged_new = self.fitted.is_new(features[-1], early_moves(day.observations, day.actions))
        self.verdicts.append((self.season, len(day.observations), judged_new, self._now()))
        self._waiting.append(day)
        if self.watching and self.detector.update(judged_new, len(day.observations)):
            # The days since the CUSUM statistic last stood at zero are the change's evidence: the new
            # season's. Those before are the old season's last days.
            self.changed = True
            for old in list(self._waiting)[: len(self._waiting) - self._excursion - 1]:
                self._keep(old)
            self._waiting.clear()
            return
        self._excursion = self._excursion + 1 if self.detector.statistic > 0.0 else 0
        # A day is learned once lag_days later days have passed without a change: a new season is noticed
        # before its days could be learned as the old season's, even one that looks new on only some days.
        while len(self._waiting) > self.lag_days:
            self._keep(self._waiting.popleft())
        self._since_fit += 1
        if self._since_fit >= self.refit_days:
            self._refit()

    def _now(self) -> int:
        return self.clock() if self.clock is not None else self.num_timesteps

    def _keep(self, day: Day) -> None:
        """Keep a day of the current season: its states, and for the recognizer."""
        self._recent.append(day.observations.astype(np.float32))
        self._recent_states += len(day.observations)
        while self._recent_states - len(self._recent[0]) >= self.keep_states:
            self._recent_states -= len(self._recent.popleft())
        features = day_features(day.observations[:, : self.obs_dims], day.actions)
        self.known[self.season].append((features, early_moves(day.observations, day.actions)))

    def _refit(self) -> None:
        self.fitted = self.recognizer()
        self._since_fit = 0

    def recognizer(self) -> SeasonRecognizer:
        """A recognizer of every season so far, fitted on the days kept of each."""
        days = [day for season_days in self.known.values() for day in season_days]
        seasons = [season for season, season_days in self.known.items() for _ in season_days]
        recognizer = SeasonRecognizer(list(self.known), self.obs_dims, self.n_actions)
        return recognizer.fit_features([f for f, _ in days], seasons, moves=[m for _, m in days])

    def season_states(self) -> np.ndarray:
        """The current season's latest observations (up to ``keep_states``) before a change was noticed."""
        days = [*self._recent, *(day.observations.astype(np.float32) for day in self._waiting)]
        if not days:
            return np.zeros((0, 0), dtype=np.float32)
        return np.concatenate(days)[-self.keep_states :]
