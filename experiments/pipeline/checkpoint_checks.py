"""Checks of a run folder's checkpoints against its ``config.yaml``, before anything trains or evaluates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent.core.checkpoint import LEARNER_FILE, read_learner_info
from envs.ids import LEGACY_ENV_ID
from envs.season_spec import season_label
from experiments.pipeline import run_folder
from experiments.pipeline.config import ConfigError


def check_checkpoints(run_dir: Path, config: dict[str, Any]) -> None:
    """:func:`check_checkpoint` for the untrained checkpoint (if saved) and every finished season's."""
    labels = [season_label(season) for season in config["seasons"]]
    for index, folder in enumerate(run_folder.checkpoint_dirs(run_dir, labels)):
        if index or (folder / LEARNER_FILE).is_file():
            check_checkpoint(run_dir, config, folder, index)


def check_checkpoint(run_dir: Path, config: dict[str, Any], folder: Path, index: int) -> None:
    """Refuse a checkpoint whose ``learner.json`` disagrees with the run's config (method, seed, seasons, env, options).

    ``index`` is the number of seasons the checkpoint was trained through (0: untrained, saved once the
    first season had started). Raises :class:`ConfigError` naming both files and the value that differs.
    """
    info = read_learner_info(folder)
    stored: dict[str, Any] = {
        "method": info["method"],
        "seed": info["seed"],
        "seasons": info["seasons"],
        "env": info.get("env_id", LEGACY_ENV_ID),
    }
    expected: dict[str, Any] = {
        "method": config["method"],
        "seed": config["seed"],
        "seasons": config["seasons"][: max(index, 1)],
        "env": config.get("env", LEGACY_ENV_ID),
    }
    options = info.get("options") or {}
    stored |= {f"method option {key}": value for key, value in options.items()}
    expected |= {f"method option {key}": config["method_options"].get(key, "(not set)") for key in options}
    for key, value in stored.items():
        if value != expected[key]:
            raise ConfigError(
                f"{folder / LEARNER_FILE} was trained with {key} {value!r} but {run_dir / run_folder.CONFIG} says "
                f"{expected[key]!r}; restore {run_folder.CONFIG} or train a new run in another folder"
            )
