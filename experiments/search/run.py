"""``evergreen search``'s work, top to bottom: the search (or its stored results), the confirmation, the tables."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from experiments.pipeline.config import ConfigError
from experiments.search.driver import (
    CONFIRM_FILE,
    TRIALS_FILE,
    best,
    confirm,
    confirm_table,
    search,
    search_table,
    stopped_at,
)
from experiments.search.space import SearchSpace


def stored(path: Path) -> dict[str, Any] | None:
    """A results file written by an earlier run of the command, or None."""
    return json.loads(path.read_text()) if path.is_file() else None


def run_search(
    space: SearchSpace, storage: Path, results: Path, address: str | None, jobs: int, retries: int, top: int
) -> Iterator[str]:
    """Search (unless ``results`` holds this space's finished search), confirm the ``top`` best; yield the report's lines."""
    folder = results / space.name
    finished = stored(folder / TRIALS_FILE)
    if finished is not None and finished["space"] != space.model_dump():
        raise ConfigError(
            f"{folder / TRIALS_FILE} holds a search of another space named {space.name!r}; "
            "give this search another name (name: in the space file)"
        )
    records = finished["trials"] if finished is not None else search(space, storage, results, address, jobs, retries)
    steps = f"{space.steps:,} env steps per season"
    what = f"{len(records)} trials on {space.env}, {steps}, normalized return (gardener 1), seed {space.seed}"
    yield f"Search {space.name}: {what}"
    yield "Rounds each trial ran (ASHA stops the weak early): " + ", ".join(
        f"{rounds} round{'s' * (rounds != 1)}: {count}" for rounds, count in stopped_at(records).items()
    )
    yield ""
    yield search_table(records, space)
    if not top:
        return
    candidates = [record["params"] for record in best(records, space.rounds)[:top]]
    confirmed = stored(folder / CONFIRM_FILE)
    if confirmed is None or confirmed["candidates"][:top] != candidates:
        confirmed = {"candidates": candidates, "runs": confirm(space, records, top, storage, results, address, jobs, retries)}
    yield ""
    yield f"The {top} best settings again, seeds {', '.join(map(str, space.confirm_seeds))}, {steps}"
    yield ""
    yield confirm_table(confirmed["runs"], confirmed["candidates"][:top], space)
