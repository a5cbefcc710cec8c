"""The targets of issue 17 on the v1 benchmark, each with the figure that decides it.

Reads the finished runs of ``experiments/configs/grids/benchmark.yaml`` from their archive
(``docs/results/bench-v1``, written by ``evergreen sweep ... --archive``; only runs trained with the
config the grid gives them today count) and writes ``docs/bench-v1/targets.md``:

- ``scratch`` (PPO from a fresh network, the project's defaults) on each default season: its
  normalized return right after training that season;
- the best continual method (highest A in the documented order): A and forgetting in both orders;
- forward transfer (Continual World's AUC form, against ``scratch``) of ``progressive`` and
  ``progress-compress``; its difference from ``finetune-copies``; its margin over the random-column
  control (``progressive-random``), seed by seed; and the pilot that chose how a new column starts
  (``experiments/configs/grids/transfer.yaml``, archived beside the benchmark);
- plasticity: ``finetune``'s and ``replay``'s return on the fourth season right after training it,
  against ``scratch``'s there (the ratio of the means), and ``finetune``'s with each plasticity fix;
- compute: the best continual method's A and env steps against ``retrain``'s;
- ``finetune``'s forgetting (the seasons must keep conflicting).

Means over seeds with the spread of :mod:`experiments.report.stats` (a 95% BCa interval from 5 seeds,
the range below). A target is judged on the mean; a margin "whose interval excludes 0" on its interval.
Nothing is trained here: ``evergreen sweep`` trains the runs.

Run: ``.venv/bin/python -m experiments.benchmarks.targets [--archive docs/results/bench-v1] [--out docs/bench-v1]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from envs.atomic_io import atomic_write_text
from experiments import RESULTS
from experiments.pipeline.config import CONFIG_DIR, read_run_config
from experiments.report.markdown import markdown_table
from experiments.report.runs import SCRATCH, Run, forward_transfers, group_runs, load_run
from experiments.report.stats import LEGEND, format_spread, seed_spread
from experiments.script_app import ScriptApp
from experiments.sweep.archive import is_current
from experiments.sweep.grid import load_grid
from experiments.sweep.runs import run_name

GRID = CONFIG_DIR / "grids" / "benchmark.yaml"
#: The pilot that chose ``column_init``: each way a new column starts (seed 0; ``latest``, the default before, on more seeds).
PILOT = CONFIG_DIR / "grids" / "transfer.yaml"
ARCHIVE = RESULTS / "bench-v1"
#: Methods that are not continual learners: a fresh network per season, and one network on every season so far.
NOT_CONTINUAL = ("scratch", "retrain")
TRANSFER_METHODS = ("progressive", "progress-compress")
COPIES, CONTROL, RETRAIN = "finetune-copies", "progressive-random", "retrain"

SEASON_TARGET = 0.85
A_TARGET, F_TARGET = 0.85, 0.02
FT_TARGET, FT_COPIES_SLACK = 0.3, 0.05
PLASTICITY_TARGET = 0.9
RETRAIN_MARGIN, RETRAIN_STEPS = 0.1, 0.5
FINETUNE_FORGETS = 0.3


def _cell(values: Sequence[float | None]) -> str:
    """Mean and spread over seeds, or ``not run yet``."""
    spread = seed_spread(values)
    return format_spread(spread) if spread else "not run yet"


def _mean(values: Sequence[float]) -> float | None:
    return float(np.mean(values)) if len(values) else None


def _verdict(met: bool | None) -> str:
    return "not measured yet" if met is None else ("**met**" if met else "**missed**")


def option_runs(archive: Path) -> dict[str, list[Run]]:
    """``method KEY=VALUE`` -> its finished, current runs in ``archive``, for the grid's unreported option sets."""
    grid = load_grid(GRID)
    found: dict[str, list[Run]] = {}
    for product in grid.model.also:
        if product.in_report:
            continue
        for options in product.options:
            for method in product.methods:
                label = f"{method} " + " ".join(f"{key}={value}" for key, value in options.items())
                for seed in product.seeds:
                    run = next(r for r in grid.runs if r.name == run_name(method, seed, options))
                    if is_current(archive / run.name, run.config):
                        found.setdefault(label, []).append(load_run(archive / run.name))
    return found


def load_groups(archive: Path) -> dict[str, dict[str, list[Run]]]:
    """Report group (``default``, ``reversed``) -> method -> its finished, current runs in ``archive``."""
    grid = load_grid(GRID)
    groups: dict[str, dict[str, list[Run]]] = {}
    for folder, runs in grid.reports(Path("runs")).items():
        current = [load_run(archive / run.name) for run in runs if is_current(archive / run.name, run.config)]
        groups[folder.name] = group_runs(current) if current else {}
    return groups


def diagonal(runs: Sequence[Run], k: int) -> list[float]:
    """Each run's normalized return on its season ``k`` (0-based) right after training it."""
    return [float(run.matrix[k + 1, k]) for run in runs]


def by_seed(values: Sequence[float], runs: Sequence[Run]) -> dict[int, float]:
    return {run.seed: value for run, value in zip(runs, values, strict=True)}


def season_section(group: dict[str, list[Run]]) -> tuple[list[str], bool | None]:
    runs = group.get(SCRATCH, [])
    if not runs:
        return ["## PPO from scratch on each season", "", "Not run yet.", ""], None
    seasons = runs[0].seasons
    rows, means = [], []
    for k, season in enumerate(seasons):
        values = diagonal(runs, k)
        means.append(float(np.mean(values)))
        rows.append([season, str(len(values)), _cell(values), f"{means[-1] - SEASON_TARGET:+.2f}"])
    met = min(means) >= SEASON_TARGET
    lines = ["## PPO from scratch on each season", ""]
    lines += [f"Normalized return right after 100,000 steps on the season, target ≥ {SEASON_TARGET}: {_verdict(met)}.", ""]
    lines += [markdown_table(["season", "seeds", "return", "against the target"], rows), ""]
    return lines, met


def continual_table(group: dict[str, list[Run]]) -> list[list[str]]:
    return [
        [
            method,
            str(len(runs)),
            _cell([run.metrics["average_return"] for run in runs]),
            _cell([run.metrics["forgetting"] for run in runs]),
        ]
        for method, runs in group.items()
    ]


def best_continual(group: dict[str, list[Run]]) -> str | None:
    """The continual method with the highest mean A."""
    scores = {
        method: float(np.mean([run.metrics["average_return"] for run in runs]))
        for method, runs in group.items()
        if method not in NOT_CONTINUAL
    }
    return max(scores, key=scores.__getitem__) if scores else None


def best_section(groups: dict[str, dict[str, list[Run]]]) -> tuple[list[str], str | None, bool | None]:
    default = groups.get("default", {})
    best = best_continual(default)
    lines = ["## The best continual method", ""]
    if best is None:
        return [*lines, "Not run yet.", ""], None, None
    verdicts = []
    for name, group in groups.items():
        table = markdown_table(["method", "seeds", "A", "F"], continual_table(group)) if group else "Not run yet."
        lines += [f"### Order `{name}`", "", table, ""]
        runs = group.get(best, [])
        if runs:
            a = float(np.mean([run.metrics["average_return"] for run in runs]))
            f = float(np.mean([run.metrics["forgetting"] for run in runs]))
            verdicts.append(a >= A_TARGET and f <= F_TARGET)
            lines += [
                f"`{best}` here: A = {a:.2f} ({a - A_TARGET:+.2f} against {A_TARGET}), F = {f:.2f} (target ≤ {F_TARGET}).",
                "",
            ]
    met = all(verdicts) if len(verdicts) == len(groups) else None
    lines[2:2] = [
        f"`{best}` (highest A in the documented order). A ≥ {A_TARGET} and F ≤ {F_TARGET} in both orders: {_verdict(met)}.",
        "",
    ]
    return lines, best, met


def transfer_section(group: dict[str, list[Run]]) -> tuple[list[str], bool | None]:
    fts = forward_transfers(group) if group else None
    lines = ["## Forward transfer", ""]
    if fts is None:
        return [*lines, "Not run yet (needs `scratch`).", ""], None
    rows = [[method, str(len(values)), _cell(values)] for method, values in fts.items() if method != SCRATCH]
    lines += ["Against the mean AUC of `scratch`'s seeds on each season, seasons 2 to 4.", ""]
    lines += [markdown_table(["method", "seeds", "FT"], rows), ""]
    verdicts: list[bool | None] = []
    copies = _mean(fts.get(COPIES, []))
    for method in TRANSFER_METHODS:
        if not fts.get(method):
            verdicts.append(None)
            continue
        ft = float(np.mean(fts[method]))
        margins = by_seed(fts[method], group[method])
        control = by_seed(fts.get(CONTROL, []), group.get(CONTROL, []))
        paired = [margins[seed] - control[seed] for seed in sorted(margins.keys() & control.keys())]
        spread = seed_spread(paired)
        excludes_zero = spread is not None and spread.kind in ("bca", "percentile") and (spread.low or 0) > 0
        above_copies = None if copies is None else ft >= copies - FT_COPIES_SLACK
        enough = spread is not None and spread.n >= 5
        interval = _verdict(excludes_zero) if enough else "not measured yet (fewer than 5 paired seeds)"
        lines += [
            f"`{method}`: FT = {ft:+.2f} (target ≥ +{FT_TARGET}: {_verdict(ft >= FT_TARGET)}); "
            + (
                f"against `{COPIES}` ({copies:+.2f}): {ft - copies:+.2f} ({_verdict(above_copies)}); "
                if copies is not None
                else ""
            )
            + f"over `{CONTROL}` seed by seed: {_cell(paired) if paired else 'none yet'} (interval excludes 0: {interval}).",
            "",
        ]
        verdicts.append(ft >= FT_TARGET and bool(above_copies) and excludes_zero)
    met = None if None in verdicts else all(bool(v) for v in verdicts)
    lines[2:2] = [f"`progressive` and `progress-compress` against every bar: {_verdict(met)}.", ""]
    return lines, met


def plasticity_section(group: dict[str, list[Run]], fixes: dict[str, list[Run]]) -> tuple[list[str], bool | None]:
    """``finetune``, ``replay`` and ``fixes`` (finetune with a plasticity option) on the fourth season, against ``scratch``."""
    lines = ["## Plasticity: the fourth season", ""]
    scratch = group.get(SCRATCH, [])
    if not scratch:
        return [*lines, "Not run yet.", ""], None
    last = len(scratch[0].seasons) - 1
    reference = float(np.mean(diagonal(scratch, last)))
    rows, met = [], None
    candidates = {SCRATCH: scratch, "finetune": group.get("finetune", []), "replay": group.get("replay", []), **fixes}
    for label, runs in candidates.items():
        if not runs:
            continue
        values = diagonal(runs, last)
        ratio = float(np.mean(values)) / reference
        a = _cell([run.metrics["average_return"] for run in runs])
        f = _cell([run.metrics["forgetting"] for run in runs])
        rows.append([label, str(len(runs)), _cell(values), f"{ratio:.2f}", a, f])
        if label == "finetune":
            met = ratio >= PLASTICITY_TARGET
    lines += [f"Return on {scratch[0].seasons[last]} right after training it, after three seasons (`scratch`: fresh).", ""]
    lines += [f"`finetune` reaches ≥ {PLASTICITY_TARGET} of `scratch`: {_verdict(met)}.", ""]
    lines += [markdown_table(["method", "seeds", "return", "of scratch's", "A", "F"], rows), ""]
    return lines, met


def season_start(run: Run) -> float:
    """Mean over seasons 2..N of the return on the season at its first step (its learning curve's first point)."""
    return float(
        np.mean(
            [
                float(point["normalized"])
                for point in run.curves
                if int(point["season_index"]) > 1
                and int(point["season_step"]) == 0
                and point["eval_season"] == point["trained_season"]
            ]
        )
    )


def column_init_section(archive: Path, scratch: list[Run]) -> list[str]:
    """The pilot's runs: each progressive method with each ``column_init``; where a new season starts, A, F, FT.

    Today's defaults are shown on every seed the pilot's other set-ups ran (the benchmark's runs of them).
    """
    lines = ["## How a new column starts (the pilot)", ""]
    pilot = load_grid(PILOT)
    planned = {run.name: run for grid in (pilot, load_grid(GRID)) for run in grid.runs}
    # The main product holds today's defaults; the further products, the other options.
    seeds = sorted({*pilot.model.seeds, *(seed for product in pilot.model.also for seed in product.seeds)})
    set_ups: list[tuple[str, dict[str, Any], list[int]]] = [(method, {}, seeds) for method in (*TRANSFER_METHODS, CONTROL)]
    also = [product for product in pilot.model.also if not product.seasons]  # the documented order's
    set_ups += [
        (method, options, product.seeds) for product in also for options in product.options for method in product.methods
    ]
    rows = []
    for method, options, run_seeds in set_ups:
        names = [run_name(method, seed, options) for seed in run_seeds]
        runs = [load_run(archive / n) for n in names if n in planned and is_current(archive / n, planned[n].config)]
        if not runs:
            continue
        fts = forward_transfers({SCRATCH: scratch, method: runs}) if scratch else None
        options_used = read_run_config(runs[0].path)["method_options"]
        rows.append(
            [
                method,
                str(options_used["column_init"]),
                f"{options_used['action_bound_coef']:g}",
                "" if options else "today's defaults",
                ", ".join(str(run.seed) for run in runs),
                _cell([season_start(run) for run in runs]),
                _cell([run.metrics["average_return"] for run in runs]),
                _cell([run.metrics["forgetting"] for run in runs]),
                _cell(fts[method]) if fts else "n/a",
            ]
        )
    if not rows:
        return [*lines, "Not run yet.", ""]
    lines += [
        f"`{PILOT.relative_to(CONFIG_DIR.parent.parent)}`. Start: the return on seasons 2 to 4 at their first step "
        "(the new column acting); FT against every `scratch` run of the documented order.",
        "",
        markdown_table(["method", "column_init", "action_bound_coef", "", "seeds", "start", "A", "F", "FT"], rows),
        "",
    ]
    return lines


def compute_section(group: dict[str, list[Run]], best: str | None) -> tuple[list[str], bool | None]:
    lines = ["## Compute against retraining", ""]
    if best is None or not group.get(RETRAIN) or not group.get(best):
        return [*lines, "Not run yet.", ""], None
    rows = []
    for method in (best, RETRAIN):
        runs = group[method]
        rows.append(
            [
                method,
                str(len(runs)),
                _cell([run.metrics["average_return"] for run in runs]),
                f"{np.mean([run.metrics['compute']['env_steps'] for run in runs]):,.0f}",
                f"{np.mean([run.metrics['compute']['wall_seconds'] for run in runs]):,.0f}",
            ]
        )
    a_best, a_retrain = (float(np.mean([r.metrics["average_return"] for r in group[m]])) for m in (best, RETRAIN))
    steps_best, steps_retrain = (
        float(np.mean([r.metrics["compute"]["env_steps"] for r in group[m]])) for m in (best, RETRAIN)
    )
    met = a_best - a_retrain >= RETRAIN_MARGIN and steps_best <= RETRAIN_STEPS * steps_retrain
    lines += [
        f"`{best}` against `retrain`: A {a_best - a_retrain:+.2f} (target ≥ +{RETRAIN_MARGIN}) on "
        f"{steps_best / steps_retrain:.2f} of its env steps (target ≤ {RETRAIN_STEPS}): {_verdict(met)}.",
        "",
        markdown_table(["method", "seeds", "A", "env steps", "wall seconds"], rows),
        "",
    ]
    return lines, met


def conflict_section(group: dict[str, list[Run]]) -> tuple[list[str], bool | None]:
    runs = group.get("finetune", [])
    lines = ["## The seasons conflict", ""]
    if not runs:
        return [*lines, "Not run yet.", ""], None
    values = [run.metrics["forgetting"] for run in runs]
    met = float(np.mean(values)) >= FINETUNE_FORGETS
    return [*lines, f"`finetune` forgets {_cell(values)} (must stay ≥ {FINETUNE_FORGETS}): {_verdict(met)}.", ""], met


def targets_markdown(archive: Path) -> str:
    """The targets report of the runs archived in ``archive``."""
    groups = load_groups(archive)
    default = groups.get("default", {})
    seasons, met_seasons = season_section(default)
    best_lines, best, met_best = best_section(groups)
    transfer, met_transfer = transfer_section(default)
    fixes = option_runs(archive)
    plasticity, met_plasticity = plasticity_section(default, fixes)
    compute, met_compute = compute_section(default, best)
    conflict, met_conflict = conflict_section(default)
    summary = [
        ["PPO from scratch ≥ 0.85 on every season", _verdict(met_seasons)],
        ["best continual A ≥ 0.85, F ≤ 0.02, both orders", _verdict(met_best)],
        ["progressive and P&C: FT ≥ +0.3, ≥ finetune-copies − 0.05, above the control", _verdict(met_transfer)],
        ["finetune learns the fourth season to ≥ 0.9 of scratch", _verdict(met_plasticity)],
        ["best continual A ≥ retrain's + 0.1 at ≤ half its env steps", _verdict(met_compute)],
        ["finetune forgets ≥ 0.3", _verdict(met_conflict)],
    ]
    reported = sum(len(r) for group in groups.values() for r in group.values())
    unreported = sum(len(r) for r in fixes.values())
    lines = ["# Issue 17's targets on the v1 benchmark", ""]
    lines += [
        f"{reported + unreported} finished runs of `experiments/configs/grids/benchmark.yaml` ({reported} in its"
        f" reports, {unreported} with the plasticity fixes), read from `{archive}`.",
        "",
    ]
    lines += ["Regenerate: `.venv/bin/python -m experiments.benchmarks.targets`", ""]
    lines += [markdown_table(["target", "verdict"], summary), "", LEGEND, ""]
    pilot = column_init_section(archive, default.get(SCRATCH, []))
    lines += seasons + best_lines + transfer + pilot + plasticity + compute + conflict
    return "\n".join(lines)


app = ScriptApp(__name__, __doc__)


@app.command()
def main(
    archive: Annotated[Path, typer.Option(help="the benchmark's archived runs")] = ARCHIVE,
    out: Annotated[Path, typer.Option(help="where targets.md goes")] = Path("docs/bench-v1"),
) -> None:
    """Write the targets report of the archived v1 benchmark runs, and print it."""
    if not archive.is_dir():
        raise ValueError(f"archive {archive} is not a folder; give the --archive of the benchmark's sweep")
    text = targets_markdown(archive)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "targets.md", text + "\n")
    print(text)


if __name__ == "__main__":
    app()
