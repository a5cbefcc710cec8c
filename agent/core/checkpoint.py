"""Checkpoint files of a continual learner: their names, their readers, their errors, and the RNG states.

A checkpoint folder holds ``model.zip`` (a plain Stable-Baselines3 zip), ``learner.json`` (method,
options, seasons, compute) and ``state.pt`` (method state and the torch / numpy / python RNG
states, so that a resumed run is bit-identical to one that never stopped). Every reader raises
:class:`CheckpointError` naming the file and saying in words what is wrong with it.
"""

from __future__ import annotations

import json
import random
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import torch

from agent.core.continual_ppo import ContinualPPO

MODEL_FILE = "model.zip"
LEARNER_FILE = "learner.json"
STATE_FILE = "state.pt"


class CheckpointError(ValueError):
    """A checkpoint file is missing or cannot be read (the message names the file)."""


def capture_rng() -> dict[str, Any]:
    """The torch, numpy and python RNG states (saved with a checkpoint for bit-identical resume)."""
    return {"torch": torch.get_rng_state(), "numpy": np.random.get_state(), "python": random.getstate()}


def restore_rng(state: dict[str, Any]) -> None:
    """Inverse of :func:`capture_rng`."""
    torch.set_rng_state(state["torch"])
    np.random.set_state(state["numpy"])
    random.setstate(state["python"])


def read_learner_info(directory: Path) -> dict[str, Any]:
    """``learner.json`` of a checkpoint folder, or :class:`CheckpointError` naming the file."""
    path = Path(directory) / LEARNER_FILE
    try:
        info = json.loads(path.read_text())
        for key in ("method", "seasons", "seed", "compute"):
            info[key]
    except FileNotFoundError:
        raise CheckpointError(f"missing checkpoint file {path}") from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CheckpointError(f"corrupted checkpoint file {path}: {error}") from None
    return info


def load_model(path: Path, custom_objects: dict[str, Any] | None = None) -> ContinualPPO:
    """An SB3 zip as :class:`ContinualPPO` on the CPU, or :class:`CheckpointError` naming the file.

    ``custom_objects`` replaces pickled entries of the zip as SB3's ``load`` does (a method passes its
    policy and buffer classes, so a checkpoint pickled under an older module path still opens).
    """
    if not path.is_file():
        raise CheckpointError(f"missing checkpoint file {path}")
    try:
        return ContinualPPO.load(path, device="cpu", custom_objects=custom_objects)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError, EOFError) as error:
        raise CheckpointError(f"corrupted checkpoint file {path}: {type(error).__name__}") from None


def read_state(path: Path) -> dict[str, Any]:
    """``state.pt`` of a checkpoint folder, or :class:`CheckpointError` naming the file."""
    if not path.is_file():
        raise CheckpointError(f"missing checkpoint file {path}")
    try:
        # Our own file: it holds numpy RNG state, which the weights-only unpickler refuses.
        state = torch.load(path, weights_only=False)
        state["method_state"], state["rng"]
    except Exception as error:  # any unpickling failure means a damaged file
        raise CheckpointError(f"corrupted checkpoint file {path}: {type(error).__name__}") from None
    return state
