"""Compute accounting of a continual learner: what it cost to learn, and what it keeps."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from torch import nn


@dataclass
class ComputeAccount:
    """Cumulative cost of a learner over its seasons.

    ``env_steps`` and ``wall_seconds`` count training only (evaluation excluded);
    ``trainable_parameters`` / ``total_parameters`` and ``memory_bytes`` describe what the learner
    holds now (networks it acts with, plus any stored data such as a replay memory).
    """

    env_steps: int = 0
    wall_seconds: float = 0.0
    trainable_parameters: int = 0
    total_parameters: int = 0
    memory_bytes: int = 0

    @contextlib.contextmanager
    def work(self, env_steps: int = 0) -> Iterator[None]:
        """Count a block of work (its wall time, and ``env_steps``) as training compute."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.wall_seconds += time.perf_counter() - start
            self.env_steps += env_steps

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ComputeAccount:
        """Inverse of :meth:`to_dict`."""
        return cls(**data)


def count_parameters(*modules: nn.Module) -> tuple[int, int]:
    """``(trainable, total)`` parameter counts of the modules (a shared parameter counted once)."""
    seen: dict[int, tuple[int, bool]] = {}
    for module in modules:
        for parameter in module.parameters():
            seen[id(parameter)] = (parameter.numel(), parameter.requires_grad)
    trainable = sum(n for n, grad in seen.values() if grad)
    return trainable, sum(n for n, _ in seen.values())
