"""Markdown tables: the one helper every report, benchmark and study writes its tables with."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A GitHub-flavoured markdown table, one line per row, without a trailing newline.

    Cells are written with ``str`` (format numbers before passing them); an empty cell is written as
    ``| |``. Every row must have as many cells as the header (``ValueError`` otherwise).

    >>> print(markdown_table(["method", "A"], [["finetune", "0.36"]]))
    | method | A |
    |---|---|
    | finetune | 0.36 |
    """
    lines = [_row(header), "|" + "---|" * len(header)]
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"a table row has {len(row)} cells but the header {len(header)}: {list(row)}")
        lines.append(_row(row))
    return "\n".join(lines)


def _row(cells: Sequence[object]) -> str:
    """``| a | b |``; an empty cell is ``| |``."""
    return "|" + "".join(f" {cell} |" if str(cell) else " |" for cell in cells)
