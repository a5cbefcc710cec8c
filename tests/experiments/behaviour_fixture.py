"""The tiny-run fixture (``tests/fixtures/tiny_return_matrices.json``): its config, each method's options, the matrices.

Pinned CPU numerics give the same bits on every processor of one vendor, not across vendors
(:mod:`agent.core.numerics`), so the fixture keeps the return matrices recorded for each vendor, and a
test compares a run with the matrices of the vendor it runs on.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agent.core.numerics import processor_vendor
from experiments.cli import parse_options
from experiments.pipeline.config import resolve_config

FIXTURE: dict[str, Any] = json.loads((Path(__file__).parent.parent / "fixtures" / "tiny_return_matrices.json").read_text())
METHODS: list[str] = sorted(FIXTURE["options"].keys() | next(iter(FIXTURE["return_matrices"].values())).keys())
STEPS: int = FIXTURE["config"]["steps"]


def tiny_config(method: str, **overrides: Any) -> dict[str, Any]:
    """The fixture's tiny config for ``method`` (with its options), resolved."""
    given: dict[str, Any] = {"method": method, **overrides}
    if method in FIXTURE["options"]:
        given["method_options"] = parse_options(FIXTURE["options"][method])
    return resolve_config(FIXTURE["config"], given)


def recorded_matrix(method: str) -> list[list[str]]:
    """The return matrix recorded for ``method`` on this machine's processor vendor (the test skips on another vendor)."""
    vendor = processor_vendor()
    if vendor not in FIXTURE["return_matrices"]:
        pytest.skip(f"no return matrices recorded for {vendor} processors (recorded: {sorted(FIXTURE['return_matrices'])})")
    return FIXTURE["return_matrices"][vendor][method]
