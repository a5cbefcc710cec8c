"""The ``evergreen`` console command, run as a user would (a subprocess)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EVERGREEN = shutil.which("evergreen", path=str(Path(sys.executable).parent)) or "evergreen"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([EVERGREEN, *args], capture_output=True, text=True, timeout=600)


def test_help_lists_subcommands() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("train", "eval", "render", "compare", "envs", "season", "demo"):
        assert command in result.stdout


def test_envs_lists_ids_and_seasons() -> None:
    result = run("envs")
    assert result.returncode == 0, result.stderr
    for name in ("GardenWatering-v0", "GardenWateringSpring-v0", "GardenWateringWinter-v0", "autumn", "evergreen"):
        assert name in result.stdout


def test_season_prints_yaml_that_loads(tmp_path: Path) -> None:
    from envs.season_spec import SeasonSpec, default_season

    result = run("season", "winter")
    assert result.returncode == 0
    assert SeasonSpec.from_yaml(result.stdout) == default_season("winter")


def test_unknown_season_exits_2_with_one_line() -> None:
    result = run("season", "monsoon")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "valid seasons: spring, summer, autumn, winter" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_subcommand_exits_2() -> None:
    result = run("fly")
    assert result.returncode == 2 and "Traceback" not in result.stderr


@pytest.mark.parametrize("episodes", ["0", "-3"])
def test_demo_rejects_non_positive_episodes(episodes: str, tmp_path: Path) -> None:
    result = run("demo", "--episodes", episodes, "--out-dir", str(tmp_path))
    assert result.returncode == 2 and "--episodes must be >= 1" in result.stderr


def test_demo_writes_video_and_prints_returns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from experiments.media.demo import app

    app(["--out-dir", str(tmp_path), "--episodes", "1", "--frame", "96x72"])  # the script's entry point, in this process
    out = capsys.readouterr().out
    for season in ("spring", "summer", "autumn", "winter"):
        assert season in out
    video = tmp_path / "gardener_four_seasons.mp4"
    assert video.is_file() and video.stat().st_size > 5_000
    assert not list(tmp_path.glob(".*partial*"))


def test_demo_into_a_file_path_exits_2_and_keeps_the_file(tmp_path: Path) -> None:
    occupied = tmp_path / "taken"
    occupied.write_text("keep me")
    result = run("demo", "--episodes", "1", "--out-dir", str(occupied))
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "cannot write to" in result.stderr
    assert occupied.read_text() == "keep me"


def test_train_help_lists_the_methods_of_agent(monkeypatch: pytest.MonkeyPatch) -> None:
    import agent
    from tests.experiments.cli_runs import evergreen_here

    monkeypatch.setenv("COLUMNS", "400")  # one method name per cell, none wrapped
    result = evergreen_here("train", "--help")
    assert result.returncode == 0
    assert f"continual method: {', '.join(agent.METHODS)}" in result.stdout
    assert "comma-separated" in result.stdout  # --seasons


def test_help_does_not_import_the_learners() -> None:
    """`evergreen --help` stays fast: torch and the learners are imported only by the commands that use them."""
    script = (
        "import sys\nfrom experiments.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('imported:', [name for name in ('torch', 'agent', 'stable_baselines3') if name in sys.modules])"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "imported: []" in result.stdout, result.stdout + result.stderr
