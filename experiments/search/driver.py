"""The driver of ``evergreen search``: a Ray Tune search of PPO's settings, its restore, its confirmation, its table.

1. **Search.** A ``tune.Tuner`` runs :func:`~experiments.search.trial.run_trial` as trials of one CPU
   each on the sweep's Ray instance (local on loopback, or a cluster by address). Optuna's TPE
   proposes the settings (the project's current defaults first, so the table shows where the search
   started), ASHA stops the weak trials at its rungs (``grace_rounds``, then every
   ``reduction_factor`` times as many rounds), and the mean normalized return over the seasons
   is maximized. A worker that dies is retried from the trial's last round (``retries``).
2. **Restore.** The search lives in ``STORAGE/NAME`` (Tune's experiment folder). Run the same
   command after an interruption: ``Tuner.restore`` continues it; finished trials are kept as
   they are, unfinished ones go on from their last checkpoint, and the searcher keeps what it learned.
3. **Confirm** (``--confirm K``): the K best settings that ran to the full budget train again on
   ``confirm_seeds`` (a grid search of settings × seeds, no early stopping), in ``STORAGE/NAME-confirm``.
4. **Results.** Every trial's settings and rounds go to ``RESULTS/NAME/trials.json`` (and the
   confirmation to ``confirm.json``), small files the tables are printed from. When they hold a
   finished search, the command prints the tables without starting Ray.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from agent.core.ppo_defaults import default_ppo_config
from envs.atomic_io import atomic_write_json
from envs.season_spec import season_label
from experiments.report.markdown import markdown_table
from experiments.search.space import SearchSpace
from experiments.search.trial import run_trial
from experiments.sweep.driver import TASK_ENV
from experiments.sweep.ray_instance import connected

METRIC = "normalized"
TRIALS_FILE, CONFIRM_FILE = "trials.json", "confirm.json"


def settings_of(space: SearchSpace) -> dict[str, Any]:
    """What every trial of ``space`` shares (given to the trainable with ``tune.with_parameters``)."""
    return {
        "env": space.env,
        "seasons": list(space.seasons),
        "rounds": space.rounds,
        "report_every": space.report_every,
        "eval_episodes": space.eval_episodes,
        "seed": space.seed,
    }


def current_defaults(space: SearchSpace) -> dict[str, Any] | None:
    """The project's defaults as a point of the space (Optuna evaluates it first), or None if one is outside it."""
    config = default_ppo_config()
    policy_kwargs = config.get("policy_kwargs", {})
    arch = list(policy_kwargs.get("net_arch", [64, 64]))
    known = {**config, **policy_kwargs, "net_width": arch[0], "net_depth": len(arch)}
    point = {}
    for key, distribution in space.space.items():
        kind, values = next(iter(distribution.items()))
        value = known.get(key, "tanh" if key == "activation_fn" else None)
        if kind == "choice" and value not in values:
            return None
        if kind != "choice" and not (isinstance(value, int | float) and values[0] <= value <= values[1]):
            return None
        point[key] = value
    return point


def trainable(space: SearchSpace) -> Any:
    """The trial function with the space's settings and one CPU per trial."""
    from ray import tune

    return tune.with_resources(tune.with_parameters(run_trial, settings=settings_of(space)), {"cpu": 1})


def fit(tuner_for_new: Any, path: Path, space: SearchSpace) -> Any:
    """``Tuner.fit`` of the experiment at ``path``: restored if it exists (finished trials kept), else new."""
    from ray import tune

    # Ctrl-C raises at once instead of Tune's own handler, which marks the running trials finished:
    # restored, they go on from the last round they checkpointed (Tune saves its state with every checkpoint).
    os.environ["TUNE_DISABLE_SIGINT_HANDLER"] = "1"
    path = path.absolute()  # Tune reads a relative path as a URI
    if tune.Tuner.can_restore(str(path)):
        tuner = tune.Tuner.restore(str(path), trainable=trainable(space), resume_errored=True)
    else:
        tuner = tuner_for_new()
    return tuner.fit()


def run_config(name: str, storage: Path, retries: int) -> Any:
    """Tune's run config: the experiment folder, retries of a dead worker, the latest checkpoint of a trial kept."""
    from ray import tune

    return tune.RunConfig(
        name=name,
        storage_path=str(storage.absolute()),
        failure_config=tune.FailureConfig(max_failures=retries),
        checkpoint_config=tune.CheckpointConfig(num_to_keep=1),
        verbose=1,
    )


def search(space: SearchSpace, storage: Path, results: Path, address: str | None, jobs: int, retries: int) -> list[dict]:
    """Run (or restore) the search; write and return its trials (see :func:`trial_records`)."""
    from ray import tune
    from ray.tune.schedulers import ASHAScheduler
    from ray.tune.search.optuna import OptunaSearch

    def new_tuner() -> Any:
        start = current_defaults(space)
        searcher = OptunaSearch(seed=space.seed, points_to_evaluate=[start] if start else None)
        scheduler = ASHAScheduler(max_t=space.rounds, grace_period=space.grace_rounds, reduction_factor=space.reduction_factor)
        tune_config = tune.TuneConfig(
            metric=METRIC,
            mode="max",
            search_alg=searcher,
            scheduler=scheduler,
            num_samples=space.samples,
            max_concurrent_trials=jobs,
        )
        return tune.Tuner(
            trainable(space),
            param_space=space.tune_space(),
            tune_config=tune_config,
            run_config=run_config(space.name, storage, retries),
        )

    with connected(address, jobs, TASK_ENV):
        grid = fit(new_tuner, storage / space.name, space)
    check_finished(grid, storage / space.name)
    records = trial_records(grid, space)
    atomic_write_json(results / space.name / TRIALS_FILE, {"space": space.model_dump(), "trials": records})
    return records


def confirm(
    space: SearchSpace,
    records: list[dict],
    top: int,
    storage: Path,
    results: Path,
    address: str | None,
    jobs: int,
    retries: int,
) -> list[dict]:
    """Train the ``top`` best full-budget settings of ``records`` on ``confirm_seeds``; write and return the runs."""
    from ray import tune

    candidates = [record["params"] for record in best(records, space.rounds)[:top]]

    def new_tuner() -> Any:
        grid_space = {"params": tune.grid_search(candidates), "seed": tune.grid_search(list(space.confirm_seeds))}
        return tune.Tuner(
            trainable(space),
            param_space=grid_space,
            tune_config=tune.TuneConfig(metric=METRIC, mode="max", max_concurrent_trials=jobs),
            run_config=run_config(f"{space.name}-confirm", storage, retries),
        )

    with connected(address, jobs, TASK_ENV):
        grid = fit(new_tuner, storage / f"{space.name}-confirm", space)
    check_finished(grid, storage / f"{space.name}-confirm")
    runs = trial_records(grid, space)
    atomic_write_json(results / space.name / CONFIRM_FILE, {"candidates": candidates, "runs": runs})
    return runs


class TrialsFailed(RuntimeError):
    """Some trials failed after their retries (their folders hold the tracebacks); the others finished."""


def check_finished(grid: Any, path: Path) -> None:
    """:class:`TrialsFailed` naming the experiment folder if some trials failed after their retries."""
    if grid.num_errors:
        raise TrialsFailed(
            f"{grid.num_errors} of {len(grid)} trials failed (tracebacks in their folders under {path}); "
            "run the same command to try them again"
        )


def trial_records(grid: Any, space: SearchSpace) -> list[dict]:
    """Each trial of a ``ResultGrid``: its params, seed, every round's metrics, and an error if it failed."""
    records = []
    for result in grid:
        config = dict(result.config)
        params = config.get("params", config)
        frame = result.metrics_dataframe
        rounds = []
        if frame is not None:
            keys = [METRIC, "worst", "env_steps", "train_seconds", *(f"normalized_{season_label(s)}" for s in space.seasons)]
            for row in frame.to_dict("records"):
                rounds.append({"round": int(row["training_iteration"]), **{k: float(row[k]) for k in keys if k in row}})
        records.append(
            {
                "trial": result.path.rsplit("/", 1)[-1] if result.path else "",
                "params": {k: v for k, v in params.items() if k != "seed"},
                "seed": int(config.get("seed", space.seed)),
                "rounds": rounds,
                "error": str(result.error).splitlines()[0] if result.error else None,
            }
        )
    return records


def best(records: list[dict], rounds: int) -> list[dict]:
    """The trials that ran all ``rounds``, best final mean normalized return first."""
    full = [r for r in records if r["rounds"] and r["rounds"][-1]["round"] == rounds]
    return sorted(full, key=lambda r: -r["rounds"][-1][METRIC])


def described(params: dict[str, Any]) -> str:
    """A setting in one cell: ``lr 0.0012, n_epochs 10, ...`` (floats to 3 significant digits)."""

    def value(v: Any) -> str:
        return f"{v:.3g}" if isinstance(v, float) else str(v)

    return ", ".join(f"{key} {value(v)}" for key, v in sorted(params.items()))


def search_table(records: list[dict], space: SearchSpace, rows: int = 10) -> str:
    """The best trials that ran the full budget, and how far the others got (by the round they stopped at)."""
    seasons = [season_label(s) for s in space.seasons]
    table = []
    for record in best(records, space.rounds)[:rows]:
        last = record["rounds"][-1]
        cells = [f"{last.get(f'normalized_{s}', math.nan):.2f}" for s in seasons]
        table.append([described(record["params"]), *cells, f"**{last[METRIC]:.2f}**", f"{last['train_seconds']:.0f}"])
    return markdown_table(["setting", *seasons, "mean", "train s"], table)


def stopped_at(records: list[dict]) -> dict[int, int]:
    """How many trials stopped after each number of rounds (ASHA's early stops, and the full budget)."""
    counts: dict[int, int] = {}
    for record in records:
        last = record["rounds"][-1]["round"] if record["rounds"] else 0
        counts[last] = counts.get(last, 0) + 1
    return dict(sorted(counts.items()))


def confirm_table(runs: list[dict], candidates: list[dict], space: SearchSpace) -> str:
    """Each confirmed setting: per-season mean over the seeds, the mean, the lowest season, and each seed's mean."""
    seasons = [season_label(s) for s in space.seasons]
    table = []
    for params in candidates:
        finals = [
            r["rounds"][-1] for r in runs if r["params"] == params and r["rounds"] and r["rounds"][-1]["round"] == space.rounds
        ]
        if not finals:
            continue
        per_season = [float(np.mean([f[f"normalized_{s}"] for f in finals])) for s in seasons]
        seeds = ", ".join(f"{f[METRIC]:.2f}" for f in finals)
        table.append(
            [
                described(params),
                *(f"{v:.2f}" for v in per_season),
                f"**{np.mean(per_season):.2f}**",
                f"{min(per_season):.2f}",
                seeds,
            ]
        )
    return markdown_table(["setting", *seasons, "mean", "lowest season", "each seed's mean"], table)
