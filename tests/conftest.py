"""Shared test set-up: one torch thread, a private reference-return cache, slow tests first."""

from __future__ import annotations

import os

import pytest
import torch

import agent  # noqa: F401  (pins the CPU numerics before torch runs a kernel; see agent.core.numerics)

torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests never read or write the user's reference-return cache. Under pytest-xdist each worker has its
    # own base temp, so each worker measures a season's reference returns once (about 7 s a season).
    monkeypatch.setenv("EVERGREEN_CACHE", os.fspath(tmp_path_factory.getbasetemp() / "evergreen-cache"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Tests marked slow (over 20 s) run first, in their usual order: under pytest-xdist (`make test` runs
    # `pytest -n 2 --dist worksteal`) the long ones start early and the short ones fill in around them,
    # instead of one worker finishing a long test while the other idles.
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
