"""The spread of a metric over seeds: no interval, the range, or a seeded BCa bootstrap interval."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from experiments.report.stats import MIN_SEEDS_FOR_CI, N_RESAMPLES, Spread, bootstrap_ci, format_spread, seed_spread


def test_one_seed_has_no_interval() -> None:
    spread = seed_spread([0.42])
    assert spread == Spread(0.42, 1, "single")
    assert format_spread(spread) == "0.42"


def test_no_value_is_not_available() -> None:
    assert seed_spread([]) is None
    assert seed_spread([None, None]) is None
    assert format_spread(None) == "n/a"


@pytest.mark.parametrize("values", [[0.3, 0.5], [0.57, 0.34, 0.51], [0.1, 0.2, 0.3, 0.4]])
def test_fewer_than_five_seeds_give_the_range_said_to_be_one(values: list[float]) -> None:
    assert len(values) < MIN_SEEDS_FOR_CI
    spread = seed_spread(values)
    assert spread == Spread(float(np.mean(values)), len(values), "range", min(values), max(values))
    cell = format_spread(spread)
    assert cell == f"{np.mean(values):.2f} (range {min(values):.2f} to {max(values):.2f})"
    assert "[" not in cell  # not written like a confidence interval


def test_three_seeds_do_not_collapse_to_a_point() -> None:
    # The old percentile bootstrap printed [0.00, 0.00] for values like these; the range says what they are.
    assert format_spread(seed_spread([0.0, 0.0, 0.004])) == "0.00 (range 0.00 to 0.00)"
    assert format_spread(seed_spread([-0.57, -0.34, -0.51])) == "-0.47 (range -0.57 to -0.34)"


def test_undefined_seeds_are_left_out_of_the_count() -> None:
    spread = seed_spread([0.2, None, 0.4])
    assert spread is not None and spread.n == 2 and spread.kind == "range" and spread.mean == pytest.approx(0.3)


def test_five_seeds_get_the_seeded_bca_interval_of_scipy() -> None:
    values = [0.2, 0.5, 0.4, 0.9, 0.1]
    spread = seed_spread(values, seed=3)
    assert spread is not None and spread.kind == "bca" and spread.n == 5
    assert spread.low is not None and spread.high is not None
    assert min(values) <= spread.low < spread.mean < spread.high <= max(values)
    expected = stats.bootstrap(
        (np.array(values),), np.mean, n_resamples=N_RESAMPLES, method="BCa", rng=np.random.default_rng(3)
    ).confidence_interval
    assert (spread.low, spread.high) == (expected.low, expected.high)
    assert seed_spread(values, seed=3) == spread  # deterministic
    assert format_spread(spread) == f"0.42 [{spread.low:.2f}, {spread.high:.2f}]"


def test_equal_values_fall_back_to_the_percentile_interval_and_say_so() -> None:
    spread = seed_spread([0.3] * 6)
    assert spread is not None and spread.kind == "percentile"
    assert spread.low == pytest.approx(0.3) and spread.high == pytest.approx(0.3)
    assert format_spread(spread) == "0.30 [0.30, 0.30] (percentile)"
    assert bootstrap_ci([1.0] * 5)[2] == "percentile"


def test_confidence_must_be_a_probability() -> None:
    with pytest.raises(ValueError, match="confidence"):
        seed_spread([0.1, 0.2], confidence=1.5)
