"""``evergreen eval``: recompute a run's return matrix from its saved checkpoints.

Loads the untrained checkpoint and every finished season's checkpoint, evaluates each on every
season of the sequence with the fixed evaluation days, and writes the matrices and metrics to
``DIR/eval/`` (the training-time files stay as they were).
"""

from __future__ import annotations

from pathlib import Path

from agent import load_learner
from envs.season_spec import season_label
from experiments.pipeline import run_folder
from experiments.pipeline.evaluation import SeasonEvaluator
from experiments.pipeline.run_folder import checkpoint_dirs
from experiments.pipeline.train import write_summaries

EVAL_DIR = "eval"


def reevaluate(run_dir: Path, episodes: int | None = None) -> Path:
    """Evaluate every checkpoint of ``run_dir`` again; return the folder the results went to."""
    run_dir = Path(run_dir)
    config = run_folder.read_config(run_dir)
    seasons: list[str] = config["seasons"]
    labels = [season_label(season) for season in seasons]
    checkpoints = checkpoint_dirs(run_dir, labels)
    evaluator = SeasonEvaluator(seasons, episodes or config["eval_episodes"])
    rows = []
    for index, checkpoint in enumerate(checkpoints):
        learner = load_learner(checkpoint, ppo_config=config["ppo"], restore_random_state=False)
        raw, normalized = evaluator.row(learner, seasons)
        rows.append({"season_index": index, "return": raw, "normalized": normalized})
    evaluator.close()
    out = run_dir / EVAL_DIR
    write_summaries(run_dir, config, rows=rows, out=out)
    return out
