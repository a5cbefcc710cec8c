"""Tiny trained runs shared by the pipeline and bad-input tests (trained once per test session and worker)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.experiments.cli_runs import TINY, evergreen


@pytest.fixture(scope="session")
def config_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The :data:`TINY` config as a file."""
    path = tmp_path_factory.mktemp("config") / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY))
    return path


@pytest.fixture(scope="session")
def finetune_run(tmp_path_factory: pytest.TempPathFactory, config_file: Path) -> Path:
    """A finished two-season finetune run (seed 1), trained by the console script."""
    run_dir = tmp_path_factory.mktemp("runs") / "finetune"
    result = evergreen("train", "--method", "finetune", "--config", config_file, "--run-dir", run_dir, "--seed", "1")
    assert result.returncode == 0, result.stderr
    return run_dir


@pytest.fixture(scope="session")
def method_runs(tmp_path_factory: pytest.TempPathFactory, config_file: Path) -> dict[str, Path]:
    """Tiny two-season runs of the methods that keep files of their own: replay (memory) and progressive."""
    runs = {}
    options = {"replay": ["--option", "states_per_season=64"], "progressive": []}
    for method, extra in options.items():
        run_dir = tmp_path_factory.mktemp("runs") / method
        result = evergreen("train", "--method", method, "--config", config_file, "--run-dir", run_dir, "--no-progress", *extra)
        assert result.returncode == 0, result.stderr
        runs[method] = run_dir
    return runs
