"""``evergreen eval``: recompute a run's return matrix from its saved checkpoints.

Loads the untrained checkpoint and every finished season's checkpoint, evaluates each on every
season of the sequence with the fixed evaluation days, and writes the matrices and metrics to
``DIR/eval/`` (the training-time files stay as they were). A run folder whose checkpoints disagree
with its ``config.yaml`` (edited to another seed, say), or a damaged checkpoint, is refused before
any evaluation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent import load_learner
from envs.season_spec import season_label
from experiments.pipeline.checkpoint_checks import check_checkpoints
from experiments.pipeline.config import read_run_config
from experiments.pipeline.evaluation import SeasonEvaluator
from experiments.pipeline.run_folder import checkpoint_dirs, naming
from experiments.pipeline.season_results import write_summaries

EVAL_DIR = "eval"


def check_run(run_dir: Path) -> dict[str, Any]:
    """The config of a run folder whose checkpoints match it; ConfigError or CheckpointError naming the file otherwise."""
    config = read_run_config(Path(run_dir))
    check_checkpoints(Path(run_dir), config)
    return config


def reevaluate(run_dir: Path, episodes: int | None = None) -> Path:
    """Evaluate every checkpoint of ``run_dir`` again; return the folder the results went to."""
    run_dir = Path(run_dir)
    config = check_run(run_dir)
    seasons: list[str] = config["seasons"]
    labels = [season_label(season) for season in seasons]
    # Every checkpoint is read before any evaluation: a damaged one is named at once.
    learners = [
        load_learner(checkpoint, ppo_config=config["ppo"], restore_random_state=False)
        for checkpoint in checkpoint_dirs(run_dir, labels)
    ]
    evaluator = SeasonEvaluator(seasons, episodes or config["eval_episodes"], env_id=config["env"])
    rows = []
    for index, learner in enumerate(learners):
        raw, normalized = evaluator.row(learner, seasons)
        rows.append({"season_index": index, "return": raw, "normalized": normalized})
    evaluator.close()
    out = run_dir / EVAL_DIR
    with naming(out):
        write_summaries(run_dir, config, rows=rows, out=out)
    return out
