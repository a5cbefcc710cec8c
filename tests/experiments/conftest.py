"""Tiny trained runs shared by the pipeline and bad-input tests, trained once per test session.

Under pytest-xdist the workers share them: the first worker to need a run trains it (in its own process,
through ``experiments.cli.main``, as ``evergreen train`` would) while a file lock makes the other wait
for it instead of training it a second time. Tests only read these runs (or copy them).
"""

from __future__ import annotations

from pathlib import Path

import filelock
import pytest
import yaml

from tests.conftest import session_root
from tests.experiments.cli_runs import TINY, evergreen_here


@pytest.fixture(scope="session")
def config_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The :data:`TINY` config as a file."""
    path = tmp_path_factory.mktemp("config") / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY))
    return path


def _trained_once(run_dir: Path, *args: str | Path) -> Path:
    """``run_dir`` trained by ``evergreen train ARGS --run-dir run_dir``, unless another worker did it already."""
    with filelock.FileLock(f"{run_dir}.fixture-lock"):
        if not (run_dir / "metrics.json").is_file():
            result = evergreen_here("train", *args, "--run-dir", run_dir, "--no-progress")
            assert result.returncode == 0, result.stderr
    return run_dir


@pytest.fixture(scope="session")
def finetune_run(tmp_path_factory: pytest.TempPathFactory, config_file: Path) -> Path:
    """A finished two-season finetune run (seed 1)."""
    return _trained_once(
        session_root(tmp_path_factory) / "finetune", "--method", "finetune", "--config", config_file, "--seed", "1"
    )


@pytest.fixture(scope="session")
def method_runs(tmp_path_factory: pytest.TempPathFactory, config_file: Path) -> dict[str, Path]:
    """Tiny two-season runs of the methods that keep files of their own: replay (memory) and progressive."""
    options = {"replay": ["--option", "states_per_season=64"], "progressive": []}
    root = session_root(tmp_path_factory)
    return {
        method: _trained_once(root / method, "--method", method, "--config", config_file, *extra)
        for method, extra in options.items()
    }
