"""Size rules of the code base: no Python file over 400 lines, no function over 60 lines without a reason.

A function may be longer when a comment on the lines just above its ``def`` says why and names the
rule ("longer than the project's 60 lines: ..."), e.g. a copy of SB3's ``PPO.train`` kept diffable.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("envs", "agent", "experiments", "tests")
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60


def python_files() -> list[Path]:
    """Every Python file of the project's packages and tests."""
    return sorted(path for folder in FOLDERS for path in (ROOT / folder).rglob("*.py"))


def test_no_python_file_is_over_400_lines() -> None:
    lengths = {path.relative_to(ROOT): len(path.read_text().splitlines()) for path in python_files()}
    assert {str(path): n for path, n in lengths.items() if n > MAX_FILE_LINES} == {}


def test_no_function_is_over_60_lines_without_a_reason_above_it() -> None:
    unexplained = []
    for path in python_files():
        lines = path.read_text().splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            first = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
            above = " ".join(lines[max(0, first - 4) : first - 1])
            if length > MAX_FUNCTION_LINES and f"{MAX_FUNCTION_LINES} lines" not in above:
                unexplained.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    assert unexplained == []
