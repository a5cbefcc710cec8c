"""The layout moves changed no number: a tiny two-season run of every method, against matrices recorded before.

``tests/fixtures/tiny_return_matrices.json`` holds the raw return matrices that ``evergreen train``
wrote for each method at commit a38c154, before the code moved into ``agent/{core,components,methods}``
and ``experiments/{pipeline,report,media,benchmarks,studies}``. Training and evaluation are
deterministic (one torch thread, seeded envs), so the same command must write the same matrix,
to the last digit of the CSV.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

FIXTURE = json.loads((Path(__file__).parent.parent / "fixtures" / "tiny_return_matrices.json").read_text())
EVERGREEN = shutil.which("evergreen", path=str(Path(sys.executable).parent)) or "evergreen"


@pytest.mark.slow
@pytest.mark.parametrize("method", sorted(FIXTURE["return_matrices"]))
def test_tiny_run_matches_the_matrix_recorded_before_the_move(method: str, tmp_path: Path) -> None:
    config = tmp_path / "tiny.yaml"
    config.write_text(yaml.safe_dump(FIXTURE["config"]))
    command = [
        EVERGREEN,
        "train",
        "--method",
        method,
        "--config",
        str(config),
        "--run-dir",
        str(tmp_path / "run"),
        "--no-progress",
    ]
    for option in FIXTURE["options"].get(method, []):
        command += ["-o", option]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    with open(tmp_path / "run" / "return_matrix.csv") as handle:
        assert list(csv.reader(handle)) == FIXTURE["return_matrices"][method]
