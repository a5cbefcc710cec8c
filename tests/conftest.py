"""Shared test set-up: one torch thread and a private reference-return cache."""

from __future__ import annotations

import os

import pytest
import torch

torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests never read or write the user's reference-return cache.
    monkeypatch.setenv("EVERGREEN_CACHE", os.fspath(tmp_path_factory.getbasetemp() / "evergreen-cache"))
