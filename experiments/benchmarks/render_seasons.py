"""The README's picture: one frame of the same garden day in each default season.

Run: ``.venv/bin/python -m experiments.benchmarks.render_seasons [--out docs/seasons.png]``
"""

from __future__ import annotations

import argparse
from pathlib import Path

import gymnasium as gym
import imageio.v2 as imageio
import numpy as np

import envs
from envs.gardener import ScriptedGardener
from experiments.media.video import annotate


def season_frame(season: str, seed: int, steps: int, width: int, height: int) -> np.ndarray:
    """A frame after the scripted gardener has worked ``steps`` steps of a day."""
    env = gym.make("GardenWatering-v0", season=season, render_mode="rgb_array", render_width=width, render_height=height)
    gardener = ScriptedGardener(season)
    env.reset(seed=seed)
    for _ in range(steps):
        _, _, terminated, truncated, _ = env.step(gardener.act(env.unwrapped))
        if terminated or truncated:
            break
    frame = annotate(env.render(), [season])
    env.close()
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/seasons.png"))
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--steps", type=int, default=15)
    args = parser.parse_args()
    frames = [season_frame(s, args.seed, args.steps, 480, 360) for s in envs.DEFAULT_SEASON_NAMES]
    grid = np.concatenate([np.concatenate(frames[:2], axis=1), np.concatenate(frames[2:], axis=1)], axis=0)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    imageio.imwrite(args.out, grid)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
