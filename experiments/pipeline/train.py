"""A seasonal training run, top to bottom: ``evergreen train``.

0. Lock the run folder (a file lock beside it, :func:`run_lock`): a second process training the
   same folder is refused (:class:`RunLocked`) before it writes anything, and the lock is held
   until the run ends.
1. Resolve the config (defaults, ``--config`` file, command line) and open the run folder: a new
   folder gets ``config.yaml``; an existing one must hold the same config (or ``--force``).
2. Resume: continue from the last finished season's checkpoint (RNG states included, so the
   result is bit-identical to a run that never stopped), or start a new learner. If the next
   season has a mid-season checkpoint, the season starts as it did and then takes the trained
   model, optimizer, method state and RNG states from that checkpoint, and learns the steps left.
3. For every season not yet finished: ``start_season``, ``learn`` with the learning-curve,
   mid-season-checkpoint and progress-bar callbacks, ``end_season``, evaluate on every season of
   the sequence (a row of the return matrix), commit the season folder atomically, and remove the
   season's mid-season checkpoints.
4. Write the summaries: ``return_matrix.csv``, ``return_matrix_normalized.csv``, ``curves.csv``,
   ``metrics.json``.

Bad input is refused before any training, in one :class:`ConfigError` or :class:`CheckpointError`
naming the file: another config in the folder, stray season folders, a checkpoint whose
``learner.json`` disagrees with ``config.yaml`` (method, seed, seasons, options, env), a damaged file.
A write that fails without naming its file (a full disk) names the folder being written.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from stable_baselines3.common.callbacks import BaseCallback

from agent import ContinualLearner, load_learner, make_learner
from envs.season_spec import season_label
from experiments.pipeline import run_folder
from experiments.pipeline.callbacks import LearningCurve, MidSeasonCheckpoints, SeasonProgressBar
from experiments.pipeline.checkpoint_checks import check_checkpoint, check_checkpoints
from experiments.pipeline.config import ConfigError, check_ppo_config, config_yaml, read_run_config
from experiments.pipeline.evaluation import SeasonEvaluator
from experiments.pipeline.mid_season import (
    CHECKPOINTS_PER_SEASON,
    latest_mid_season,
    mid_season_saver,
    remove_mid_season,
    resume_mid_season,
)
from experiments.pipeline.recognition import PER_SEASON
from experiments.pipeline.run_lock import run_lock
from experiments.pipeline.season_results import save_checkpoint, write_summaries
from experiments.pipeline.train_agnostic import train_agnostic


def train_run(
    config: dict[str, Any],
    run_dir: Path,
    force: bool = False,
    progress: bool = True,
    checkpoint_every: int | None = None,
) -> Path:
    """Train ``config["method"]`` season after season into ``run_dir``; return the run folder.

    ``checkpoint_every``: env steps between mid-season checkpoints (None: a fifth of each season's
    steps; 0: none). It is not part of the run's config: it changes no number of the run. Raises
    :class:`RunLocked` (a :class:`ConfigError`) at once if another process is training ``run_dir``.
    """
    run_dir = Path(run_dir)
    if checkpoint_every is not None and (isinstance(checkpoint_every, bool) or checkpoint_every < 0):
        raise ConfigError(
            f"--checkpoint-every must be 0 (no mid-season checkpoints) or a number of env steps, got {checkpoint_every}"
        )
    with run_lock(run_dir):
        _train_locked(config, run_dir, force, progress, checkpoint_every)
    return run_dir


def _train_locked(config: dict[str, Any], run_dir: Path, force: bool, progress: bool, checkpoint_every: int | None) -> None:
    """:func:`train_run` once the run folder is locked."""
    check_ppo_config(config)
    open_run_dir(run_dir, config, force)
    if config["season_agnostic"]:  # the learner is not told when seasons change: a run of its own
        train_agnostic(config, run_dir, progress)
        return
    seasons: list[str] = config["seasons"]
    labels = [season_label(season) for season in seasons]
    evaluator = SeasonEvaluator(seasons, config["eval_episodes"], env_id=config["env"])
    tensorboard = run_dir / "tb"

    # Resume after the last finished season (or within the next one), or start from an untrained learner.
    finished = run_folder.finished_seasons(run_dir, labels)
    refuse_stray_season_folders(run_dir, labels, finished)
    check_checkpoints(run_dir, config)
    mid_season = latest_mid_season(run_dir, labels, finished)
    if mid_season is not None:
        check_checkpoint(run_dir, config, mid_season, finished + 1)
    if finished:
        last = run_dir / run_folder.season_dir_name(finished, labels[finished - 1])
        learner = load_learner(last, ppo_config=config["ppo"], tensorboard_log=tensorboard)
        if mid_season is None:
            log(f"Resuming {run_dir} after season {finished} ({labels[finished - 1]}).")
    else:
        options = config["method_options"]
        learner = make_learner(
            config["method"],
            ppo_config=config["ppo"],
            seed=config["seed"],
            tensorboard_log=tensorboard,
            env_id=config["env"],
            **options,
        )

    # Only once the checkpoint has loaded: a refused resume leaves the folder as it was.
    set_aside_interrupted_logs(tensorboard, labels, finished)
    # Learners that act per season keep a season recognizer with each checkpoint (for acting untold).
    recognize = config["env"] if config["method"] in PER_SEASON else None
    for index, season in enumerate(seasons, start=1):
        if index <= finished:
            continue
        learner.start_season(season)
        if index == 1 and not (run_dir / run_folder.UNTRAINED / run_folder.ROW_FILE).is_file():
            with run_folder.naming(run_dir / run_folder.UNTRAINED):
                save_checkpoint(run_dir / run_folder.UNTRAINED, learner, evaluator, seasons, index=0, curve=[])
        resume_from = mid_season if index == finished + 1 else None
        curve = learn_season(run_dir, config, learner, evaluator, index, resume_from, progress, checkpoint_every)
        learner.end_season()

        final = run_dir / run_folder.season_dir_name(index, labels[index - 1])
        with run_folder.naming(final):
            save_checkpoint(final, learner, evaluator, seasons, index, curve.points, recognize)
        remove_mid_season(run_dir, index, labels[index - 1])  # the season's folder replaces them

    evaluator.close()
    with run_folder.naming(run_dir):
        write_summaries(run_dir, config)


def learn_season(
    run_dir: Path,
    config: dict[str, Any],
    learner: ContinualLearner,
    evaluator: SeasonEvaluator,
    index: int,
    resume_from: Path | None,
    progress: bool,
    checkpoint_every: int | None,
) -> LearningCurve:
    """``learn`` the ``index``-th season just started (from ``resume_from``, a mid-season checkpoint, if given).

    Mid-season checkpoints every ``checkpoint_every`` steps (None: a fifth of the season). Returns
    the season's learning curve.
    """
    seasons: list[str] = config["seasons"]
    label = season_label(seasons[index - 1])
    steps = learner.season_timesteps(config["steps"])
    curve = LearningCurve(learner, evaluator, seasons, index, config["eval_every"])
    done = 0
    if resume_from is not None:
        done = resume_mid_season(learner, curve, resume_from, steps)
        log(f"Resuming {run_dir} mid-season {index} ({label}) at {done:,} of {steps:,} steps.")
    callbacks: list[BaseCallback] = [curve]
    every = max(1, steps // CHECKPOINTS_PER_SEASON) if checkpoint_every is None else checkpoint_every
    if every:
        callbacks.append(
            MidSeasonCheckpoints(learner, every, mid_season_saver(run_dir, learner, curve, index, label, steps), done)
        )
    if progress:
        callbacks.append(SeasonProgressBar(f"{config['method']} {index}/{len(seasons)} {label}", steps, done))
    learner.learn(steps - done, callback=callbacks)
    return curve


def open_run_dir(run_dir: Path, config: dict[str, Any], force: bool) -> None:
    """Create the run folder with ``config.yaml``, or check that an existing one holds the same config.

    With ``force`` a folder made with another config is moved aside (``DIR.replaced-<time>``),
    never deleted, and a new run starts in ``DIR``.
    """
    if run_dir.exists() and not run_dir.is_dir():
        raise ConfigError(f"run folder {run_dir} exists and is not a folder")
    if run_dir.is_dir() and any(run_dir.iterdir()):
        if not (run_dir / run_folder.CONFIG).is_file():
            raise ConfigError(
                f"{run_dir} is not empty and is not an evergreen run folder (no {run_folder.CONFIG}); choose another --run-dir"
            )
        existing = read_run_config(run_dir)
        if existing != config:
            differing = sorted(key for key in set(existing) | set(config) if existing.get(key) != config.get(key))
            if not force:
                raise ConfigError(
                    f"run folder {run_dir} was made with a different config (differs in: {', '.join(differing)}); "
                    "use the same options to resume, another --run-dir, or --force to move it aside and start over"
                )
            aside = run_dir.with_name(f"{run_dir.name}.replaced-{time.strftime('%Y%m%d-%H%M%S')}")
            run_dir.rename(aside)
            print(f"Moved the old run folder (different config) to {aside}")
        else:
            return
    run_dir.mkdir(parents=True, exist_ok=True)
    run_folder.atomic_write_text(run_dir / run_folder.CONFIG, config_yaml(config))


def refuse_stray_season_folders(run_dir: Path, labels: list[str], finished: int) -> None:
    """Refuse to train over season folders after the last finished one (a gap or an incomplete folder)."""
    for index, label in enumerate(labels[finished:], start=finished + 1):
        folder = run_dir / run_folder.season_dir_name(index, label)
        if folder.exists():
            raise ConfigError(
                f"season folder {folder} is incomplete or follows a missing season; "
                "move it out of the run folder to train that season again"
            )


def set_aside_interrupted_logs(tensorboard: Path, labels: list[str], finished: int) -> None:
    """Move TensorBoard logs of seasons a killed run started but did not finish to ``tb/interrupted/``."""
    for index, label in enumerate(labels[finished:], start=finished + 1):
        for logs in tensorboard.glob(f"season_{index}_{label}_*"):
            aside = tensorboard / "interrupted" / f"{logs.name}-{time.strftime('%Y%m%d-%H%M%S')}"
            aside.parent.mkdir(parents=True, exist_ok=True)
            logs.rename(aside)


def log(message: str) -> None:
    """Print a line the run's log must hold (where it resumed from), with or without progress output."""
    print(message, flush=True)
