"""Atomic writes: the new content or the old one, never a partial file or a stray temp file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from envs import atomic_io
from envs.atomic_io import atomic_write_bytes, atomic_write_json, atomic_write_text


def test_writes_create_folders_and_replace_files(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "folder" / "file.txt"
    atomic_write_text(target, "first")
    atomic_write_text(target, "second ✓")
    assert target.read_text(encoding="utf-8") == "second ✓"
    atomic_write_bytes(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.txt"]


def test_file_mode_is_what_a_plain_open_gives(tmp_path: Path) -> None:
    atomic_write_text(tmp_path / "atomic.txt", "x")
    (tmp_path / "plain.txt").write_text("x")
    assert (tmp_path / "atomic.txt").stat().st_mode == (tmp_path / "plain.txt").stat().st_mode


def test_json_format_is_one_space_indent_and_a_final_newline(tmp_path: Path) -> None:
    data = {"b": [1, 2.5], "a": {"x": None}}
    atomic_write_json(tmp_path / "data.json", data)
    assert (tmp_path / "data.json").read_text() == json.dumps(data, indent=1) + "\n"
    atomic_write_json(tmp_path / "sorted.json", data, sort_keys=True)
    assert (tmp_path / "sorted.json").read_text() == json.dumps(data, indent=1, sort_keys=True) + "\n"


def test_a_failed_rename_leaves_the_old_file_and_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "state.json"
    atomic_write_json(target, {"version": 1})
    before = target.read_bytes()

    def fail(src: str, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(atomic_io.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_json(target, {"version": 2})
    assert target.read_bytes() == before
    assert os.listdir(tmp_path) == ["state.json"]


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "notes.txt"
    atomic_write_text(target, "old")

    def fail(fd: int) -> None:
        raise OSError("I/O error")

    monkeypatch.setattr(atomic_io.os, "fsync", fail)
    with pytest.raises(OSError, match="I/O error"):
        atomic_write_text(target, "new")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["notes.txt"]


def test_unserialisable_json_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "data.json"
    atomic_write_json(target, [1])
    with pytest.raises(TypeError):
        atomic_write_json(target, {"bad": object()})
    assert json.loads(target.read_text()) == [1]
    assert os.listdir(tmp_path) == ["data.json"]
