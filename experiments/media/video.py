"""Episode videos: frames annotated with season, step and return, written atomically with imageio.

ffmpeg runs quietly (its messages would bury ours); a write that fails (a full disk, ffmpeg gone)
is an ``OSError`` naming the video.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import imageio.v2 as imageio
import numpy as np
from PIL import Image, ImageDraw

#: The video formats :func:`write_video` writes.
VIDEO_SUFFIXES = (".mp4", ".gif")


def annotate(frame: np.ndarray, lines: Sequence[str]) -> np.ndarray:
    """Draw text lines on a dark band at the top-left of a frame."""
    image = Image.fromarray(frame)
    draw = ImageDraw.Draw(image)
    width = max(draw.textlength(line) for line in lines) + 12
    draw.rectangle((0, 0, width, 14 * len(lines) + 8), fill=(20, 20, 20))
    for k, line in enumerate(lines):
        draw.text((6, 4 + 14 * k), line, fill=(255, 255, 255))
    return np.asarray(image)


def write_video(path: Path, frames: Sequence[np.ndarray], fps: int) -> Path:
    """Write ``frames`` to ``path`` (.mp4 with ffmpeg, or .gif) through a temporary file and a rename.

    Raises ValueError for another suffix, and an ``OSError`` naming ``path`` when the video cannot be written.
    """
    path = Path(path)
    if path.suffix.lower() not in VIDEO_SUFFIXES:
        raise ValueError(f"video path must end in .mp4 or .gif, got {path.name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.partial{path.suffix}")
    try:
        if path.suffix.lower() == ".mp4":
            writer: Any = imageio.get_writer(
                partial, fps=fps, codec="libx264", quality=7, macro_block_size=8, ffmpeg_log_level="quiet"
            )
            with writer:
                for frame in frames:
                    writer.append_data(frame)
        else:
            imageio.mimsave(partial, list(frames), duration=1000.0 / fps, loop=0)
        os.replace(partial, path)
    except OSError as error:  # imageio-ffmpeg's message is its whole command line: say what failed instead
        reason = error.strerror or str(error).strip().splitlines()[0]
        raise OSError(error.errno, f"cannot write the video ({reason})", str(path)) from error
    finally:
        if partial.exists():
            partial.unlink()
    return path
