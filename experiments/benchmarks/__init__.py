"""Maintained benchmark scripts: each regenerates figures in ``docs/`` and keeps its results in ``docs/results/``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def stored_result(path: Path) -> dict[str, Any]:
    """A benchmark's saved result, for ``--report``; ValueError saying how to make it if it is missing."""
    if not path.is_file():
        raise ValueError(f"{path} does not exist yet; run without --report to measure")
    result: dict[str, Any] = json.loads(path.read_text())
    return result
