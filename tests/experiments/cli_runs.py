"""Running the ``evergreen`` command in tests: as a subprocess (the console script) or in this process.

In this process, :func:`experiments.cli.main` runs with the given arguments and its exit status and
output are read back: a bad-input case costs milliseconds instead of the seconds a new process
spends importing torch.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EVERGREEN = shutil.which("evergreen", path=str(Path(sys.executable).parent)) or "evergreen"
#: A two-season run small enough for tests.
TINY: dict[str, Any] = {
    "seasons": ["spring", "winter"],
    "steps": 256,
    "eval_episodes": 2,
    "eval_every": 128,
    "ppo": {"n_envs": 2, "n_steps": 64, "batch_size": 64, "n_epochs": 2, "policy_kwargs": {"net_arch": [32, 32]}},
}


@dataclass(frozen=True)
class Outcome:
    """What a command did: its exit status and output (the fields of ``subprocess.CompletedProcess`` tests read)."""

    returncode: int
    stdout: str
    stderr: str


def evergreen(*args: str | Path) -> subprocess.CompletedProcess:
    """Run the console script ``evergreen`` in a new process."""
    return subprocess.run([EVERGREEN, *map(str, args)], capture_output=True, text=True, timeout=600)


def evergreen_here(*args: str | Path) -> Outcome:
    """Run ``evergreen ARGS`` through :func:`experiments.cli.main` in this process; its status and output."""
    from experiments.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main([str(arg) for arg in args])
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
    return Outcome(code, out.getvalue(), err.getvalue())


def assert_user_error(result: Outcome | subprocess.CompletedProcess, *fragments: str) -> None:
    """Exit status 2 and exactly one line on stderr, holding every fragment; no traceback."""
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def tree_digest(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder``, by relative path."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
