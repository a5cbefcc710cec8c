"""The main job (``make demo``): the scripted gardener works through the four seasons.

Prints each season's mean return, success rate and normalized return (random policy 0,
gardener 1, so the gardener's own score is 1 by construction on the reference days; other days
score around it), then writes one annotated video with a day of every season.

Run: ``.venv/bin/python -m experiments.media.demo [--out-dir demo_output] [--episodes 5]``
"""

from __future__ import annotations

import argparse
from pathlib import Path

import gymnasium as gym
import numpy as np

import envs
from envs.gardener import ScriptedGardener
from envs.normalization import reference_returns
from experiments.media.render import play, scripted_act
from experiments.media.video import write_video


def run_demo(out_dir: Path, episodes: int = 5, seed: int = 0, frame_size: tuple[int, int] = (480, 360)) -> None:
    """Evaluate the gardener in every default season, print a table and write the video."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    print(f"Scripted gardener, {episodes} days per season (seeds {seed}..{seed + episodes - 1})")
    print(f"{'season':8s} {'mean return':>12s} {'success':>8s} {'normalized':>11s}")
    for season in envs.DEFAULT_SEASON_NAMES:
        env = gym.make("GardenWatering-v0", season=season)
        gardener = ScriptedGardener(season)
        returns, successes = [], []
        for k in range(episodes):
            env.reset(seed=seed + k)
            done, total = False, 0.0
            while not done:
                _, reward, terminated, truncated, info = env.step(gardener.act(env.unwrapped))
                total += float(reward)
                done = terminated or truncated
            returns.append(total)
            successes.append(info["is_success"])
        env.close()
        mean = float(np.mean(returns))
        normalized = reference_returns(season).normalize(mean)
        print(f"{season:8s} {mean:12.2f} {np.mean(successes):8.0%} {normalized:11.2f}")
    frames: list[np.ndarray] = []
    for season in envs.DEFAULT_SEASON_NAMES:
        act, caption = scripted_act(season)
        day_frames, _ = play(season, act, caption, seed=seed, frame_size=frame_size)
        frames += day_frames
    video = write_video(out_dir / "gardener_four_seasons.mp4", frames, fps=5)
    print(f"Video of a day in every season: {video}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=Path("demo_output"))
    parser.add_argument("--episodes", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--frame", default="480x360", help="video frame size WIDTHxHEIGHT")
    args = parser.parse_args()
    width, height = (int(v) for v in args.frame.lower().split("x"))
    run_demo(args.out_dir, args.episodes, args.seed, (width, height))


if __name__ == "__main__":
    main()
