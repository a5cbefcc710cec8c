"""Reading a user's YAML file (``yaml.safe_load``) with one-line errors that name the file.

Season files (:mod:`envs.season_spec`) and training configs (``experiments.pipeline.config``) are
read the same way: a missing file, bytes that are not UTF-8, an unreadable file or malformed YAML
raise :class:`ValueError` whose message names the file and, where it can, the line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def read_yaml(path: str | Path, what: str) -> Any:
    """The YAML document in ``path`` (None for an empty file); ValueError naming ``what`` and the file otherwise.

    :param what: what the file is to the user, e.g. ``"season file"`` or ``"config file"``
    """
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{what} {path} does not exist") from None
    except UnicodeDecodeError as error:
        raise ValueError(f"{what} {path} is {not_utf8(error)}") from None
    except OSError as error:
        raise ValueError(f"cannot read {what} {path}: {error.strerror or error}") from None
    except yaml.YAMLError as error:
        line = getattr(getattr(error, "problem_mark", None), "line", None)
        where = f" (line {line + 1})" if line is not None else ""
        raise ValueError(f"{what} {path} is not valid YAML{where}") from None


def not_utf8(error: UnicodeDecodeError) -> str:
    """``not UTF-8 text (byte 0xe9 on line 2)``: where a file stops being UTF-8."""
    data = bytes(error.object)
    line = data[: error.start].count(b"\n") + 1
    return f"not UTF-8 text (byte {data[error.start]:#x} on line {line})"
