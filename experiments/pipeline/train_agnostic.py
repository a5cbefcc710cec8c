"""A seasonal run the learner is not told the seasons of, top to bottom: ``evergreen train --season-agnostic``.

The run plays the sequence in order, ``steps`` env steps per season, on a :class:`WorldClock`: the
learner's training envs (:func:`stream_vec_env`) move to the next season when the clock passes its
start, and their observations carry the one-hot of the season the learner believes it is in. The
learner learns in one ``learn`` per season it believes in, followed by a :class:`SeasonWatch` that
stops it once its change detector declares a new season. Then, as a told run does at a season's end:

1. ``end_season`` with the states the learner saw in its last days of the season (the season cannot
   be played again: the garden has moved on), a checkpoint evaluated on every season (the return
   matrix's row; told the season there, as every row is), and the recognizer the watch fitted;
2. ``start_season`` of the next season in the sequence (the learner counts seasons; the name only
   says which one-hot slot and column it takes) and a new watch period, until the sequence ends.

After the last season: ``detection.json`` (each change's env step, where it was noticed, the delay,
false alarms, missed changes), the summaries, and the evaluation not told the season
(``eval_agnostic/``, :func:`~experiments.pipeline.agnostic.evaluate_agnostic`). A run stopped part
way does not resume (its world and detector live in memory): its folder is moved aside, never
deleted, and the run starts over.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
from stable_baselines3.common.callbacks import BaseCallback

from agent import make_learner
from agent.components.season_watch import SeasonWatch, Verdict
from envs import MAX_SEASONS
from envs.season_spec import season_label
from experiments.pipeline import run_folder
from experiments.pipeline.agnostic import evaluate_agnostic
from experiments.pipeline.callbacks import LearningCurve, SeasonProgressBar
from experiments.pipeline.evaluation import SeasonEvaluator
from experiments.pipeline.recognition import PER_SEASON
from experiments.pipeline.season_results import save_checkpoint, write_summaries
from experiments.pipeline.season_stream import WorldClock, stream_vec_env


def train_agnostic(config: dict[str, Any], run_dir: Path, progress: bool) -> None:
    """Train ``config`` into the opened, locked ``run_dir`` without telling the learner when seasons change."""
    seasons: list[str] = config["seasons"]
    labels = [season_label(season) for season in seasons]
    if (run_dir / run_folder.DETECTION).is_file():  # written last: the run has finished
        print(f"{run_dir} has finished training (season-agnostic); nothing to do.", flush=True)
        return
    start_over(run_dir)
    evaluator = SeasonEvaluator(seasons, config["eval_episodes"], env_id=config["env"])
    learner = make_learner(
        config["method"],
        ppo_config=config["ppo"],
        seed=config["seed"],
        tensorboard_log=run_dir / "tb",
        env_id=config["env"],
        **config["method_options"],
    )
    clock = WorldClock(seasons, config["steps"])
    learner.env_source = lambda believed: stream_vec_env(clock, believed, learner.n_envs, learner.env_seed(), config["env"])
    learner.start_season(seasons[0])
    model = learner.acting_model(seasons[0])
    observation_size, action_size = (
        int(np.prod(space.shape or (0,))) for space in (model.observation_space, model.action_space)
    )
    watch = SeasonWatch(observation_size - MAX_SEASONS, action_size, keep_states=_states_kept(config), clock=lambda: clock.now)
    with run_folder.naming(run_dir / run_folder.UNTRAINED):
        save_checkpoint(run_dir / run_folder.UNTRAINED, learner, evaluator, seasons, index=0, curve=[])

    noticed: list[int] = []
    index = 1
    while True:
        watch.begin(seasons[index - 1], watch=index < len(seasons))
        curve = LearningCurve(learner, evaluator, seasons, index, config["eval_every"])
        callbacks: list[BaseCallback] = [curve, watch]
        if progress:
            callbacks.append(SeasonProgressBar(f"{config['method']} untold {index}/{len(seasons)}", clock.total, clock.now))
        learner.learn(max(1, clock.total - clock.now), callback=callbacks)
        learner.end_season(watch.season_states())
        final = run_dir / run_folder.season_dir_name(index, labels[index - 1])
        recognizer = watch.recognizer() if config["method"] in PER_SEASON else None
        with run_folder.naming(final):
            save_checkpoint(final, learner, evaluator, seasons, index, curve.points, recognizer=recognizer)
        if not watch.changed or clock.now >= clock.total:
            break
        noticed.append(clock.now)
        index += 1
        learner.start_season(seasons[index - 1])

    evaluator.close()
    learner.close()
    if index == len(seasons):  # every season was learned: evaluate the learner not told the season
        evaluate_agnostic(run_dir)
    # The summaries after eval_agnostic/ (a sweep counts a run with metrics.json as finished), detection.json last.
    with run_folder.naming(run_dir):
        write_summaries(run_dir, config)
        run_folder.atomic_write_json(run_dir / run_folder.DETECTION, detection_report(clock, noticed, watch.verdicts))


def _states_kept(config: dict[str, Any]) -> int:
    """Observations the watch keeps of a season: as many as the method's season-end work takes."""
    options = config["method_options"]
    return max(10_000, *(int(options.get(key, 0)) for key in ("states_per_season", "fisher_states")))


def start_over(run_dir: Path) -> None:
    """Move aside what a stopped season-agnostic run left (its season folders and summaries); keep ``config.yaml``."""
    leftovers = [
        path
        for path in run_dir.iterdir()
        if path.name != run_folder.CONFIG and not path.name.startswith((".", "interrupted-"))
    ]
    if not leftovers:
        return
    aside = run_dir / f"interrupted-{time.strftime('%Y%m%d-%H%M%S')}"
    aside.mkdir()
    for path in leftovers:
        path.rename(aside / path.name)
    print(f"A season-agnostic run does not resume part way: moved what {run_dir} held to {aside}, starting over.", flush=True)


def detection_report(clock: WorldClock, noticed: list[int], verdicts: list[Verdict]) -> dict[str, Any]:
    """Each season change and when it was noticed, the false alarms and the changes missed (env steps of the sequence).

    A change is noticed by the first detection after it and before the next change; any other
    detection is a false alarm.
    """
    boundaries = clock.boundaries()
    changes: list[dict[str, Any]] = []
    matched: set[int] = set()
    for k, start in enumerate(boundaries):
        end = boundaries[k + 1] if k + 1 < len(boundaries) else float("inf")
        hits = [step for step in noticed if start <= step < end and step not in matched]
        at = hits[0] if hits else None
        if at is not None:
            matched.add(at)
        changes.append(
            {
                "to": season_label(clock.seasons[k + 1]),
                "at_step": start,
                "noticed_at_step": at,
                "delay_steps": None if at is None else at - start,
            }
        )
    # Days judged new while the garden was still in the season the learner was learning: would-be false alarms.
    season_of = [min(step // clock.steps, len(clock.seasons) - 1) for *_, step in verdicts]
    learned = [clock.seasons.index(believed) for believed, *_ in verdicts]
    same = [
        new
        for (_, _, new, _), world, own in zip(verdicts, season_of, learned, strict=True)
        if new is not None and world == own
    ]
    return {
        "steps_per_season": clock.steps,
        "changes": changes,
        "false_alarms": [step for step in noticed if step not in matched],
        "missed": sum(change["noticed_at_step"] is None for change in changes),
        "days": len(verdicts),
        "days_judged_in_season": len(same),
        "days_judged_new_in_season": int(sum(same)),
    }
