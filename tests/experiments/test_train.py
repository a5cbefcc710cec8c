"""The run folder's guards, in process: config identity, --force, stray season folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from experiments.pipeline import run_folder
from experiments.pipeline.config import ConfigError, resolve_config
from experiments.pipeline.train import open_run_dir, refuse_stray_season_folders, set_aside_interrupted_logs


def config(**overrides: object) -> dict:
    return resolve_config({"method": "finetune", "seasons": ["spring", "winter"], "steps": 128}, overrides)


def test_new_folder_gets_the_config_and_the_same_config_resumes(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    open_run_dir(run_dir, config(), force=False)
    assert run_folder.read_config(run_dir) == config()
    open_run_dir(run_dir, config(), force=False)  # same config: resume, nothing to do here


def test_another_config_is_refused_and_force_moves_the_old_folder_aside(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    open_run_dir(run_dir, config(), force=False)
    (run_dir / "season_1_spring").mkdir()
    with pytest.raises(ConfigError, match=r"different config \(differs in: steps\)"):
        open_run_dir(run_dir, config(steps=256), force=False)
    open_run_dir(run_dir, config(steps=256), force=True)
    assert run_folder.read_config(run_dir)["steps"] == 256 and not (run_dir / "season_1_spring").exists()
    (aside,) = tmp_path.glob("run.replaced-*")
    assert run_folder.read_config(aside)["steps"] == 128 and (aside / "season_1_spring").is_dir()


def test_an_edited_season_file_is_another_config(tmp_path: Path) -> None:
    season = tmp_path / "wet.yaml"
    season.write_text("name: wet\nindex: 4\nthirsty_kinds: [seedling]\ndormant_plants: 0\nrain_rate: 0.01\n")
    first = resolve_config({"method": "finetune", "seasons": [str(season)]})
    assert first["seasons"] == [str(season.resolve())]  # absolute: the run works from any folder
    season.write_text("name: wet\nindex: 4\nthirsty_kinds: [seedling]\ndormant_plants: 0\nrain_rate: 0.02\n")
    assert resolve_config({"method": "finetune", "seasons": [str(season)]}) != first


def test_folders_that_are_not_runs_are_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match="not an evergreen run folder"):
        open_run_dir(tmp_path, config(), force=False)
    with pytest.raises(ConfigError, match="is not a folder"):
        open_run_dir(tmp_path / "notes.txt", config(), force=False)


def test_stray_season_folders_and_interrupted_logs(tmp_path: Path) -> None:
    labels = ["spring", "winter"]
    refuse_stray_season_folders(tmp_path, labels, finished=0)
    (tmp_path / "season_2_winter").mkdir()
    with pytest.raises(ConfigError, match="season_2_winter is incomplete"):
        refuse_stray_season_folders(tmp_path, labels, finished=1)
    logs = tmp_path / "tb"
    (logs / "season_1_spring_0").mkdir(parents=True)
    (logs / "season_2_winter_0").mkdir()
    set_aside_interrupted_logs(logs, labels, finished=1)
    assert (logs / "season_1_spring_0").is_dir() and not (logs / "season_2_winter_0").exists()
    assert len(list((logs / "interrupted").iterdir())) == 1
