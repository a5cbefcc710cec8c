"""``evergreen demo``: the scripted gardener works through the four seasons.

Prints each season's mean return, success rate and normalized return (random policy 0,
gardener 1, so the gardener's own score is 1 by construction on the reference days; other days
score around it), then writes one annotated video with a day of every season.

Run: ``.venv/bin/python -m experiments.media.demo [--out-dir demo_output] [--episodes 5]``
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import gymnasium as gym
import numpy as np
import typer

import envs
from agent.core.season_envs import DEFAULT_ENV_ID
from envs.normalization import reference_returns
from envs.rollout import rollout
from experiments.media.render import play, scripted_act
from experiments.media.video import write_video
from experiments.script_app import ScriptApp


def run_demo(out_dir: Path, episodes: int = 5, seed: int = 0, frame_size: tuple[int, int] = (480, 360)) -> None:
    """Evaluate the gardener in every default season, print a table and write the video."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    print(f"Scripted gardener, {episodes} days per season (seeds {seed}..{seed + episodes - 1})")
    print(f"{'season':8s} {'mean return':>12s} {'success':>8s} {'normalized':>11s}")
    for season in envs.DEFAULT_SEASON_NAMES:
        env = gym.make(DEFAULT_ENV_ID, season=season)
        act, _ = scripted_act(season)
        days = [rollout(env, act, seed + k) for k in range(episodes)]
        env.close()
        returns, successes = [day.episode_return for day in days], [day.success for day in days]
        mean = float(np.mean(returns))
        normalized = reference_returns(season, version=envs.env_version(DEFAULT_ENV_ID)).normalize(mean)
        print(f"{season:8s} {mean:12.2f} {np.mean(successes):8.0%} {normalized:11.2f}")
    frames: list[np.ndarray] = []
    for season in envs.DEFAULT_SEASON_NAMES:
        act, caption = scripted_act(season)
        day_frames, _ = play(season, act, caption, seed=seed, frame_size=frame_size)
        frames += day_frames
    video = write_video(out_dir / "gardener_four_seasons.mp4", frames, fps=5)
    print(f"Video of a day in every season: {video}")


def frame_size(text: str) -> tuple[int, int]:
    """``"480x360"`` -> ``(480, 360)``; ValueError unless it is WIDTHxHEIGHT in positive whole numbers."""
    width, sep, height = text.lower().partition("x")
    if not (sep and width.isdigit() and height.isdigit() and int(width) > 0 and int(height) > 0):
        raise ValueError(f"--frame takes WIDTHxHEIGHT in pixels, e.g. 480x360; got {text!r}")
    return int(width), int(height)


app = ScriptApp(__name__, __doc__)


@app.command()
def main(
    out_dir: Annotated[Path, typer.Option("--out-dir", help="where the video goes")] = Path("demo_output"),
    episodes: Annotated[int, typer.Option(help="days per season for the returns")] = 5,
    seed: Annotated[int, typer.Option(help="first day's seed")] = 0,
    frame: Annotated[str, typer.Option(help="video frame size WIDTHxHEIGHT")] = "480x360",
) -> None:
    """Run the scripted gardener through the four default seasons: returns per season and a video."""
    if episodes < 1:
        raise ValueError(f"--episodes must be >= 1, got {episodes}")
    run_demo(out_dir, episodes, seed, frame_size(frame))


if __name__ == "__main__":
    app()
