"""How a metric's spread over seeds is reported: no interval, the range, or a bootstrap confidence interval.

A bootstrap interval of the mean from a handful of seeds under-covers: 3 seeds have only 10
distinct resamples, so the "95%" interval is little more than the range and can collapse to a point
(``[0.00, 0.00]``). So the report says what it can:

- 1 seed: the value, no interval;
- 2 to 4 seeds (fewer than :data:`MIN_SEEDS_FOR_CI`): the range over seeds, ``(range min to max)``,
  labelled as a range, not as a confidence interval;
- 5 seeds or more: the 95% BCa bootstrap confidence interval of the mean (``scipy.stats.bootstrap``,
  seeded, :data:`N_RESAMPLES` resamples); when BCa is degenerate (e.g. every seed has the same value)
  the percentile interval, marked ``(percentile)``.

Why scipy and not rliable, and what the tables show, is in ``docs/benchmark.md#statistics``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

#: Fewest seeds for which a bootstrap confidence interval is reported (below it, the range).
MIN_SEEDS_FOR_CI = 5
CONFIDENCE = 0.95
N_RESAMPLES = 10_000

Kind = Literal["single", "range", "bca", "percentile"]

#: What the report says under a table of :func:`format_spread` cells.
LEGEND = (
    "Each cell is the mean over seeds. With 2 to 4 seeds it is followed by the range over the seeds "
    "(`(range min to max)`: too few seeds for a confidence interval); with 5 or more by the 95% BCa "
    "bootstrap confidence interval of the mean [lo, hi], marked `(percentile)` where BCa is degenerate "
    "(e.g. every seed has the same value) and the percentile interval is given instead."
)


@dataclass(frozen=True)
class Spread:
    """A metric over seeds: its mean and what can honestly be said about its spread."""

    mean: float
    n: int  # seeds with a value
    kind: Kind  # single: no interval; range: min-max; bca / percentile: a bootstrap confidence interval
    low: float | None = None
    high: float | None = None


def seed_spread(
    values: Sequence[float | None], seed: int = 0, confidence: float = CONFIDENCE, n_resamples: int = N_RESAMPLES
) -> Spread | None:
    """The mean of the defined values and their spread (see the module's docstring); ``None`` without values.

    :param values: one value per seed; ``None`` (undefined for that seed) is left out
    :param seed: seed of the bootstrap resampling (the same inputs always give the same interval)
    :param confidence: coverage of the confidence interval, in ``(0, 1)``
    :param n_resamples: bootstrap resamples
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    defined = [float(v) for v in values if v is not None]
    if not defined:
        return None
    mean, n = float(np.mean(defined)), len(defined)
    if n == 1:
        return Spread(mean, n, "single")
    if n < MIN_SEEDS_FOR_CI:
        return Spread(mean, n, "range", min(defined), max(defined))
    low, high, kind = bootstrap_ci(defined, seed, confidence, n_resamples)
    return Spread(mean, n, kind, low, high)


def bootstrap_ci(
    values: Sequence[float], seed: int = 0, confidence: float = CONFIDENCE, n_resamples: int = N_RESAMPLES
) -> tuple[float, float, Kind]:
    """The BCa bootstrap confidence interval of the mean, or the percentile one where BCa is degenerate.

    :return: ``(low, high, "bca")`` or ``(low, high, "percentile")``
    """
    data = (np.asarray(values, dtype=float),)
    for method in ("BCa", "percentile"):
        with warnings.catch_warnings():
            # Degenerate data (e.g. all values equal) make BCa warn and return NaN: the fallback below handles it.
            warnings.simplefilter("ignore", category=stats.DegenerateDataWarning)
            warnings.simplefilter("ignore", category=RuntimeWarning)
            result = stats.bootstrap(
                data,
                np.mean,
                confidence_level=confidence,
                n_resamples=n_resamples,
                method=method,
                rng=np.random.default_rng(seed),
            )
        low, high = float(result.confidence_interval.low), float(result.confidence_interval.high)
        if np.isfinite(low) and np.isfinite(high):
            return low, high, "bca" if method == "BCa" else "percentile"
    # Unreachable for finite data: the percentile interval of finite values is finite.
    raise ValueError(f"no bootstrap interval for {list(values)}")


def format_spread(spread: Spread | None) -> str:
    """A table cell: ``0.36``, ``0.36 (range 0.34 to 0.41)``, ``0.36 [0.33, 0.40]`` or ``... (percentile)``; ``n/a``."""
    if spread is None:
        return "n/a"
    mean = f"{spread.mean:.2f}"
    if spread.kind == "single":
        return mean
    low, high = f"{spread.low:.2f}", f"{spread.high:.2f}"
    if spread.kind == "range":
        return f"{mean} (range {low} to {high})"
    interval = f"{mean} [{low}, {high}]"
    return interval if spread.kind == "bca" else f"{interval} (percentile)"
