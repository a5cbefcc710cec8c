"""``evergreen render``: videos (or the live GUI) of a trained policy or the scripted gardener.

Frames carry the season, the policy, the day, the step and the return so far; a video is
written through a temporary file and a rename. The options, the run folder and its checkpoint
are checked before any day is played (:func:`check_render`): a bad one is a :class:`ConfigError`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

import gymnasium as gym
import numpy as np

from agent import load_learner
from agent.core.season_envs import DEFAULT_ENV_ID
from envs import env_version
from envs.bullet import display_available
from envs.gardeners import make_gardener
from envs.rollout import Act, Step, rollout
from envs.season_spec import resolve_season, season_label
from experiments.media.video import VIDEO_SUFFIXES, annotate, write_video
from experiments.pipeline import run_folder
from experiments.pipeline.checkpoint_checks import check_checkpoint
from experiments.pipeline.config import ConfigError, read_run_config
from experiments.pipeline.evaluation import EVAL_SEED
from experiments.pipeline.run_folder import finished_seasons


def checkpoint_dir(run_dir: Path, checkpoint: str = "final") -> tuple[Path, str, int]:
    """The folder of ``checkpoint`` (``final``, ``untrained``, a season name or a 1-based index), its label and index.

    The index is the number of seasons the checkpoint was trained through (0: untrained).
    Raises :class:`ConfigError` naming the valid checkpoints, or the run folder's problem.
    """
    config = read_run_config(run_dir)
    labels = [season_label(season) for season in config["seasons"]]
    finished = finished_seasons(run_dir, labels)
    choices = {"untrained": 0}
    for index, label in enumerate(labels[:finished], start=1):
        choices[label] = index  # a season trained twice: its last training
        choices[str(index)] = index
    if finished:
        choices["final"] = finished
    if checkpoint not in choices:
        trained = [*dict.fromkeys(labels[:finished]), *(str(i) for i in range(1, finished + 1))]
        valid = ", ".join(["final", "untrained", *trained]) if finished else "untrained"
        raise ConfigError(f"no checkpoint {checkpoint!r} in {run_dir}; valid checkpoints: {valid}")
    index = choices[checkpoint]
    if index == 0:
        return run_dir / run_folder.UNTRAINED, "untrained", 0
    label = f"after {labels[index - 1]} ({index}/{len(labels)})"
    return run_dir / run_folder.season_dir_name(index, labels[index - 1]), label, index


def check_render(out: Path | None, run_dir: Path | None = None, checkpoint: str = "final", gui: bool = False) -> None:
    """Check the options of :func:`render` before any work: ConfigError (or CheckpointError) naming the problem.

    The GUI needs a display; a video ends in .mp4 or .gif and is not a folder; a run folder holds
    ``checkpoint``, whose ``learner.json`` matches the run's ``config.yaml``.
    """
    if gui and not display_available():
        raise ConfigError("--gui needs a display (DISPLAY is not set); write a video with --out FILE.mp4 instead")
    if out is not None and not gui:
        if Path(out).suffix.lower() not in VIDEO_SUFFIXES:
            raise ConfigError(f"--out must end in .mp4 or .gif, got {Path(out).name!r}")
        if Path(out).is_dir():
            raise ConfigError(f"--out {out} is a folder; give a video file such as {Path(out) / 'day.mp4'}")
    if run_dir is not None:
        folder, _, index = checkpoint_dir(run_dir, checkpoint)
        check_checkpoint(run_dir, read_run_config(run_dir), folder, index)


def policy_act(run_dir: Path, checkpoint: str, season: str) -> tuple[Act, str]:
    """The trained policy of a run folder as ``act(env, obs)``, and a caption; ConfigError if it cannot act in ``season``."""
    folder, label, _ = checkpoint_dir(run_dir, checkpoint)
    learner = load_learner(folder, ppo_config=read_run_config(run_dir)["ppo"], restore_random_state=False)
    if not learner.can_act(season):
        known = ", ".join(dict.fromkeys(season_label(seen) for seen in learner.seasons if learner.can_act(seen)))
        raise ConfigError(
            f"the {learner.method} policy {label} has no column for season slot {resolve_season(season).index} "
            f"({season_label(season)}); seasons it can act in: {known or 'none'}"
        )
    return (lambda env, obs: learner.predict(obs, season)), f"{learner.method} {label}"


def scripted_act(season: str, env_id: str = DEFAULT_ENV_ID) -> tuple[Act, str]:
    """The scripted gardener of ``env_id``'s version as ``act(env, obs)``, and a caption."""
    gardener = make_gardener(season, env_version(env_id))
    return (lambda env, obs: gardener.act(env)), "scripted gardener"


def play(
    season: str,
    act: Act,
    caption: str,
    episodes: int = 1,
    seed: int = EVAL_SEED,
    gui: bool = False,
    frame_size: tuple[int, int] = (480, 360),
    env_id: str = DEFAULT_ENV_ID,
) -> tuple[list[np.ndarray], list[float]]:
    """Play ``episodes`` days (day k seeded ``seed + k``) of ``env_id``; annotated frames (none with ``gui``), returns."""
    width, height = frame_size
    render_mode = "human" if gui else "rgb_array"
    env = gym.make(
        env_id,
        season=season,
        observe_season=True,
        render_mode=render_mode,
        render_width=width,
        render_height=height,
    )
    name = season_label(season)
    frames: list[np.ndarray] = []
    returns: list[float] = []
    try:
        for day in range(episodes):
            show = frame_recorder(env, frames, f"{name}  ({caption})", day, gui)
            episode = rollout(env, act, seed + day, on_step=show)
            frames += frames[-1:] * 5  # linger on the day's last frame
            returns.append(episode.episode_return)
    finally:
        env.close()
    return frames, returns


def render(
    season: str,
    out: Path | None,
    run_dir: Path | None = None,
    checkpoint: str = "final",
    episodes: int = 1,
    gui: bool = False,
) -> list[float]:
    """Render a run's policy (or, without ``run_dir``, the scripted gardener) to ``out`` or the GUI; the day returns.

    Raises :class:`ConfigError` for a bad option (see :func:`check_render`) before any day is played.
    """
    check_render(out, run_dir, checkpoint, gui)
    # A run's policy plays the env it was trained on; the scripted gardener, the default env.
    env_id = read_run_config(run_dir)["env"] if run_dir is not None else DEFAULT_ENV_ID
    act, caption = policy_act(run_dir, checkpoint, season) if run_dir is not None else scripted_act(season, env_id)
    frames, returns = play(season, act, caption, episodes=episodes, gui=gui, env_id=env_id)
    if out is not None and not gui:
        write_video(Path(out), frames, fps=5)
    return returns


def frame_recorder(env: gym.Env, frames: list[np.ndarray], title: str, day: int, gui: bool) -> Callable[[Step], None]:
    """A :func:`~envs.rollout.rollout` step hook: an annotated frame per step, or real-time pacing in the GUI."""
    period = 1.0 / env.metadata["render_fps"]

    def show(step: Step) -> None:
        if gui:
            if step.steps:
                time.sleep(period)  # real time in the GUI
            return
        status = "all watered!" if step.info.get("is_success") else ""
        lines = [title, f"day {day + 1}  step {step.steps}  {status}", f"return {step.episode_return:+.2f}"]
        frames.append(annotate(cast(np.ndarray, env.render()), lines))

    return show
