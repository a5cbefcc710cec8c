"""The progress display of a sweep: runs finished, running and failed, and the season each running run is in.

The season is read from the run folders (a season folder is committed when the season ends), so
it needs nothing from the workers but the storage every node sees. On a terminal the display is
one line redrawn in place; in a log (not a terminal) a line is printed whenever it changes.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import TextIO

from envs.season_spec import season_label
from experiments.pipeline.run_folder import finished_seasons
from experiments.sweep.runs import RunSpec
from experiments.sweep.task import attempts

BAR_WIDTH = 20


def season_text(run: RunSpec, run_dir: Path, sweep_id: str) -> str:
    """Where a running run is: ``season 2/4 summer``, and its attempt after a retry (``attempt 2``)."""
    labels = [season_label(season) for season in run.seasons]
    done = finished_seasons(run_dir, labels) if run_dir.is_dir() else 0
    text = f"season {done + 1}/{len(labels)} {labels[done]}" if done < len(labels) else "writing its summaries"
    attempt = attempts(run_dir, sweep_id)
    return text + (f" (attempt {attempt})" if attempt > 1 else "")


class Progress:
    """Draws ``[#####-----] 3/8 finished, 2 running, 0 failed | run: season 2/4 summer, ...``."""

    def __init__(self, total: int, enabled: bool = True, stream: TextIO | None = None) -> None:
        """``total``: the runs of the sweep; ``enabled``: draw anything at all."""
        self.total = total
        self.enabled = enabled
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty()
        self.last = ""

    def line(self, finished: int, running: dict[str, str], failed: int, elsewhere: int) -> str:
        """The status line (without the bar's redraw codes)."""
        filled = BAR_WIDTH * finished // max(self.total, 1)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        text = f"[{bar}] {finished}/{self.total} finished, {len(running)} running, {failed} failed"
        if elsewhere:
            text += f", {elsewhere} trained by another process"
        if running:
            text += " | " + ", ".join(f"{name}: {where}" for name, where in running.items())
        return text

    def show(self, finished: int, running: dict[str, str], failed: int, elsewhere: int = 0) -> None:
        """Draw the status (on a terminal, in place; otherwise only when it changed)."""
        if not self.enabled:
            return
        text = self.line(finished, running, failed, elsewhere)
        if text == self.last:
            return
        self.last = text
        if self.tty:
            width = shutil.get_terminal_size((120, 20)).columns
            self.stream.write("\r\x1b[K" + text[: width - 1])
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def say(self, message: str) -> None:
        """Print a message line (above the status line on a terminal)."""
        if self.tty and self.enabled and self.last:
            self.stream.write("\r\x1b[K")
            self.last = ""
        self.stream.write(message + "\n")
        self.stream.flush()

    def close(self) -> None:
        """End the status line on a terminal."""
        if self.tty and self.enabled and self.last:
            self.stream.write("\n")
            self.stream.flush()
