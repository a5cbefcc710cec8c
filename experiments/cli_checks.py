"""The ``evergreen`` command's checks of user input, and how a user error is said.

A user error exits with status 2 and one line on stderr naming the problem and the valid choices
(:func:`fail`); :func:`user_errors` turns the errors a command's work raises for bad input into that
line and lets any other exception through with its traceback (a bug).
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NoReturn

import typer

#: What Ctrl-C says, by subcommand (every output is written whole or not at all).
INTERRUPTED = {
    "train": "interrupted, run the same command to resume",
    "eval": "interrupted, run the same command to evaluate again",
    "render": "interrupted, no video was written",
    "compare": "interrupted, run the same command to write the report",
    "demo": "interrupted, run the same command to make the video",
    "sweep": "interrupted, run the same command to resume (finished runs are skipped, the others resume)",
    "search": "interrupted, run the same command to resume (finished trials are kept)",
}


def fail(message: str) -> NoReturn:
    """Print one line naming a user error and exit with status 2 (no traceback)."""
    typer.echo(f"evergreen: error: {message}", err=True)
    raise typer.Exit(code=2)


def check_count(option: str, value: int | None, zero: str | None = None) -> None:
    """Exit 2 unless an integer option is unset or at least 0; ``zero`` says what 0 means, if anything special."""
    if value is not None and value < 0:
        fail(f"{option} must be " + (f"0 ({zero}) or a number" if zero else ">= 0") + f", got {value}")


def check_season(season: str) -> None:
    """Exit 2 naming the valid seasons unless ``season`` resolves (a default name, file.yaml or file.yaml:name)."""
    from envs.season_spec import resolve_season

    try:
        resolve_season(season)
    except ValueError as error:  # resolve_season's errors name the season and the valid ones
        fail(str(error))


def check_output_folder(folder: Path, shown: Path | None = None) -> None:
    """Create ``folder`` if needed and check a file can be written in it, before any work; exit 2 if not.

    ``shown`` is the output named in the message (a video file in ``folder``; default the folder).
    """
    shown = shown or folder
    if folder.exists() and not folder.is_dir():
        fail(f"cannot write to {shown}: {folder} is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        fail(f"cannot write to {shown}: {error.strerror or error}")


def parse_options(pairs: list[str]) -> dict[str, object]:
    """``["beta_policy=2", "total_states=null"]`` -> ``{"beta_policy": 2, "total_states": None}`` (YAML values)."""
    import yaml

    from experiments.pipeline.config import ConfigError

    options: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--option takes KEY=VALUE, got {pair!r}")
        try:
            options[key.strip()] = yaml.safe_load(value)
        except yaml.YAMLError:
            raise ConfigError(f"--option {key}: cannot read the value {value!r}") from None
    return options


@contextlib.contextmanager
def user_errors(kinds: tuple[type[Exception], ...], *paths: Path) -> Iterator[None]:
    """Say the errors a user can cause in one line and exit 2; any other exception propagates (a bug, with its traceback).

    User errors: the ``kinds`` a command's work raises for bad input (``ConfigError`` for a config
    value, option or path, ``CheckpointError`` for a missing or damaged checkpoint file), and an
    ``OSError`` on a file in (or at) one of ``paths``, the paths the user named (a full disk, say).
    """
    try:
        yield
    except kinds as error:
        fail(str(error))
    except OSError as error:
        if not _names_one_of(error, paths):
            raise
        fail(f"{error.filename}: {error.strerror or error}")


def _names_one_of(error: OSError, paths: Sequence[Path]) -> bool:
    """Whether an OSError names a file in (or at) one of ``paths``."""
    if error.filename is None:
        return False
    target = Path(error.filename).absolute()
    roots = [Path(path).absolute() for path in paths]
    return any(target == root or root in target.parents for root in roots)


def interrupted(error: BaseException | None) -> bool:
    """Whether ``error`` was raised while a Ctrl-C unwound (torch's writer fails that way mid-save)."""
    while error is not None:
        if isinstance(error, KeyboardInterrupt):
            return True
        error = error.__cause__ or error.__context__
    return False
