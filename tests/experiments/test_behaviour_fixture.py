"""The layout moves changed no number: a tiny two-season run of every method, against matrices recorded before.

``tests/fixtures/tiny_return_matrices.json`` holds the raw return matrices that ``evergreen train``
wrote for each method at commit a38c154, before the code moved into ``agent/{core,components,methods}``
and ``experiments/{pipeline,report,media,benchmarks,studies}`` (``evergreen train --method M --config
tiny.yaml -o ...`` with the fixture's config and options). Training and evaluation are deterministic
(one torch thread, seeded networks and envs), so the same run must write the same matrix, to the
last digit of the CSV. The run goes through the pipeline in this process, as ``evergreen train``
calls it (the command line itself is tested in test_pipeline.py), to spare a process start per method.
The matrices were recorded on an Intel and on an AMD processor: pinned numerics give the same bits on
every processor of one vendor, not across vendors (agent.core.numerics); a run is compared with its vendor's.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from experiments.pipeline.train import train_run
from tests.experiments.behaviour_fixture import METHODS, recorded_matrix, tiny_config


@pytest.mark.parametrize("method", METHODS)
def test_tiny_run_matches_the_matrix_recorded_before_the_move(method: str, tmp_path: Path) -> None:
    expected = recorded_matrix(method)
    train_run(tiny_config(method), tmp_path / "run", progress=False)
    with open(tmp_path / "run" / "return_matrix.csv") as handle:
        assert list(csv.reader(handle)) == expected
