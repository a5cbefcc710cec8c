"""Each season's movement model: how the rover's speeds answer its commands in a day's first moves.

Ice, mud and grass differ in how the rover gets going from a standstill, not in what its thermometer
reads. A season's model is a linear system identification of its ground (Ljung 1999, ch. 4): the
forward speed, lateral speed and yaw rate after each of a day's first :data:`MOVE_STEPS` moves, from the
speeds before and the command, fitted by ridge regression on the season's days. A day whose first
moves the season it is named cannot explain (a large :func:`movement_surprise`) is of a ground the
learner has not met (:meth:`agent.components.recognizer.SeasonRecognizer.is_new`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from envs.observation import ROBOT_FEATURES

#: Where the rover's response lives in the observation: forward speed, lateral speed, yaw rate.
RESPONSE = tuple(ROBOT_FEATURES.index(name) for name in ("velocity_forward", "velocity_left", "yaw_rate"))
#: Moves at the start of a day, from a standstill, whose outcome each season's movement model predicts.
MOVE_STEPS = 3
#: Ridge penalty of the movement models, and the smallest spread of their residuals (speed units).
MOVE_L2, MIN_MOVE_SPREAD = 1e-3, 1e-3


def early_moves(observations: np.ndarray, actions: np.ndarray) -> np.ndarray:
    """The day's first :data:`MOVE_STEPS` moves, a row each: the speeds before, the command, the speeds after.

    The speeds are forward speed, lateral speed and yaw rate (the observation's first features, so
    the one-hot may be there or not); a day of one step has no move: ``(0, 6 + n_actions)``.
    """
    speeds = observations[: MOVE_STEPS + 1, list(RESPONSE)].astype(np.float64)
    moves = len(speeds) - 1
    return np.hstack([speeds[:moves], actions[:moves].astype(np.float64), speeds[1:]])


def _move_inputs(moves: np.ndarray) -> np.ndarray:
    """A movement model's inputs: a constant, the speeds before and the command."""
    return np.hstack([np.ones((len(moves), 1)), moves[:, : -len(RESPONSE)]])


def fit_movement(moves: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """A season's movement model from its days' :func:`early_moves`: ridge weights and residual spreads."""
    inputs = np.concatenate([_move_inputs(m) for m in moves])
    after = np.concatenate([m[:, -len(RESPONSE) :] for m in moves])
    weights = np.linalg.solve(inputs.T @ inputs + MOVE_L2 * np.eye(inputs.shape[1]), inputs.T @ after)
    residuals = after - inputs @ weights
    spreads = np.maximum(residuals.std(axis=0), MIN_MOVE_SPREAD) if len(after) else np.ones(len(RESPONSE))
    return weights, spreads


def movement_surprise(moves: np.ndarray, weights: np.ndarray, spreads: np.ndarray) -> float:
    """The mean squared residual, in the model's spreads, of a day's moves (0.0 for a day without moves)."""
    if not len(moves):
        return 0.0
    residuals = (moves[:, -len(RESPONSE) :] - _move_inputs(moves) @ weights) / spreads
    return float((residuals**2).mean())
