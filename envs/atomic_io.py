"""Atomic file writes: a reader sees the old file or the new one, never a half-written file.

The data goes to a temp file in the target's folder (so the rename stays on one file system),
is flushed and fsynced, and replaces the target with ``os.replace``. On any error the temp file
is removed and the target is left as it was.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, creating its folder if needed.

    The file gets the permissions a plain ``open(path, "w")`` would give it.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write_bytes(path, text.encode())


def atomic_write_json(path: str | os.PathLike[str], obj: Any, *, sort_keys: bool = False) -> None:
    """Write ``obj`` to ``path`` atomically as JSON with one-space indentation and a final newline.

    Serialisation happens before the file is touched, so an object JSON cannot encode raises
    ``TypeError`` and leaves the old file as it was.
    """
    atomic_write_text(path, json.dumps(obj, indent=1, sort_keys=sort_keys) + "\n")
