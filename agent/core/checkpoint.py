"""Checkpoint files of a continual learner: their names, their readers, their errors, and the RNG states.

A checkpoint folder holds ``model.zip`` (a plain Stable-Baselines3 zip), ``learner.json`` (method,
options, seasons, env id, compute) and ``state.pt`` (method state and the torch / numpy / python RNG
states, so that a resumed run is bit-identical to one that never stopped). Every reader raises
:class:`CheckpointError` naming the file and saying in words what is wrong with it.
"""

from __future__ import annotations

import json
import pickle
import random
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import torch
from stable_baselines3.common.save_util import load_from_zip_file

from agent.core.continual_ppo import ContinualPPO

MODEL_FILE = "model.zip"
LEARNER_FILE = "learner.json"
STATE_FILE = "state.pt"


#: SB3 attributes of the model being trained that a mid-season resume takes from its zip (the step counters
#: that drive the learning-rate and clip-range schedules, the update count, the episode statistics).
RESUMED_MODEL_ATTRIBUTES = (
    "num_timesteps",
    "_n_updates",
    "_episode_num",
    "_current_progress_remaining",
    "ep_info_buffer",
    "ep_success_buffer",
)


class CheckpointError(ValueError):
    """A checkpoint file is missing or cannot be read (the message names the file and says what is wrong)."""


#: The fields of ``learner.json``: the type each holds and how to say it (``OPTIONAL_FIELDS`` may be absent in old files).
LEARNER_FIELDS: dict[str, tuple[type, str]] = {
    "method": (str, "a method name"),
    "seasons": (list, "a list of seasons"),
    "seed": (int, "a whole number"),
    "compute": (dict, "a mapping of compute counts"),
    "options": (dict, "a mapping of the method's options"),
    "env_id": (str, "a registered env id"),
}
#: Fields checkpoints saved before they were recorded lack: options, and the env id (those were trained on v0).
OPTIONAL_FIELDS = ("options", "env_id")


def capture_rng() -> dict[str, Any]:
    """The torch, numpy and python RNG states (saved with a checkpoint for bit-identical resume)."""
    return {"torch": torch.get_rng_state(), "numpy": np.random.get_state(), "python": random.getstate()}


def restore_rng(state: dict[str, Any]) -> None:
    """Inverse of :func:`capture_rng`."""
    torch.set_rng_state(state["torch"])
    np.random.set_state(state["numpy"])
    random.setstate(state["python"])


def read_learner_info(directory: Path) -> dict[str, Any]:
    """``learner.json`` of a checkpoint folder, or :class:`CheckpointError` naming the file and what is wrong with it."""
    path = Path(directory) / LEARNER_FILE
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CheckpointError(f"missing checkpoint file {path}") from None
    except UnicodeDecodeError as error:
        raise CheckpointError(f"corrupted checkpoint file {path}: not UTF-8 text (at byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise CheckpointError(f"corrupted checkpoint file {path}: not valid JSON ({error.msg}, line {error.lineno})") from None
    except OSError as error:
        raise CheckpointError(f"cannot read checkpoint file {path}: {error.strerror or error}") from None
    problem = learner_info_problem(info)
    if problem:
        raise CheckpointError(f"corrupted checkpoint file {path}: {problem}")
    return info


def learner_info_problem(info: Any) -> str | None:
    """What is wrong with the content of a ``learner.json`` (a missing field, a value of the wrong type), or None."""
    if not isinstance(info, dict):
        return f"not a JSON object of the fields {', '.join(LEARNER_FIELDS)}"
    for key, (kind, words) in LEARNER_FIELDS.items():
        if key not in info:
            if key in OPTIONAL_FIELDS:
                continue  # a checkpoint saved before the field was recorded
            return f"no {key!r} field"
        value = info[key]
        if not isinstance(value, kind) or isinstance(value, bool):
            return f"{key!r} must be {words}, got {value!r}"
    return None


def load_model(path: Path, custom_objects: dict[str, Any] | None = None) -> ContinualPPO:
    """An SB3 zip as :class:`ContinualPPO` on the CPU, or :class:`CheckpointError` naming the file.

    ``custom_objects`` replaces pickled entries of the zip as SB3's ``load`` does (a method passes its
    policy and buffer classes, so a checkpoint pickled under an older module path still opens).
    """
    if not path.is_file():
        raise CheckpointError(f"missing checkpoint file {path}")
    if not zipfile.is_zipfile(path):
        raise CheckpointError(f"corrupted checkpoint file {path}: not a zip archive (truncated or overwritten)")
    try:
        return ContinualPPO.load(path, device="cpu", custom_objects=custom_objects)
    except (
        zipfile.BadZipFile,
        OSError,
        ValueError,
        KeyError,
        RuntimeError,
        EOFError,
        AssertionError,
        pickle.PickleError,
    ) as error:
        raise CheckpointError(f"corrupted checkpoint file {path}: the model in it cannot be read ({_said(error)})") from None


def read_state(path: Path) -> dict[str, Any]:
    """``state.pt`` of a checkpoint folder, or :class:`CheckpointError` naming the file."""
    if not path.is_file():
        raise CheckpointError(f"missing checkpoint file {path}")
    if not zipfile.is_zipfile(path):
        raise CheckpointError(f"corrupted checkpoint file {path}: not a torch file (truncated or overwritten)")
    try:
        # Our own file: it holds numpy RNG state, which the weights-only unpickler refuses.
        state = torch.load(path, weights_only=False)
    except Exception as error:  # unpickling runs what the file says: any failure means a damaged file
        raise CheckpointError(f"corrupted checkpoint file {path}: its state cannot be read ({_said(error)})") from None
    if not isinstance(state, dict) or not {"method_state", "rng"} <= set(state):
        raise CheckpointError(f"corrupted checkpoint file {path}: it lacks the method state or the random states")
    return state


def _said(error: BaseException) -> str:
    """An exception's first line (its type's name when it has no message)."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def write_checkpoint(directory: Path, model: ContinualPPO, info: dict[str, Any], state: dict[str, Any]) -> None:
    """Write ``model.zip``, ``learner.json`` (``info``) and ``state.pt`` (``state``) into ``directory``.

    The caller writes into a fresh folder and renames it into place, so a kill never leaves a
    half-written checkpoint.
    """
    directory.mkdir(parents=True, exist_ok=True)
    model.save(directory / MODEL_FILE)
    (directory / LEARNER_FILE).write_text(json.dumps(info, indent=1) + "\n")
    torch.save(state, directory / STATE_FILE)


def restore_training_model(model: ContinualPPO, path: Path) -> int:
    """Load a mid-season ``model.zip`` into the model being trained; return the zip's ``num_timesteps``.

    Restores the weights, the optimizer state and :data:`RESUMED_MODEL_ATTRIBUTES` (the network must
    be the one the zip was saved from: the same method, season and column). Raises
    :class:`CheckpointError` naming the file when it is missing, damaged or holds another network.
    """
    if not path.is_file():
        raise CheckpointError(f"missing checkpoint file {path}")
    try:
        data, params, _ = load_from_zip_file(path, device="cpu")
        if data is None or params is None:
            raise ValueError("no model data or parameters")
        model.set_parameters(params, exact_match=True, device="cpu")
    except Exception as error:  # a damaged zip or another network: unpickling may fail in any way
        raise CheckpointError(
            f"corrupted checkpoint file {path}: it does not hold this season's model ({_said(error)})"
        ) from None
    for name in RESUMED_MODEL_ATTRIBUTES:
        if name in data:
            setattr(model, name, data[name])
    return int(data["num_timesteps"])
