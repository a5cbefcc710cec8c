"""List-valued command-line options, one idiom for the ``evergreen`` command and every script.

A list option takes comma-separated values and may be repeated: ``--seasons spring,summer`` and
``--seasons spring --seasons summer`` mean the same (click's options take one value each, so
``--seasons spring summer`` would make ``summer`` a stray argument).
"""

from __future__ import annotations


def split_list(values: list[str] | None) -> list[str] | None:
    """The items of a repeated, comma-separated option (``None`` when the option was not given).

    Raises ValueError for an empty item (``--seasons spring,,winter`` or a trailing comma).
    """
    if values is None:
        return None
    items = [item.strip() for value in values for item in value.split(",")]
    if any(not item for item in items):
        raise ValueError(f"empty item in {','.join(values)!r}: give comma-separated values such as spring,summer")
    return items


def split_ints(values: list[str] | None, option: str) -> list[int] | None:
    """:func:`split_list` of whole numbers (``--seeds 0,1,2``); ValueError naming ``option`` otherwise."""
    items = split_list(values)
    if items is None:
        return None
    try:
        return [int(item) for item in items]
    except ValueError:
        example = f"{option} 0,1,2"
        raise ValueError(f"{option} takes whole numbers separated by commas, e.g. {example}; got {','.join(items)}") from None
