"""Continual-learning metrics on hand-computed matrices and curves."""

from __future__ import annotations

import json

import numpy as np
import pytest

from experiments.pipeline.metrics import (
    average_return,
    backward_transfer,
    forgetting,
    forgetting_cw,
    forward_transfer,
    run_metrics,
    season_auc,
)

# Three seasons. Rows: untrained, after season 1, 2, 3; columns: season 1, 2, 3.
R3 = np.array(
    [
        [0.0, 0.1, 0.0],
        [0.8, 0.95, 0.1],  # 0.95 on season 2 before training it: must not count as its best
        [0.9, 0.9, 0.2],  # season 1 improves after season 2: its best is 0.9, not 0.8
        [0.4, 0.5, 0.7],
    ]
)


def test_average_return() -> None:
    # (0.4 + 0.5 + 0.7) / 3
    assert average_return(R3) == pytest.approx(1.6 / 3)


def test_forgetting_takes_the_best_row_after_training() -> None:
    # Season 1: max(R[1][1], R[2][1]) - R[3][1] = 0.9 - 0.4 = 0.5
    # Season 2: max(R[2][2]) - R[3][2] = 0.9 - 0.5 = 0.4   (R[1][2] = 0.95 is before training season 2)
    # mean = 0.45
    assert forgetting(R3) == pytest.approx(0.45)


def test_forgetting_cw_and_backward_transfer() -> None:
    # F_CW: (R[1][1] - R[3][1] + R[2][2] - R[3][2]) / 2 = (0.8 - 0.4 + 0.9 - 0.5) / 2 = 0.4
    assert forgetting_cw(R3) == pytest.approx(0.4)
    # BWT = -F_CW
    assert backward_transfer(R3) == pytest.approx(-0.4)


def test_one_season_has_no_forgetting_or_transfer() -> None:
    R1 = np.array([[0.1], [0.7]])
    assert average_return(R1) == pytest.approx(0.7)
    assert forgetting(R1) is None
    assert forgetting_cw(R1) is None
    assert backward_transfer(R1) is None


@pytest.mark.parametrize("shape", [(3, 3), (2, 3), (4,), (1, 0)])
def test_wrong_shape_raises(shape: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match=r"\(N \+ 1, N\)"):
        average_return(np.zeros(shape))
    with pytest.raises(ValueError, match=r"\(N \+ 1, N\)"):
        forgetting(np.zeros(shape))


def point(index: int, trained: str, season_step: int, evaluated: str, normalized: float) -> dict:
    return {
        "season_index": index,
        "trained_season": trained,
        "season_step": season_step,
        "step": (index - 1) * 1000 + season_step,
        "eval_season": evaluated,
        "return": 10 * normalized,
        "normalized": normalized,
    }


def test_season_auc_trapezoid() -> None:
    curves = [
        point(1, "spring", 0, "spring", 0.9),  # another season's training
        point(2, "summer", 300, "summer", 0.5),  # out of order on purpose
        point(2, "summer", 0, "summer", 0.0),
        point(2, "summer", 100, "summer", 0.5),
        point(2, "summer", 100, "spring", 1.0),  # another evaluated season
    ]
    # Trapezoids: (0 + 0.5) / 2 * 100 + (0.5 + 0.5) / 2 * 200 = 25 + 100 = 125, over 300 steps
    assert season_auc(curves, 2) == pytest.approx(125 / 300)
    assert season_auc(curves, 1) == pytest.approx(0.9)  # one point: its value
    assert season_auc(curves, 3) is None


def test_forward_transfer() -> None:
    assert forward_transfer(0.6, 0.2) == pytest.approx(0.5)  # (0.6 - 0.2) / (1 - 0.2)
    assert forward_transfer(0.1, 0.5) == pytest.approx(-0.8)  # (0.1 - 0.5) / (1 - 0.5)
    assert forward_transfer(None, 0.2) is None
    assert forward_transfer(0.6, None) is None
    assert forward_transfer(0.6, 1.0) is None  # scratch already at the gardener's level
    assert forward_transfer(0.6, 1.2) is None  # beyond it: the denominator turns negative


def test_run_metrics() -> None:
    seasons = ["spring", "summer", "spring"]  # a repeated season keeps its position in the lists
    curves = [point(k, seasons[k - 1], s, seasons[k - 1], v) for k in (1, 2) for s, v in ((0, 0.0), (100, 1.0))]
    metrics = run_metrics(R3, seasons, curves)
    json.dumps(metrics)  # JSON-serializable as it is
    assert metrics["seasons"] == seasons
    assert metrics["average_return"] == pytest.approx(1.6 / 3)
    assert metrics["forgetting"] == pytest.approx(0.45)
    assert metrics["forgetting_cw"] == pytest.approx(0.4)
    assert metrics["backward_transfer"] == pytest.approx(-0.4)
    assert metrics["auc"] == [pytest.approx(0.5), pytest.approx(0.5), None]
    assert metrics["first_season_drop"] == pytest.approx(0.8 - 0.4)
    assert metrics["final_normalized"] == pytest.approx([0.4, 0.5, 0.7])
    assert all(type(metrics[key]) is float for key in ("average_return", "forgetting", "first_season_drop"))
    with pytest.raises(ValueError, match="3 season columns but 2 seasons"):
        run_metrics(R3, seasons[:2], curves)
