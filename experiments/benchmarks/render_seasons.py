"""The README's picture: one frame of the same garden day in each default season.

Run: ``.venv/bin/python -m experiments.benchmarks.render_seasons [--out docs/seasons.png]``
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, cast

import gymnasium as gym
import imageio.v2 as imageio
import numpy as np
import typer

import envs
from envs.gardeners import make_gardener
from envs.rollout import rollout
from experiments.media.video import annotate
from experiments.script_app import ScriptApp


def season_frame(season: str, seed: int, steps: int, width: int, height: int) -> np.ndarray:
    """A frame after the scripted gardener has worked ``steps`` steps of a day."""
    env_id = envs.generic_env_id(envs.LATEST_VERSION)
    env = gym.make(env_id, season=season, render_mode="rgb_array", render_width=width, render_height=height)
    gardener = make_gardener(season, envs.LATEST_VERSION)
    rollout(env, lambda garden_env, _obs: gardener.act(garden_env), seed, max_steps=steps)
    frame = annotate(cast(np.ndarray, env.render()), [season])
    env.close()
    return frame


app = ScriptApp(__name__, __doc__)


@app.command()
def main(
    out: Annotated[Path, typer.Option(help="the picture (PNG)")] = Path("docs/seasons.png"),
    seed: Annotated[int, typer.Option(help="the day's seed")] = 3,
    steps: Annotated[int, typer.Option(help="gardener steps before the frame")] = 15,
) -> None:
    """Render one frame of the same garden day in each default season, as a 2 × 2 grid."""
    frames = [season_frame(s, seed, steps, 480, 360) for s in envs.DEFAULT_SEASON_NAMES]
    grid = np.concatenate([np.concatenate(frames[:2], axis=1), np.concatenate(frames[2:], axis=1)], axis=0)
    out.parent.mkdir(parents=True, exist_ok=True)
    imageio.imwrite(out, grid)
    print(f"wrote {out}")


if __name__ == "__main__":
    app()
