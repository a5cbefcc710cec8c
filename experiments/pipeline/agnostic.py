"""``evergreen eval DIR --season-agnostic``: the return matrix of a run acting without being told the season.

Every learner is trained with the season one-hot at the end of its observation. Acting
season-agnostic, the one-hot the env writes is taken out before the learner sees anything:

- a single network (``finetune``, ``scratch``, ``replay``, ``ewc``, ``retrain``) acts on the
  observation with the one-hot zeroed (its input layer has the one-hot's width, so the slots stay,
  empty: no season is told);
- a learner that acts per season (``progressive``, ``progressive-random``, ``progress-compress``,
  ``finetune-copies``) has a :class:`~agent.components.recognizer.SeasonRecognizer` work the
  season out from the day so far; the season it names picks the network (and its one-hot, the
  column or head).

Each checkpoint's recognizer is saved in its folder (:mod:`experiments.pipeline.recognition`);
``--fit-recognizer`` fits and saves them first (for checkpoints made before recognizers were). The
evaluation days are the ones ``evergreen eval`` plays. A season the learner cannot act on when told (a progressive network
before the season's column) stays empty here too, so the matrices compare cell for cell. Results go
to ``DIR/eval_agnostic/``: the matrices and metrics as ``evergreen eval`` writes them, and
``recognizer.json`` (per checkpoint and season: accuracy of the committed season, the step it was
committed at, the share of days judged new, the confusion counts). A season a checkpoint has not
learned yet is played too, acting as the season the recognizer names: its cell of the matrix stays
empty, and its record says how often the day was judged new.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from agent import load_learner
from agent.components.recognizer import SeasonRecognizer
from envs import env_version
from envs.normalization import reference_returns
from envs.season_spec import season_label
from experiments.pipeline.evaluation import EVAL_SEED
from experiments.pipeline.recognition import PER_SEASON, RECOGNIZER_FILE, Named, fit_recognizer, load_recognizer, play_days
from experiments.pipeline.reevaluate import check_run
from experiments.pipeline.run_folder import (
    AGNOSTIC_DIR,
    RECOGNITION,
    atomic_write_bytes,
    atomic_write_json,
    checkpoint_dirs,
    naming,
)
from experiments.pipeline.season_results import write_summaries


def check_recognizers(run_dir: Path) -> None:
    """Raise ``CheckpointError`` naming the first checkpoint of ``run_dir`` whose recognizer is missing or damaged."""
    config = check_run(run_dir)
    if config["method"] not in PER_SEASON:
        return
    for folder in checkpoint_dirs(run_dir, [season_label(season) for season in config["seasons"]])[1:]:
        load_recognizer(folder / RECOGNIZER_FILE)


def evaluate_agnostic(run_dir: Path, episodes: int | None = None, fit: bool = False) -> Path:
    """Evaluate every checkpoint of ``run_dir`` not told the season; return ``DIR/eval_agnostic``."""
    run_dir = Path(run_dir)
    config = check_run(run_dir)
    seasons: list[str] = config["seasons"]
    labels = [season_label(season) for season in seasons]
    env_id, days = config["env"], episodes or config["eval_episodes"]
    folders = checkpoint_dirs(run_dir, labels)
    learners = [load_learner(folder, ppo_config=config["ppo"], restore_random_state=False) for folder in folders]
    per_season = config["method"] in PER_SEASON
    recognizers: list[SeasonRecognizer | None] = [None] * len(folders)
    for index, (folder, learner) in enumerate(zip(folders, learners, strict=True)):
        if not per_season or index == 0:  # untrained: nothing learned, its one network acts
            continue
        path = folder / RECOGNIZER_FILE
        if fit:
            recognizers[index] = fit_recognizer(learner, env_id)
            atomic_write_bytes(path, recognizers[index].to_bytes())  # type: ignore[union-attr]
        else:
            recognizers[index] = load_recognizer(path)  # every file checked before any evaluation
    references = {s: reference_returns(s, version=env_version(env_id)) for s in dict.fromkeys(seasons)}
    rows: list[dict[str, Any]] = []
    report: list[dict[str, Any]] = []
    for index, (learner, recognizer) in enumerate(zip(learners, recognizers, strict=True)):
        raw: list[float] = []
        for season in seasons:
            if learner.can_act(season) or recognizer is not None:
                # A season not learned yet is played too, with the season the recognizer names: is it new?
                only = learner.seasons[0] if per_season and recognizer is None and learner.seasons else None
                returns, _, named = play_days(learner, season, days, EVAL_SEED, env_id, recognizer, False, only)
                raw.append(float(np.mean(returns)) if learner.can_act(season) else float("nan"))
                if recognizer is not None:
                    report.append(recognition(labels[index - 1], season, named, recognizer))
            else:
                raw.append(float("nan"))
        normalized = [float(references[s].normalize(v)) for s, v in zip(seasons, raw, strict=True)]
        rows.append({"season_index": index, "return": raw, "normalized": normalized})
    out = run_dir / AGNOSTIC_DIR
    with naming(out):
        write_summaries(run_dir, config, rows=rows, out=out)
        atomic_write_json(out / RECOGNITION, report)
    return out


def recognition(after: str, season: str, named: list[Named], recognizer: SeasonRecognizer) -> dict[str, Any]:
    """How a checkpoint's recognizer did on one season's evaluation days (accuracy only for a season it knows)."""
    known = season in recognizer.seasons
    return {
        "after": after,
        "season": season_label(season),
        "known": known,
        "days": len(named),
        "accuracy": float(np.mean([guess == season for guess, *_ in named])) if known else None,
        "commit_step": float(np.mean([step for _, step, *_ in named])),
        "novel": float(np.mean([novel for _, _, novel, _ in named])),
        "judged_new": [novel for _, _, novel, _ in named],
        "day_steps": [steps for *_, steps in named],
        "named": {season_label(s): sum(guess == s for guess, *_ in named) for s in recognizer.seasons},
    }
