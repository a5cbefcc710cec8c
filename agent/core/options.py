"""Checks of a method's options (its own hyperparameters): one-line errors that name the option."""

from __future__ import annotations

import math
from typing import Any


def check_option(name: str, value: Any, *, integer: bool = False, positive: bool = False, optional: bool = False) -> None:
    """Raise ValueError naming a method option whose value is not a (positive / non-negative) number."""
    if optional and value is None:
        return
    kind = "integer" if integer else "number"
    sign = "positive" if positive else "non-negative"
    valid = not isinstance(value, bool) and isinstance(value, int if integer else (int, float))
    if not valid or not math.isfinite(value) or value < 0 or (positive and value == 0):
        raise ValueError(f"method option {name} must be a {sign} {kind}{' or null' if optional else ''}, got {value!r}")
