"""What a cheaper ``progress-compress`` distillation costs in quality: one compress phase redone, setting by setting.

``progress-compress`` spends a third of its training time distilling (Adam steps of a cloning loss on
its replay memory, :meth:`ProgressCompress.compress`). This benchmark takes a finished run folder of the
method, restores the knowledge base saved after its second-to-last season and the replay memory of its
last season (everything the last season's distillation reads), and redoes that distillation with each
``BATCH:STEPS:LR`` setting from the same starting weights and the same sampling seed, the settings
taking turns ``--repeats`` times. For each it prints the median wall time, the final loss (the mean of
the last 100 steps, the figure the method records), the mean KL and value error on every stored state
per season, and the normalized return of the distilled knowledge base on ``--episodes`` evaluation days
of each season. Results: ``docs/results/distillation/result.json`` and the table in
``docs/benchmark.md#the-quick-preset``.

Run: ``.venv/bin/python -m experiments.benchmarks.distillation --run runs/quick/progress-compress
[--settings 256:3000:0.001,1024:1000:0.002] [--episodes 12] [--repeats 3]``
"""

from __future__ import annotations

import copy
import platform
import statistics
import time
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import torch as th
import typer

from agent import load_learner
from agent.components.cloning import gaussian_kl, policy_outputs
from agent.methods.progress_compress import ProgressCompress
from envs.atomic_io import atomic_write_json
from envs.season_spec import resolve_season
from experiments import RESULTS
from experiments.pipeline.evaluation import SeasonEvaluator
from experiments.report.markdown import markdown_table
from experiments.script_app import ScriptApp, list_option

#: The method's default distillation and the preset's (``experiments/quick.py``), as BATCH:STEPS:LR.
DEFAULT_SETTINGS = ("256:3000:0.001", "1024:1000:0.002")


def parse_setting(text: str) -> tuple[int, int, float]:
    """``BATCH:STEPS:LR`` as numbers (ValueError naming the setting when it is malformed or not positive)."""
    try:
        batch, steps, lr = text.split(":")
        parsed = int(batch), int(steps), float(lr)
    except ValueError:
        raise ValueError(f"--settings item {text!r} is not BATCH:STEPS:LR, e.g. 1024:1000:0.002") from None
    if min(parsed) <= 0:
        raise ValueError(f"--settings item {text!r}: batch, steps and learning rate must be > 0")
    return parsed


def season_errors(learner: ProgressCompress) -> dict[str, tuple[float, float]]:
    """Per stored season: the knowledge base's mean KL to its targets and mean squared value error."""
    arrays = learner.memory.arrays
    assert learner.knowledge_base is not None
    with th.no_grad():
        mean, log_std, value = policy_outputs(learner.knowledge_base.policy, th.as_tensor(arrays["observations"]))
        kl = gaussian_kl(th.as_tensor(arrays["means"]), th.as_tensor(arrays["log_stds"]), mean, log_std).numpy()
        value_error = ((value - th.as_tensor(arrays["values"])) ** 2).numpy()
    records = arrays["seasons"]  # the record each row came from; the memory's slots say whose season it is
    name_of = {resolve_season(name).index: name for name in learner.seasons}
    return {
        name_of[learner.memory.slots[r]]: (float(kl[records == r].mean()), float(value_error[records == r].mean()))
        for r in np.unique(records)
    }


def _distill(before: ProgressCompress, last: ProgressCompress, setting: str) -> tuple[float, float]:
    """``last``'s knowledge base reset to ``before``'s, distilled with ``setting``; its final loss and seconds."""
    last.distill_batch, last.distill_steps, last.distill_lr = parse_setting(setting)
    last.knowledge_base = copy.deepcopy(before.knowledge_base)
    last.memory.rng = np.random.default_rng(0)  # every setting draws from the same sampling stream
    th.manual_seed(0)
    start = time.perf_counter()
    loss = last.compress()
    return loss, time.perf_counter() - start


def redistill(run: Path, settings: list[str], episodes: int, repeats: int = 1) -> list[dict[str, Any]]:
    """Redo the last season's distillation of the run in ``run`` with each setting; one record each.

    The settings take turns ``repeats`` times (each time from the same start, so with the same
    result); a record holds every round's seconds and their median, and the quality of its last round.
    """
    seasons = sorted(path for path in run.glob("season_*") if path.is_dir())
    if len(seasons) < 2:
        raise ValueError(f"{run} needs at least two finished seasons of progress-compress (found {len(seasons)})")
    before, last = load_learner(seasons[-2]), load_learner(seasons[-1])
    if not isinstance(before, ProgressCompress) or not isinstance(last, ProgressCompress):
        raise ValueError(f"{run} is not a progress-compress run")
    evaluator = SeasonEvaluator(last.seasons, episodes, env_id=last.env_id)
    records: dict[str, dict[str, Any]] = {text: {"setting": text, "rounds": []} for text in settings}
    for round_index in range(repeats):
        for text in settings:
            loss, seconds = _distill(before, last, text)
            records[text]["rounds"].append(seconds)
            typer.echo(f"round {round_index + 1}, {text}: {seconds:.1f} s, loss {loss:.4f}")
            if round_index == repeats - 1:
                model = last.checkpoint_model()
                returns = [evaluator.normalize(s, evaluator.mean_return(model, s)) for s in last.seasons]
                records[text] |= {"final_loss": loss, "errors": season_errors(last), "mean": float(np.mean(returns))}
                records[text] |= {"normalized": dict(zip(last.seasons, returns, strict=True))}
    evaluator.close()
    for record in records.values():
        record["seconds"] = statistics.median(record["rounds"])
    return list(records.values())


app = ScriptApp(__name__, __doc__)


@app.command()
def main(
    run: Annotated[Path, typer.Option(help="a progress-compress run folder with two or more seasons")],
    settings: Annotated[list[str] | None, typer.Option(help="BATCH:STEPS:LR, comma-separated")] = None,
    episodes: Annotated[int, typer.Option(help="evaluation days per season")] = 12,
    repeats: Annotated[int, typer.Option(help="timed rounds of every setting, taking turns (median)")] = 3,
    out: Annotated[Path, typer.Option(help="where result.json goes")] = RESULTS / "distillation",
) -> None:
    """Redo a run's last distillation with each setting; print and save time, loss and returns."""
    if episodes < 1 or repeats < 1:
        raise ValueError(f"--episodes and --repeats must be >= 1, got {episodes} and {repeats}")
    chosen = list_option(settings, DEFAULT_SETTINGS)
    for text in chosen:
        parse_setting(text)  # every item checked before anything runs
    records = redistill(run, chosen, episodes, repeats)
    base = records[0]["seconds"]
    header = ["batch:steps:lr", "median seconds", "time vs first", "final loss", "KL per season", "return per season", "mean"]
    rows = [
        [
            r["setting"],
            f"{r['seconds']:.1f}",
            f"{r['seconds'] / base:.2f}",
            f"{r['final_loss']:.4f}",
            " ".join(f"{kl:.4f}" for kl, _ in r["errors"].values()),
            " ".join(f"{value:.2f}" for value in r["normalized"].values()),
            f"**{r['mean']:.3f}**",
        ]
        for r in records
    ]
    typer.echo(markdown_table(header, rows))
    record = {"run": str(run), "episodes": episodes, "repeats": repeats, "machine": platform.processor() or platform.machine()}
    atomic_write_json(out / "result.json", record | {"records": records})
    typer.echo(f"Wrote {out / 'result.json'}")


if __name__ == "__main__":
    app()
