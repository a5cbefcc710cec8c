"""Shared test set-up: pinned numerics, one torch thread, a private reference-return cache, slow tests first."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

import agent  # noqa: F401  (pins the CPU numerics before torch runs a kernel; see agent.core.numerics)

torch.set_num_threads(1)


def session_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of this test session that every pytest-xdist worker sees (each worker's base temp is private)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    # Tests never read or write the user's reference-return cache, but the workers of a session share one:
    # a season's reference returns take about 7 s to measure. The cache is written atomically, so two
    # workers measuring the same season at once only repeat work. Session-scoped, so that it is in place
    # before the session fixtures that train runs.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EVERGREEN_CACHE", os.fspath(session_root(tmp_path_factory) / "evergreen-cache"))
        yield


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Tests marked slow (over 20 s) run first, in their usual order: under pytest-xdist (`make test` runs
    # `pytest -n 2 --dist worksteal`) the long ones start early and the short ones fill in around them,
    # instead of one worker finishing a long test while the other idles.
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
