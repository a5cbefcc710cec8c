"""``evergreen render``: videos (or the live GUI) of a trained policy or the scripted gardener.

Frames carry the season, the policy, the day, the step and the return so far; a video is
written through a temporary file and a rename.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import gymnasium as gym
import numpy as np

from agent import load_learner
from envs.bullet import display_available
from envs.garden_env import GardenWateringEnv
from envs.gardener import ScriptedGardener
from envs.season_spec import season_label
from experiments.media.video import annotate, write_video
from experiments.pipeline import run_folder
from experiments.pipeline.evaluation import EVAL_SEED
from experiments.pipeline.run_folder import finished_seasons

#: A policy for rendering: ``act(env, observation) -> action``.
Act = Callable[[GardenWateringEnv, np.ndarray], np.ndarray]


def checkpoint_dir(run_dir: Path, checkpoint: str = "final") -> tuple[Path, str]:
    """The folder of ``checkpoint`` (``final``, ``untrained``, a season name or a 1-based index) and its label."""
    config = run_folder.read_config(run_dir)
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
        raise ValueError(f"no checkpoint {checkpoint!r} in {run_dir}; valid checkpoints: {valid}")
    index = choices[checkpoint]
    if index == 0:
        return run_dir / run_folder.UNTRAINED, "untrained"
    return run_dir / run_folder.season_dir_name(index, labels[index - 1]), f"after {labels[index - 1]} ({index}/{len(labels)})"


def policy_act(run_dir: Path, checkpoint: str, season: str) -> tuple[Act, str]:
    """The trained policy of a run folder as ``act(env, obs)``, and a caption."""
    folder, label = checkpoint_dir(run_dir, checkpoint)
    learner = load_learner(folder, ppo_config=run_folder.read_config(run_dir)["ppo"], restore_random_state=False)
    return (lambda env, obs: learner.predict(obs, season)), f"{learner.method} {label}"


def scripted_act(season: str) -> tuple[Act, str]:
    """The scripted gardener as ``act(env, obs)``, and a caption."""
    gardener = ScriptedGardener(season)
    return (lambda env, obs: gardener.act(env)), "scripted gardener"


def play(
    season: str,
    act: Act,
    caption: str,
    episodes: int = 1,
    seed: int = EVAL_SEED,
    gui: bool = False,
    frame_size: tuple[int, int] = (480, 360),
) -> tuple[list[np.ndarray], list[float]]:
    """Play ``episodes`` days (day k seeded ``seed + k``); annotated frames (none with ``gui``) and returns."""
    width, height = frame_size
    render_mode = "human" if gui else "rgb_array"
    env = gym.make(
        "GardenWatering-v0",
        season=season,
        observe_season=True,
        render_mode=render_mode,
        render_width=width,
        render_height=height,
    )
    unwrapped: GardenWateringEnv = env.unwrapped  # type: ignore[assignment]
    name = season_label(season)
    period = 1.0 / env.metadata["render_fps"]
    frames: list[np.ndarray] = []
    returns: list[float] = []
    try:
        for day in range(episodes):
            obs, _ = env.reset(seed=seed + day)
            total, step, done, status = 0.0, 0, False, ""
            while True:
                if not gui:
                    lines = [f"{name}  ({caption})", f"day {day + 1}  step {step}  {status}", f"return {total:+.2f}"]
                    frames.append(annotate(env.render(), lines))
                if done:
                    break
                obs, reward, terminated, truncated, info = env.step(act(unwrapped, obs))
                total += float(reward)
                step += 1
                done = terminated or truncated
                status = "all watered!" if info["is_success"] else ""
                if gui:
                    time.sleep(period)  # real time in the GUI
            frames += frames[-1:] * 5  # linger on the day's last frame
            returns.append(total)
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
    """Render a run's policy (or, without ``run_dir``, the scripted gardener) to ``out`` or the GUI; the day returns."""
    if gui and not display_available():
        raise RuntimeError("--gui needs a display (DISPLAY is not set); write a video with --out FILE.mp4 instead")
    if out is not None and Path(out).suffix.lower() not in {".mp4", ".gif"}:
        raise ValueError(f"--out must end in .mp4 or .gif, got {Path(out).name!r}")
    act, caption = policy_act(run_dir, checkpoint, season) if run_dir is not None else scripted_act(season)
    frames, returns = play(season, act, caption, episodes=episodes, gui=gui)
    if out is not None and not gui:
        write_video(Path(out), frames, fps=5)
    return returns
