"""A bounded memory of old seasons' states and the policy's outputs on them (for cloning).

Each record is a state (its season one-hot included) with the season's final policy's action
mean, log-std and value there: the targets of behaviour-cloning replay (CLEAR, Rolnick et al.
2019, https://arxiv.org/abs/1811.11682; ClonEx, Wołczyk et al. 2022). Storing policy outputs,
not transitions, is what makes replay work in continual RL and costs a few MB per season.

The budget is a number of states per season; an optional total cap keeps a uniform sample of
everything seen by reservoir sampling (Vitter's algorithm R). Batches are drawn evenly over the
stored seasons, then uniformly within a season.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import torch as th

from agent.core.checkpoint import CheckpointError
from agent.core.options import check_option

#: The arrays of a memory, one row per stored state.
FIELDS = ("observations", "means", "log_stds", "values", "seasons")


class ReplayMemory:
    """Per-season states with the policy's action mean, log-std and value on them.

    :param states_per_season: states kept from each season (the collected ones beyond it are subsampled)
    :param total_states: optional cap on all seasons together, enforced by reservoir sampling
    :param seed: seed of the memory's own random generator (subsampling, reservoir, batches)
    """

    def __init__(self, states_per_season: int, total_states: int | None = None, seed: int = 0) -> None:
        if states_per_season < 1:
            raise ValueError(f"states_per_season must be >= 1, got {states_per_season}")
        if total_states is not None and total_states < 1:
            raise ValueError(f"total_states must be >= 1 or null, got {total_states}")
        self.states_per_season = states_per_season
        self.total_states = total_states
        self.rng = np.random.default_rng(seed)
        self.n_seasons = 0
        self.n_seen = 0  # states offered to the reservoir so far
        self.slots: list[int | None] = []  # each stored season's one-hot slot
        self.offered: list[int] = []  # states each stored season offered to the reservoir
        self.arrays: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.arrays["seasons"]) if self.arrays else 0

    @property
    def nbytes(self) -> int:
        """Bytes of the stored arrays."""
        return sum(array.nbytes for array in self.arrays.values())

    def season_counts(self) -> dict[int, int]:
        """Stored states per season index (0-based, in the order seasons were added)."""
        if not self.arrays:
            return {}
        seasons, counts = np.unique(self.arrays["seasons"], return_counts=True)
        return {int(s): int(c) for s, c in zip(seasons, counts, strict=True)}

    def add_season(
        self,
        observations: np.ndarray,
        means: np.ndarray,
        log_stds: np.ndarray,
        values: np.ndarray,
        slot: int | None = None,
    ) -> None:
        """Store one finished season's states and policy outputs (within the budget).

        ``slot`` is the season's one-hot slot: when a season comes back (or a DAgger round
        re-records it), its newer record replaces the older one (the older targets came from an
        older policy). Under a total cap the newer record takes over the older one's share of
        the reservoir, so the reservoir stays a uniform sample of the seasons.
        """
        record = self._subsampled_record(observations, means, log_stds, values)
        older = [i for i, s in enumerate(self.slots) if s == slot] if slot is not None and self.arrays else []
        self.slots.append(slot)
        self.offered.append(len(record["seasons"]))
        self.n_seasons += 1
        if self.total_states is None:
            if older:
                self._delete_rows(self._rows_of(older))
            self._append(record, slice(None))
        elif older:
            self._take_over(older, record)
        else:
            self._offer_to_reservoir(record, self.total_states)

    def _subsampled_record(
        self, observations: np.ndarray, means: np.ndarray, log_stds: np.ndarray, values: np.ndarray
    ) -> dict[str, np.ndarray]:
        """The season's arrays as float32 rows, at most ``states_per_season`` of them (a sorted random subset)."""
        n = len(observations)
        if not n == len(means) == len(log_stds) == len(values):
            raise ValueError("observations, means, log_stds and values must have the same length")
        keep = np.arange(n)
        if n > self.states_per_season:
            keep = np.sort(self.rng.choice(n, size=self.states_per_season, replace=False))
        return {
            "observations": np.asarray(observations, dtype=np.float32)[keep],
            "means": np.asarray(means, dtype=np.float32)[keep],
            "log_stds": np.asarray(log_stds, dtype=np.float32)[keep],
            "values": np.asarray(values, dtype=np.float32).reshape(-1)[keep],
            "seasons": np.full(len(keep), self.n_seasons, dtype=np.int16),
        }

    def _rows_of(self, seasons: list[int]) -> np.ndarray:
        """The stored rows of the given season indices."""
        return np.flatnonzero(np.isin(self.arrays["seasons"], seasons))

    def _delete_rows(self, rows: np.ndarray) -> None:
        self.arrays = {name: np.delete(array, rows, axis=0) for name, array in self.arrays.items()}

    def _take_over(self, older: list[int], record: dict[str, np.ndarray]) -> None:
        """Under a total cap: the new record takes the older records' rows and their share of the reservoir.

        As many of the new states as the older records held are written in their places (the rest of
        the new record is dropped); rows left over when the new record is smaller are deleted.
        """
        old_rows = self._rows_of(older)
        n_new = len(record["seasons"])
        take = min(len(old_rows), n_new)
        chosen = np.sort(self.rng.choice(n_new, size=take, replace=False))
        for name in FIELDS:
            self.arrays[name][old_rows[:take]] = record[name][chosen]
        self.n_seen += n_new - sum(self.offered[i] for i in older)
        for i in older:
            self.offered[i] = 0
        self._delete_rows(old_rows[take:])

    def _offer_to_reservoir(self, record: dict[str, np.ndarray], total_states: int) -> None:
        """Algorithm R: the t-th state offered is kept with probability ``total_states / (t + 1)``."""
        n_new = len(record["seasons"])
        room = min(n_new, max(0, total_states - len(self)))
        self._append(record, slice(0, room))  # while there is room, every state is kept
        self.n_seen += room
        for i in range(room, n_new):
            reservoir_slot = int(self.rng.integers(0, self.n_seen + 1))
            if reservoir_slot < total_states:
                for name in FIELDS:
                    self.arrays[name][reservoir_slot] = record[name][i]
            self.n_seen += 1

    def _append(self, record: dict[str, np.ndarray], rows: slice) -> None:
        if rows.stop == rows.start == 0:
            return
        if not self.arrays:
            self.arrays = {name: record[name][rows].copy() for name in FIELDS}
        else:
            self.arrays = {name: np.concatenate([self.arrays[name], record[name][rows]]) for name in FIELDS}
        if self.total_states is None:
            self.n_seen = len(self)

    def sample(self, batch_size: int) -> dict[str, th.Tensor]:
        """A batch drawn evenly over the stored seasons (then uniformly within each), as tensors."""
        if not self.arrays:
            raise RuntimeError("the replay memory is empty: it fills at the end of the first season")
        rows_of = self._rows_by_season()
        stored = np.fromiter(rows_of, dtype=np.int64)
        chosen = stored[self.rng.integers(len(stored), size=batch_size)]
        rows = np.empty(batch_size, dtype=np.int64)
        for season, candidates in rows_of.items():
            slots = np.flatnonzero(chosen == season)
            if len(slots):
                rows[slots] = candidates[self.rng.integers(len(candidates), size=len(slots))]
        return {name: th.as_tensor(self.arrays[name][rows]) for name in FIELDS if name != "seasons"}

    def _rows_by_season(self) -> dict[int, np.ndarray]:
        """Each stored season's rows, in season order (kept until the memory changes: sampling is per minibatch)."""
        seasons = self.arrays["seasons"]
        key = (id(seasons), len(seasons), self.n_seen, self.n_seasons)
        if getattr(self, "_rows_key", None) != key:
            self._rows = {int(s): np.flatnonzero(seasons == s) for s in np.unique(seasons)}
            self._rows_key = key
        return self._rows

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to restore the memory exactly (arrays, counters, generator state)."""
        return {
            "states_per_season": self.states_per_season,
            "total_states": self.total_states,
            "n_seasons": self.n_seasons,
            "n_seen": self.n_seen,
            "slots": list(self.slots),
            "offered": list(self.offered),
            "rng": self.rng.bit_generator.state,
            "arrays": {name: array.copy() for name, array in self.arrays.items()},
        }

    @classmethod
    def from_state_dict(cls, state: dict[str, Any]) -> ReplayMemory:
        """Inverse of :meth:`state_dict`."""
        memory = cls(int(state["states_per_season"]), state["total_states"])
        memory.n_seasons = int(state["n_seasons"])
        memory.n_seen = int(state["n_seen"])
        memory.slots = list(state["slots"])
        memory.offered = list(state["offered"])
        memory.rng.bit_generator.state = state["rng"]
        memory.arrays = {name: np.asarray(state["arrays"][name]) for name in state["arrays"]}
        missing = set(FIELDS) - set(memory.arrays) if memory.arrays else set()
        if missing:
            raise ValueError(f"replay memory lacks {', '.join(sorted(missing))}")
        return memory


def save_memory(memory: ReplayMemory, path: Path) -> None:
    """Write the memory as one ``.npz`` file (its arrays, plus counters and generator state as JSON)."""
    state = memory.state_dict()
    meta = {key: value for key, value in state.items() if key != "arrays"}
    with open(path, "wb") as handle:
        np.savez(handle, meta=np.array(json.dumps(meta)), **state["arrays"])


def read_memory_file(path: Path) -> ReplayMemory:
    """A checkpoint's memory file, or :class:`~agent.core.checkpoint.CheckpointError` naming it."""
    if not path.is_file():
        raise CheckpointError(f"missing checkpoint file {path}")
    try:
        return load_memory(path)
    except ValueError as error:
        raise CheckpointError(f"corrupted checkpoint file {path}: {error}") from None


def load_memory(path: Path) -> ReplayMemory:
    """Read a memory written by :func:`save_memory` (``ValueError`` if it is damaged)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            arrays = {name: data[name] for name in FIELDS if name in data.files}
        return ReplayMemory.from_state_dict({**meta, "arrays": arrays})
    except (zipfile.BadZipFile, OSError, KeyError, EOFError, TypeError, ValueError) as error:
        raise ValueError(f"{type(error).__name__}: {error}") from None


MEMORY_FILE = "replay_memory.npz"


def check_cloning_options(states_per_season: int, total_states: int | None, beta_policy: float, beta_value: float) -> None:
    """Raise ValueError naming the first invalid memory budget or cloning weight."""
    check_option("states_per_season", states_per_season, integer=True, positive=True)
    check_option("total_states", total_states, integer=True, positive=True, optional=True)
    check_option("beta_policy", beta_policy)
    check_option("beta_value", beta_value)


class MemoryCheckpoint:
    """Mixin for learners that keep a replay memory: its file in every checkpoint, its bytes in the accounting."""

    memory: ReplayMemory

    def memory_bytes(self) -> int:
        """Bytes of the replay memory."""
        return self.memory.nbytes

    def _save_files(self, directory: Path) -> None:
        save_memory(self.memory, directory / MEMORY_FILE)

    def _load_files(self, directory: Path) -> None:
        self.memory = read_memory_file(directory / MEMORY_FILE)
