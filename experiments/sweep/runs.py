"""A run of a sweep: its name (the run folder's), its resolved config, and what its folder holds already.

A run is identified by its resolved training config (``experiments.pipeline.config``): the same
config trained again gives the same numbers, so a folder that holds that config and is finished
is not trained again, and one that holds another config is refused unless ``force`` (then
``train_run`` moves it aside, never deletes it).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from experiments.pipeline.config import ConfigError, read_config_file, read_run_config, resolve_config
from experiments.pipeline.run_folder import CONFIG, METRICS, read_json


@dataclass(frozen=True)
class RunSpec:
    """One training run of a sweep: the run folder's name under the storage root, and its resolved config."""

    name: str
    config: dict[str, Any]

    @property
    def method(self) -> str:
        """The run's continual method."""
        return str(self.config["method"])

    @property
    def seed(self) -> int:
        """The run's seed."""
        return int(self.config["seed"])

    @property
    def seasons(self) -> list[str]:
        """The run's season sequence."""
        return list(self.config["seasons"])


class FolderState(enum.Enum):
    """What a run folder holds, against the config the sweep would train it with."""

    ABSENT = "absent"  # no folder, or an empty one: a new run
    FINISHED = "finished"  # every season and the metrics, trained with this config: nothing to do
    PARTIAL = "partial"  # this config, not finished: train_run resumes it
    OTHER_CONFIG = "other config"  # a run made with another config: refused unless force (which moves it aside)
    NOT_A_RUN = "not a run"  # a file, or a folder without config.yaml or with a damaged one: always refused


def finished(run_dir: Path) -> bool:
    """Whether a run folder holds the metrics of every season (whatever its config)."""
    path = Path(run_dir) / METRICS
    return path.is_file() and "average_return" in read_json(path)


def folder_state(run_dir: Path, config: dict[str, Any]) -> FolderState:
    """What ``run_dir`` holds against ``config``."""
    if not run_dir.exists() or (run_dir.is_dir() and not any(run_dir.iterdir())):
        return FolderState.ABSENT
    if not (run_dir / CONFIG).is_file():
        return FolderState.NOT_A_RUN
    try:
        same = read_run_config(run_dir) == config
    except ConfigError:
        return FolderState.NOT_A_RUN
    if not same:
        return FolderState.OTHER_CONFIG
    return FolderState.FINISHED if finished(run_dir) else FolderState.PARTIAL


def option_suffix(options: dict[str, Any]) -> str:
    """``{"ewc_lambda": 10.0}`` -> ``-ewc_lambda10``: the part of a run name that says its method options."""
    parts = []
    for key, value in options.items():
        shown = f"{value:g}" if isinstance(value, int | float) and not isinstance(value, bool) else str(value)
        parts.append(f"-{key}{shown}")
    # A run name is a folder name: no path separators or spaces, whatever an option's value holds.
    return "".join(parts).replace("/", "_").replace(" ", "_")


def run_name(method: str, seed: int, options: dict[str, Any] | None = None, sequence: str | None = None) -> str:
    """The run folder's name, e.g. ``replay-states_per_season1000_seed0`` or ``progress-compress-2years_seed0``."""
    return f"{method}{option_suffix(options or {})}{f'-{sequence}' if sequence else ''}_seed{seed}"


def run_spec(
    name: str,
    method: str,
    seed: int | None,
    base: Path | None = None,
    config: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
    seasons: list[str] | None = None,
) -> RunSpec:
    """A run resolved as ``evergreen train --config BASE --method M --seed S [--seasons ...] [-o KEY=VALUE ...]`` resolves it.

    ``seed`` None keeps the base's. ``config`` holds training-config keys that update the base file's;
    ``options`` update the method options of the file (as ``-o`` does).
    Raises :class:`ConfigError` naming the first invalid value.
    """
    given = {**(read_config_file(base) if base else {}), **(config or {})}
    overrides: dict[str, Any] = {"method": method, "seed": seed, "seasons": seasons}
    if options:
        from_file = given.get("method_options") or {}
        if not isinstance(from_file, dict):
            raise ConfigError(f"method_options in {base} must be a mapping of the method's options")
        overrides["method_options"] = {**from_file, **options}
    return RunSpec(name, resolve_config(given, overrides))
