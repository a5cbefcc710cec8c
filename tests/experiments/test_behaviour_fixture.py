"""The layout moves changed no number: a tiny two-season run of every method, against matrices recorded before.

``tests/fixtures/tiny_return_matrices.json`` holds the raw return matrices that ``evergreen train``
wrote for each method at commit a38c154, before the code moved into ``agent/{core,components,methods}``
and ``experiments/{pipeline,report,media,benchmarks,studies}`` (``evergreen train --method M --config
tiny.yaml -o ...`` with the fixture's config and options). Training and evaluation are deterministic
(one torch thread, seeded networks and envs), so the same run must write the same matrix, to the
last digit of the CSV. The run goes through the pipeline in this process, as ``evergreen train``
calls it (the command line itself is tested in test_pipeline.py), to spare a process start per method.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from experiments.cli import parse_options
from experiments.pipeline.config import resolve_config
from experiments.pipeline.train import train_run

FIXTURE = json.loads((Path(__file__).parent.parent / "fixtures" / "tiny_return_matrices.json").read_text())


@pytest.mark.parametrize("method", sorted(FIXTURE["return_matrices"]))
def test_tiny_run_matches_the_matrix_recorded_before_the_move(method: str, tmp_path: Path) -> None:
    overrides: dict = {"method": method}
    if method in FIXTURE["options"]:
        overrides["method_options"] = parse_options(FIXTURE["options"][method])
    train_run(resolve_config(FIXTURE["config"], overrides), tmp_path / "run", progress=False)
    with open(tmp_path / "run" / "return_matrix.csv") as handle:
        assert list(csv.reader(handle)) == FIXTURE["return_matrices"][method]
