"""A season recognizer: which season a day is, from what the robot observes and how it moves.

A learner told nothing but its observations has to work out the season before a progressive
network can pick a column (Rusu et al. 2016 select it by the task id). The recognizer is a
multinomial logistic regression over the season's cues in the day so far (Bishop 2006, ch. 4.3):

- the weather now: temperature, daylight left, wind speed;
- the day's mean, so far, of which plant kinds the robot sees and how moist they are;
- the day's mean, so far, of the rover's response to its own commands: each step's command and
  the change it produced in forward speed, lateral speed and yaw rate, and their products. Ice and
  grass differ there, not in what a thermometer reads, so a user's season that shares a default
  season's temperature and daylight can still be told apart.

Where the robot stands and where each plant is are left out on purpose: they change from day to
day within a season, and a classifier fitted on a few days learns those days' layouts instead of
the season. A day is judged new (:meth:`SeasonRecognizer.is_new`) when it looks unlike every known
season, or when the season it is named does not explain how the rover moved in the day's first steps:
a per-season linear model of the rover's response to its commands from a standstill (its speeds
after a move, from the speeds before and the command), like a system identification of each
season's ground. A user's season that looks like a known one but moves like another is new.

It is fitted on whole days of each season (every prefix of a day is a sample, so it
learns to decide early), by full-batch L-BFGS from zero weights: no random number is drawn, and the
same days give the same recognizer. When acting it commits, for the rest of the day, to the first
season whose probability reaches ``confidence``, or to the most likely season after
``commit_steps`` steps of the day (:class:`DayTracker`).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch as th

from agent.components.season_movement import MOVE_STEPS, RESPONSE, early_moves, fit_movement, movement_surprise
from envs.observation import PLANT_FEATURES, ROBOT_FEATURES
from envs.season_spec import PLANT_KINDS

TEMPERATURE, DAYLIGHT = ROBOT_FEATURES.index("temperature"), ROBOT_FEATURES.index("daylight_left")
WIND = (ROBOT_FEATURES.index("wind_forward"), ROBOT_FEATURES.index("wind_left"))
PRESENT, MOISTURE = PLANT_FEATURES.index("present"), PLANT_FEATURES.index("moisture")
KINDS = tuple(PLANT_FEATURES.index(f"kind_{kind}") for kind in PLANT_KINDS)
#: Steps at the start of a day whose evidence is also kept apart (see :class:`DayEvidence`).
EARLY_STEPS = 4
#: Smallest per-feature spread of a season (standardized units): a feature constant within a season
#: (its temperature) still allows small differences before a day counts as new.
MIN_SPREAD = 0.1


@dataclass
class Day:
    """One day as the robot lived it: its observations (one-hot included) and the actions it took."""

    season: str
    observations: np.ndarray  # (T, n_obs)
    actions: np.ndarray  # (T, n_actions): actions[t] was taken after observations[t]


def weather(observation: np.ndarray) -> np.ndarray:
    """Temperature, daylight left and wind speed (the wind's direction turns with the robot, its speed does not)."""
    return np.array([observation[TEMPERATURE], observation[DAYLIGHT], np.hypot(*observation[list(WIND)])])


def step_evidence(
    observation: np.ndarray, previous: np.ndarray | None, action: np.ndarray | None, n_actions: int
) -> np.ndarray:
    """What one step tells about the season beyond the weather: the plants seen, the last command, the response.

    ``observation`` and ``previous`` exclude the one-hot; the command and response are zeros at a
    day's first step. The plants: per kind, how many slots hold a standing plant of it, and the mean
    moisture of the plants seen.
    """
    slots = observation[len(ROBOT_FEATURES) :].reshape(-1, len(PLANT_FEATURES))
    present = slots[:, PRESENT] > 0.5
    plants = np.concatenate(
        [slots[present][:, list(KINDS)].sum(axis=0), [slots[present, MOISTURE].mean() if present.any() else 0.0]]
    )
    if previous is None or action is None:
        return np.concatenate([plants, np.zeros(n_actions + len(RESPONSE) + n_actions * len(RESPONSE))])
    response = observation[list(RESPONSE)] - previous[list(RESPONSE)]
    return np.concatenate([plants, action, response, np.outer(action, response).ravel()])


class DayEvidence:
    """The recognizer's features of one day so far, a step at a time (see :func:`day_features`).

    A row: the weather now, the day's running mean of :func:`step_evidence`, and its mean over the
    first ``EARLY_STEPS`` steps of the day (held after them). The start of a day, from a standstill,
    is where ice and grass differ most: later, the rover's speed settles and the running means of
    its response draw together.
    """

    def __init__(self, n_actions: int) -> None:
        self.n_actions = n_actions
        self.steps = 0
        self._previous: np.ndarray | None = None
        self._total: np.ndarray | None = None
        self._early: np.ndarray | None = None
        self._moves: list[np.ndarray] = []

    def add(self, observation: np.ndarray, action: np.ndarray | None) -> np.ndarray:
        """The features after ``observation`` (one-hot excluded), reached by ``action`` (``None`` at the day's start)."""
        evidence = step_evidence(observation, self._previous, action if self._previous is not None else None, self.n_actions)
        self._total = evidence if self._total is None else self._total + evidence
        if self.steps < EARLY_STEPS:
            self._early = evidence if self._early is None else self._early + evidence
        assert self._early is not None
        if self._previous is not None and action is not None and len(self._moves) < MOVE_STEPS:
            speeds = list(RESPONSE)
            self._moves.append(np.concatenate([self._previous[speeds], action, observation[speeds]]))
        self._previous, self.steps = observation, self.steps + 1
        return np.concatenate([weather(observation), self._total / self.steps, self._early / min(self.steps, EARLY_STEPS)])

    def moves(self) -> np.ndarray:
        """The day's :func:`early_moves` so far."""
        width = 2 * len(RESPONSE) + self.n_actions
        return np.stack(self._moves) if self._moves else np.zeros((0, width))


def day_features(observations: np.ndarray, actions: np.ndarray) -> np.ndarray:
    """The recognizer's input at every step of a day: (T, n_features), from one-hot-free observations."""
    day = DayEvidence(actions.shape[1])
    rows = [day.add(observations[t].astype(np.float64), actions[t - 1] if t else None) for t in range(len(observations))]
    return np.stack(rows).astype(np.float64)


@dataclass
class SeasonRecognizer:
    """Which of the seasons it was fitted on a day is; see the module docstring.

    :param seasons: the seasons it knows, in order (a learner's seasons so far)
    :param obs_dims: the observation's length without the season one-hot
    :param n_actions: the action's length
    :param confidence: commit as soon as one season is this likely
    :param commit_steps: commit to the most likely season at this step of the day at the latest; the
        day's novelty is judged at this step too
    """

    seasons: list[str]
    obs_dims: int
    n_actions: int
    confidence: float = 0.95
    commit_steps: int = 10
    mean: np.ndarray = field(default_factory=lambda: np.zeros(0))
    scale: np.ndarray = field(default_factory=lambda: np.ones(0))
    weights: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    bias: np.ndarray = field(default_factory=lambda: np.zeros(0))
    centers: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    spreads: np.ndarray = field(default_factory=lambda: np.ones((0, 0)))
    novelty_threshold: float = float("inf")
    move_weights: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0)))
    move_spreads: np.ndarray = field(default_factory=lambda: np.ones((0, 0)))
    movement_threshold: float = float("inf")

    def __post_init__(self) -> None:
        if not self.seasons:
            raise ValueError("a season recognizer needs at least one season")
        if not 0.0 < self.confidence <= 1.0:
            raise ValueError(f"recognizer confidence must be within (0, 1], got {self.confidence!r}")
        if self.commit_steps < 1:
            raise ValueError(f"recognizer commit_steps must be >= 1, got {self.commit_steps!r}")

    @property
    def fitted(self) -> bool:
        """Whether :meth:`fit` has run (or the state was loaded)."""
        return self.centers.size > 0

    def fit(self, days: Sequence[Day], l2: float = 1e-3, max_iter: int = 500) -> SeasonRecognizer:
        """Fit on ``days`` (each of one of :attr:`seasons`); every step of every day is a sample.

        Also fits, per season, the centre and spread of its days' features (for :meth:`novelty`) and
        the novelty threshold: the highest novelty of a fitted day at step ``commit_steps``; and per
        season the movement model of its days' :func:`early_moves` (see :meth:`fit_movements`).
        """
        features = [day_features(day.observations[:, : self.obs_dims], day.actions) for day in days]
        moves = [early_moves(day.observations, day.actions) for day in days]
        return self.fit_features(features, [day.season for day in days], l2, max_iter, moves)

    def fit_features(
        self,
        features: Sequence[np.ndarray],
        seasons: Sequence[str],
        l2: float = 1e-3,
        max_iter: int = 500,
        moves: Sequence[np.ndarray] | None = None,
    ) -> SeasonRecognizer:
        """:meth:`fit` on days already turned into :func:`day_features` (one array per day, with its season).

        With ``moves`` (each day's :func:`early_moves`), the movement models are fitted too; without,
        days are judged new by their look alone.
        """
        unknown = sorted(set(seasons) - set(self.seasons))
        if unknown:
            raise ValueError(f"days of seasons the recognizer does not know: {unknown}; known: {self.seasons}")
        missing = [season for season in self.seasons if season not in set(seasons)]
        if missing:
            raise ValueError(f"a season recognizer is fitted on days of every season it knows; none of {missing}")
        x = np.concatenate(features)
        y = np.concatenate([np.full(len(f), self.seasons.index(season)) for f, season in zip(features, seasons, strict=True)])
        self.mean = x.mean(axis=0)
        self.scale = np.where(x.std(axis=0) > 1e-8, x.std(axis=0), 1.0)
        standardized = (x - self.mean) / self.scale
        self.centers = np.stack([standardized[y == k].mean(axis=0) for k in range(len(self.seasons))])
        self.spreads = np.stack([np.maximum(standardized[y == k].std(axis=0), MIN_SPREAD) for k in range(len(self.seasons))])
        # The largest novelty of a fitted day at the step novelty is judged. Were new days exchangeable with
        # the fitted ones, a known season's day would score above it once in (days + 1) (a conformal bound,
        # Vovk et al. 2005); the fitted days also set the centres, so new days pass it more often.
        judged = [f[min(self.commit_steps, len(f)) - 1] for f in features]
        self.novelty_threshold = float(self.novelty(np.stack(judged)).max())
        if moves is not None:
            self.fit_movements(moves, seasons)
        if len(self.seasons) == 1:  # the one season it knows, whatever the day: no weights to learn
            self.weights, self.bias = np.zeros((1, x.shape[1])), np.zeros(1)
            return self
        inputs = th.as_tensor(standardized)
        labels = th.as_tensor(y)
        weights = th.zeros((len(self.seasons), x.shape[1]), dtype=th.float64, requires_grad=True)
        bias = th.zeros(len(self.seasons), dtype=th.float64, requires_grad=True)
        optimizer = th.optim.LBFGS([weights, bias], max_iter=max_iter, line_search_fn="strong_wolfe")

        def closure() -> th.Tensor:
            optimizer.zero_grad()
            loss = th.nn.functional.cross_entropy(inputs @ weights.T + bias, labels) + l2 * (weights**2).sum()
            loss.backward()
            return loss

        optimizer.step(closure)
        self.weights, self.bias = weights.detach().numpy().copy(), bias.detach().numpy().copy()
        return self

    def fit_movements(self, moves: Sequence[np.ndarray], seasons: Sequence[str]) -> None:
        """Per season, a linear model of the rover's speeds after each of a day's first moves (:func:`early_moves`).

        The threshold is the highest surprise of a fitted day under its season's model fitted without
        that day (leave one day out): in-sample residuals would understate how a new day of a known
        season scores, the fitted days being few.
        """
        by_season = [[m for m, s in zip(moves, seasons, strict=True) if s == season] for season in self.seasons]
        fitted = [fit_movement(days) for days in by_season]
        self.move_weights = np.stack([weights for weights, _ in fitted])
        self.move_spreads = np.stack([spreads for _, spreads in fitted])
        held_out = [
            movement_surprise(day, *fit_movement(days[:i] + days[i + 1 :]))
            for days in by_season
            if len(days) > 1
            for i, day in enumerate(days)
        ]
        self.movement_threshold = max(held_out, default=float("inf"))

    def is_new(self, features: np.ndarray, moves: np.ndarray, named: int | None = None) -> bool:
        """Whether a day is of no known season, from one row of :func:`day_features` and its :func:`early_moves`.

        New if it looks unlike every known season (:meth:`novelty` above its threshold), or if the
        season it is named (``named``, an index into :attr:`seasons`; by default the most likely)
        does not explain how the rover moved (surprise above :attr:`movement_threshold`).
        """
        row = features.reshape(1, -1)
        if self.novelty(row)[0] > self.novelty_threshold:
            return True
        if not self.move_weights.size:
            return False
        season = int(np.argmax(self.probabilities(row)[0])) if named is None else named
        return movement_surprise(moves, self.move_weights[season], self.move_spreads[season]) > self.movement_threshold

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """P(season | the day so far) for rows of :func:`day_features`: (n, len(seasons))."""
        if not self.fitted:
            raise ValueError("the season recognizer is not fitted yet")
        logits = ((features - self.mean) / self.scale) @ self.weights.T + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))

    def novelty(self, features: np.ndarray) -> np.ndarray:
        """How unlike every known season each row of :func:`day_features` is: (n,).

        The mean squared distance, in the season's own spreads, to the nearest season's centre (a
        diagonal Mahalanobis distance per feature). Above :attr:`novelty_threshold`: a new season.
        """
        if not self.fitted:
            raise ValueError("the season recognizer is not fitted yet")
        standardized = (features - self.mean) / self.scale
        distances = (((standardized[:, None, :] - self.centers[None]) / self.spreads[None]) ** 2).mean(axis=2)
        return np.asarray(distances.min(axis=1))

    def to_bytes(self) -> bytes:
        """Everything it needs to act, as an ``.npz`` archive (see :meth:`from_bytes`)."""
        buffer = io.BytesIO()
        np.savez(
            buffer,
            seasons=np.array(self.seasons),
            settings=np.array(
                [
                    self.obs_dims,
                    self.n_actions,
                    self.confidence,
                    self.commit_steps,
                    self.novelty_threshold,
                    self.movement_threshold,
                ],
                dtype=np.float64,
            ),
            mean=self.mean,
            scale=self.scale,
            weights=self.weights,
            bias=self.bias,
            centers=self.centers,
            spreads=self.spreads,
            move_weights=self.move_weights,
            move_spreads=self.move_spreads,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> SeasonRecognizer:
        """The recognizer :meth:`to_bytes` saved, bit for bit; ``ValueError`` if ``data`` is not one."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as saved:
                # Saved before movement models were: judged by look alone (a threshold of inf).
                settings = [*saved["settings"].tolist(), float("inf")][:6]
                obs_dims, n_actions, confidence, commit_steps, novelty_threshold, movement_threshold = settings
                moved = "move_weights" in saved.files
                return cls(
                    seasons=[str(s) for s in saved["seasons"]],
                    obs_dims=int(obs_dims),
                    n_actions=int(n_actions),
                    confidence=float(confidence),
                    commit_steps=int(commit_steps),
                    mean=saved["mean"],
                    scale=saved["scale"],
                    weights=saved["weights"],
                    bias=saved["bias"],
                    centers=saved["centers"],
                    spreads=saved["spreads"],
                    novelty_threshold=novelty_threshold,
                    move_weights=saved["move_weights"] if moved else np.zeros((0, 0, 0)),
                    move_spreads=saved["move_spreads"] if moved else np.ones((0, 0)),
                    movement_threshold=movement_threshold,
                )
        except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile) as error:
            raise ValueError(f"not a season recognizer ({error})") from None


class DayTracker:
    """Follows the days of a vec env's envs and says which season each one is in (see :class:`SeasonRecognizer`).

    Call :meth:`observe` with every batch of observations and the actions that led to them (``None``
    after a reset); envs whose day ended (``dones``) start a new day with the observation given.
    """

    def __init__(self, recognizer: SeasonRecognizer, n_envs: int) -> None:
        self.recognizer = recognizer
        self.n_envs = n_envs
        self._days = [DayEvidence(recognizer.n_actions) for _ in range(n_envs)]
        self.guess = [0] * n_envs  # index into recognizer.seasons
        self.committed_at: list[int | None] = [None] * n_envs
        # Whether the day is of no known season, judged at step commit_steps (None before).
        self.novel: list[bool | None] = [None] * n_envs

    def observe(self, observations: np.ndarray, actions: np.ndarray | None, dones: np.ndarray | None = None) -> list[str]:
        """The season each env is in (committed, or the most likely so far), after these observations."""
        recognizer = self.recognizer
        rows = []
        for i in range(self.n_envs):
            if dones is not None and dones[i]:
                self._days[i] = DayEvidence(recognizer.n_actions)
                self.committed_at[i], self.novel[i] = None, None
            obs = observations[i, : recognizer.obs_dims].astype(np.float64)
            action = None if actions is None else np.asarray(actions[i], dtype=np.float64)
            rows.append(self._days[i].add(obs, action))
        probabilities = recognizer.probabilities(np.stack(rows))
        for i in range(self.n_envs):
            if self.committed_at[i] is None:
                self.guess[i] = int(np.argmax(probabilities[i]))
                if probabilities[i, self.guess[i]] >= recognizer.confidence or self._days[i].steps >= recognizer.commit_steps:
                    self.committed_at[i] = self._days[i].steps
            if self._days[i].steps == recognizer.commit_steps:  # judged with the season it is committed to
                self.novel[i] = recognizer.is_new(rows[i], self._days[i].moves(), self.guess[i])
        return [recognizer.seasons[g] for g in self.guess]
