"""Mid-season checkpoints: save a learner between two rollouts of a season, and continue the season from there.

A season checkpoint (``ContinualLearner.save``) is taken between seasons and resumes bit-identically.
A mid-season checkpoint holds the model being trained (weights, optimizer state, SB3's step counters),
the method state and files, the torch / numpy / python RNG states, the training envs' RNG states and
the season's progress (env steps and training seconds so far). The envs' mid-day state is not saved:
on resume each env starts a new day, drawn from its restored RNG.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent.core.checkpoint import (
    LEARNER_FILE,
    MODEL_FILE,
    STATE_FILE,
    CheckpointError,
    read_learner_info,
    read_state,
    restore_rng,
    restore_training_model,
)
from agent.core.learner import ContinualLearner
from agent.core.season_envs import env_rng_states, restore_env_rng


def save_mid_season(learner: ContinualLearner, directory: str | Path) -> None:
    """Write what continuing ``learner``'s current season from here needs (between rollouts, inside ``learn``).

    The files of ``learner.save``, but ``model.zip`` holds the model being trained, ``learner.json``
    adds ``season_progress`` and ``state.pt`` adds the training envs' RNG states. Written into a fresh
    folder that the caller renames into place.
    """
    model = learner.model
    if model is None:
        raise RuntimeError("the learner has no model yet: call start_season(season) first")
    env = model.get_env()
    extra_state = {"env_rng": env_rng_states(env) if env is not None else None}
    learner.write_checkpoint(Path(directory), model, {"season_progress": learner.season_progress()}, extra_state)


def resume_mid_season(learner: ContinualLearner, directory: str | Path) -> dict[str, Any]:
    """Continue ``learner``'s current season from a :func:`save_mid_season` folder; return its ``season_progress``.

    Call it right after ``start_season`` of the season the folder was saved in (the method's season
    set-up, its envs and losses, is rebuilt exactly as when the season began), then ``learn`` the
    season's remaining steps. Raises :class:`CheckpointError` naming the file that is missing,
    damaged or from another season.
    """
    directory = Path(directory)
    info = read_learner_info(directory)
    progress = info.get("season_progress")
    if info["seasons"] != learner.seasons or not isinstance(progress, dict):
        raise CheckpointError(
            f"{directory / LEARNER_FILE} is not a mid-season checkpoint of seasons {learner.seasons} "
            f"(it holds {info['seasons']}); move the folder out of the run folder to train the season from its start"
        )
    model = learner.model
    if model is None:
        raise RuntimeError("the learner has no model yet: call start_season(season) first")
    restore_training_model(model, directory / MODEL_FILE)
    season_steps = learner.season_steps()
    if season_steps != progress.get("env_steps"):
        raise CheckpointError(
            f"corrupted checkpoint file {directory / MODEL_FILE}: its step count disagrees with {LEARNER_FILE}"
        )
    model._last_obs = None  # learn() resets the envs: their mid-day state is not in the checkpoint
    state = read_state(directory / STATE_FILE)
    learner.load_checkpoint_state(directory, state)
    env = model.get_env()
    if env is not None:
        restore_env_rng(env, state.get("env_rng"))
    restore_rng(state["rng"])
    learner.count_resumed(season_steps, float(progress.get("wall_seconds", 0.0)))
    return progress
