"""Continual-learning metrics of one run, from its return matrix and learning curves.

``R`` is the normalized return matrix of a run over a sequence of ``N`` seasons, shape ``(N + 1, N)``:
row 0 is the untrained policy, row ``i`` (1..N) is the policy after training through season ``i``, and
column ``j`` is the return on season ``j`` (0 = random policy, 1 = scripted gardener). Seasons are
1-based in the docstrings (row ``i`` is "after season i", column ``j`` is "season j"), 0-based in code.

The metrics follow Continual World (Wołczyk et al. 2021, "Continual World: A Robotic Benchmark For
Continual Reinforcement Learning"); forgetting as in Chaudhry et al. 2018 ("Riemannian Walk for
Incremental Learning"); backward transfer as in GEM (Lopez-Paz & Ranzato 2017, "Gradient Episodic
Memory for Continual Learning").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

# Below this, 1 - AUC_scratch is treated as zero (forward transfer undefined).
_FT_EPS = 1e-6


def _check_matrix(R: np.ndarray) -> tuple[np.ndarray, int]:
    """``R`` as a float array and its number of seasons ``N``; ``ValueError`` unless its shape is ``(N + 1, N)``."""
    R = np.asarray(R, dtype=float)
    if R.ndim != 2 or R.shape[1] < 1 or R.shape[0] != R.shape[1] + 1:
        raise ValueError(f"the return matrix must have shape (N + 1, N) with N >= 1, got {R.shape}")
    return R, R.shape[1]


def average_return(R: np.ndarray) -> float:
    """Average normalized return at the end, ``A = mean_j R[N][j]`` over all ``N`` seasons.

    :param R: normalized return matrix, shape ``(N + 1, N)``
    :return: the mean of the last row
    """
    R, n = _check_matrix(R)
    return float(R[n].mean())


def forgetting(R: np.ndarray) -> float | None:
    """Forgetting (Chaudhry et al. 2018): ``F = mean_{j<N} (max_{j<=i<N} R[i][j] - R[N][j])``.

    For every season ``j`` but the last, the best return on it after it was trained (rows ``j..N-1``)
    minus the final return on it. Higher is worse; 0 means nothing was lost.

    :param R: normalized return matrix, shape ``(N + 1, N)``
    :return: the forgetting, or ``None`` with one season (nothing trained after it)
    """
    R, n = _check_matrix(R)
    if n == 1:
        return None
    # Column c (0-based) is season c + 1, trained at row c + 1; rows c + 1 .. N - 1 come before the end.
    return float(np.mean([R[c + 1 : n, c].max() - R[n, c] for c in range(n - 1)]))


def forgetting_cw(R: np.ndarray) -> float | None:
    """Forgetting as in Continual World: ``F_CW = mean_{j<N} (R[j][j] - R[N][j])``.

    The return on season ``j`` just after training it minus the final return on it.

    :param R: normalized return matrix, shape ``(N + 1, N)``
    :return: the forgetting, or ``None`` with one season
    """
    R, n = _check_matrix(R)
    if n == 1:
        return None
    return float(np.mean([R[c + 1, c] - R[n, c] for c in range(n - 1)]))


def backward_transfer(R: np.ndarray) -> float | None:
    """Backward transfer (GEM, Lopez-Paz & Ranzato 2017): ``BWT = mean_{j<N} (R[N][j] - R[j][j])``.

    Equal to ``-F_CW``: negative when later seasons hurt earlier ones, positive when they help.

    :param R: normalized return matrix, shape ``(N + 1, N)``
    :return: the backward transfer, or ``None`` with one season
    """
    R, n = _check_matrix(R)
    if n == 1:
        return None
    return float(np.mean([R[n, c] - R[c + 1, c] for c in range(n - 1)]))


def season_auc(curves: Sequence[dict[str, Any]], season_index: int) -> float | None:
    """Area under the learning curve of season ``k``: its time-averaged normalized return while it trains.

    Uses the points with ``season_index == k`` that evaluate the trained season itself, integrates their
    normalized return over ``season_step`` with the trapezoid rule and divides by the covered span.

    :param curves: learning-curve points, as from ``run_folder.read_curves``
    :param season_index: ``k``, the 1-based position of the season in the sequence
    :return: the AUC; the value of the point if there is one point; ``None`` if there are none
    """
    points = sorted(
        (p["season_step"], p["normalized"])
        for p in curves
        if p["season_index"] == season_index and p["eval_season"] == p["trained_season"]
    )
    if not points:
        return None
    steps, values = (np.array(column, dtype=float) for column in zip(*points, strict=True))
    span = steps[-1] - steps[0]
    if span == 0:
        # One point (or all at one step): no interval to average over.
        return float(values.mean())
    return float(np.trapezoid(values, steps) / span)


def forward_transfer(auc: float | None, auc_scratch: float | None) -> float | None:
    """Forward transfer of one season (Continual World): ``FT = (AUC - AUC_scratch) / (1 - AUC_scratch)``.

    ``AUC_scratch`` is the AUC of a fresh network trained on the same season. The formula assumes
    success rates in ``[0, 1]``; normalized returns can reach or pass 1 (as good as the scripted
    gardener), where the denominator vanishes or turns negative and the ratio means nothing.

    :param auc: AUC of the season for the method
    :param auc_scratch: AUC of the season for training from scratch
    :return: the forward transfer, or ``None`` if an AUC is missing or ``1 - AUC_scratch <= 1e-6``
    """
    if auc is None or auc_scratch is None or 1.0 - auc_scratch <= _FT_EPS:
        return None
    return float((auc - auc_scratch) / (1.0 - auc_scratch))


def run_metrics(R: np.ndarray, seasons: Sequence[str], curves: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """All metrics of one run, JSON-serializable (Python floats, ``None`` where undefined).

    :param R: normalized return matrix, shape ``(N + 1, N)``
    :param seasons: the ``N`` season names, in training order (names may repeat)
    :param curves: the run's learning-curve points, as from ``run_folder.read_curves``
    :return: ``seasons``, ``average_return``, ``forgetting``, ``forgetting_cw``, ``backward_transfer``,
        ``auc`` (a list aligned with ``seasons``), ``first_season_drop`` (``R[1][1] - R[N][1]``: how far
        the first season fell by the end) and ``final_normalized`` (the last row)
    """
    R, n = _check_matrix(R)
    if len(seasons) != n:
        raise ValueError(f"the return matrix has {n} season columns but {len(seasons)} seasons were given")
    return {
        "seasons": list(seasons),
        "average_return": average_return(R),
        "forgetting": forgetting(R),
        "forgetting_cw": forgetting_cw(R),
        "backward_transfer": backward_transfer(R),
        "auc": [season_auc(curves, k) for k in range(1, n + 1)],
        "first_season_drop": float(R[1, 0] - R[n, 0]),
        "final_normalized": [float(v) for v in R[n]],
    }
