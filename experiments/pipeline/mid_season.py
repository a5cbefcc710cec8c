"""Mid-season checkpoints of a run folder: find the newest, resume from it, save one, clear them.

They live in ``<run>/mid_season/`` (see :mod:`experiments.pipeline.run_folder`); the learner's side of
saving and resuming is :mod:`agent.core.mid_season`.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from agent import CheckpointError, ContinualLearner
from agent.core.mid_season import resume_mid_season as resume_learner
from agent.core.mid_season import save_mid_season
from experiments.pipeline import run_folder
from experiments.pipeline.callbacks import LearningCurve
from experiments.pipeline.config import ConfigError

#: Mid-season checkpoints per season when ``checkpoint_every`` is not given (one every fifth of the season).
CHECKPOINTS_PER_SEASON = 5


def latest_mid_season(run_dir: Path, labels: list[str], finished: int) -> Path | None:
    """The newest mid-season checkpoint of the season after the ``finished`` ones, or None.

    Clears what a killed run can leave behind and nothing else: checkpoints of finished seasons
    (their season folder replaced them) and half-written staging folders. Older checkpoints of the
    season stay until a newer one is saved after the resume (the newest may turn out damaged). A
    checkpoint of a later season (one that follows a missing season) is refused.
    """
    folder = run_dir / run_folder.MID_SEASON
    if not folder.is_dir():
        return None
    for staging in folder.glob(".*.partial"):
        shutil.rmtree(staging)
    for index, label in enumerate(labels[:finished], start=1):
        remove_mid_season(run_dir, index, label)
    for index, label in enumerate(labels[finished + 1 :], start=finished + 2):
        later = run_folder.mid_season_checkpoints(run_dir, index, label)
        if later:
            raise ConfigError(
                f"mid-season checkpoint {later[-1][1]} follows a missing season; "
                "move it out of the run folder to train that season again"
            )
    if finished == len(labels):
        return None
    found = run_folder.mid_season_checkpoints(run_dir, finished + 1, labels[finished])
    return found[-1][1] if found else None


def resume_mid_season(learner: ContinualLearner, curve: LearningCurve, folder: Path, steps: int) -> int:
    """Continue the season just started from the checkpoint ``folder``; return its season steps done.

    The learner takes the checkpoint's model, optimizer, method state and RNG states; ``curve``
    its points so far. Raises :class:`CheckpointError` naming a damaged file.
    """
    with damaged_as_checkpoint_error():
        saved = run_folder.read_json(folder / run_folder.MID_SEASON_FILE)
        points = run_folder.read_curves_file(folder / run_folder.CURVE_FILE)
    if not isinstance(saved, dict) or saved.get("season_steps") != steps or not isinstance(saved.get("next_eval"), int):
        raise CheckpointError(
            f"corrupted checkpoint file {folder / run_folder.MID_SEASON_FILE}: not a checkpoint of this season's {steps} steps"
        )
    done = int(resume_learner(learner, folder)["env_steps"])
    curve.points, curve.next_eval = points, saved["next_eval"]
    return done


def mid_season_saver(
    run_dir: Path, learner: ContinualLearner, curve: LearningCurve, index: int, label: str, steps: int
) -> Callable[[int], None]:
    """``save(done)``: commit a mid-season checkpoint of season ``index`` after ``done`` steps, then drop older ones."""

    def save(done: int) -> None:
        final = run_folder.mid_season_dir(run_dir, index, label, done)
        with learner.untimed(), run_folder.naming(final):  # a checkpoint is not training compute
            staging = run_folder.staging_dir(final)
            save_mid_season(learner, staging)
            (staging / run_folder.CURVE_FILE).write_text(run_folder.curves_csv(curve.points))
            progress = {"season_index": index, "season": label, "season_steps": steps, "steps_done": done}
            progress["next_eval"] = curve.next_eval
            (staging / run_folder.MID_SEASON_FILE).write_text(json.dumps(progress, indent=1) + "\n")
            if final.exists():  # left by a run killed before it removed it: the same season steps, superseded
                shutil.rmtree(final)
            run_folder.commit_dir(staging, final)
            for saved, older in run_folder.mid_season_checkpoints(run_dir, index, label):
                if saved < done:
                    shutil.rmtree(older)

    return save


def remove_mid_season(run_dir: Path, index: int, label: str) -> None:
    """Remove the mid-season checkpoints of season ``index`` (its season folder is committed), and their folder once empty."""
    for _, folder in run_folder.mid_season_checkpoints(run_dir, index, label):
        shutil.rmtree(folder)
    with contextlib.suppress(OSError):  # not empty (another season's checkpoint) or already gone
        (run_dir / run_folder.MID_SEASON).rmdir()


@contextlib.contextmanager
def damaged_as_checkpoint_error() -> Iterator[None]:
    """A season folder's row or curve file that run_folder cannot read (its ValueError names it) as a CheckpointError."""
    try:
        yield
    except (ValueError, OSError) as error:
        raise CheckpointError(str(error).splitlines()[0]) from None
