"""Sweep throughput: a grid of 4 identical short runs on a Ray cluster of one 1-CPU node against two 1-CPU nodes.

Both clusters run on this machine (``ray.cluster_utils.Cluster``, every process on 127.0.0.1): a
head node without CPUs that only coordinates, and one or two worker nodes of one CPU each. The
same 4 runs (one config, 4 folders) are swept onto each, through the engine of ``evergreen sweep``
joined by address, and timed from submission to the last run's end (cluster start-up excluded).
The two clusters take turns (1, 2, 1, 2, ...) for ``--repeats`` rounds, so both see the same
machine; speed-up = median wall time on one node / median on two. The target is at least 1.8 (2
with no overhead; here the Ray daemons of both clusters share the same two cores as the runs).
Results: ``docs/results/sweep_speed/result.json``, and the table of ``docs/cluster.md``.

Run: ``.venv/bin/python -m experiments.benchmarks.sweep_speed [--runs 4] [--steps 4096] [--repeats 3]``
"""

from __future__ import annotations

import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from envs.atomic_io import atomic_write_json
from experiments import RESULTS
from experiments.report.markdown import markdown_table
from experiments.script_app import ScriptApp
from experiments.sweep.ray_instance import LOOPBACK_ENV
from experiments.sweep.runs import RunSpec, run_spec

#: The short run: two seasons of the benchmark's learner, evaluated once per season on 2 days.
CONFIG: dict[str, Any] = {"seasons": ["spring", "winter"], "eval_episodes": 2}


def sweep_on_cluster(nodes: int, runs: list[RunSpec], storage: Path) -> float:
    """Seconds to sweep ``runs`` onto a fresh cluster of ``nodes`` 1-CPU worker nodes (start-up excluded)."""
    from ray.cluster_utils import Cluster

    from experiments.sweep.driver import run_sweep

    cluster = Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 0, "node_ip_address": "127.0.0.1", "include_dashboard": False},
    )
    try:
        for _ in range(nodes):
            cluster.add_node(num_cpus=1, node_ip_address="127.0.0.1")
        cluster.wait_for_nodes()
        start = time.perf_counter()
        result = run_sweep(runs, storage, address=cluster.address, progress=False)
        seconds = time.perf_counter() - start
    finally:
        cluster.shutdown()
    if len(result.trained) != len(runs):
        raise RuntimeError(f"{nodes} node(s): trained {len(result.trained)} of {len(runs)} runs")
    return seconds


app = ScriptApp(__name__, __doc__)


@app.command()
def main(
    runs: Annotated[int, typer.Option(help="identical runs in the grid")] = 4,
    steps: Annotated[int, typer.Option(help="env steps per season of each run")] = 4096,
    repeats: Annotated[int, typer.Option(help="rounds of (one node, two nodes), interleaved")] = 3,
    out: Annotated[Path, typer.Option(help="where result.json goes")] = RESULTS / "sweep_speed",
) -> None:
    """Time the same grid on one and on two 1-CPU nodes, side by side; print and save the speed-up."""
    if runs < 2 or steps < 1 or repeats < 1:
        raise ValueError(f"--runs must be >= 2, --steps and --repeats >= 1; got {runs}, {steps} and {repeats}")
    os.environ.update(LOOPBACK_ENV)  # before ray is imported: the clusters bind to 127.0.0.1
    out.mkdir(parents=True, exist_ok=True)
    config = {**CONFIG, "steps": steps, "eval_every": steps}
    grid = [run_spec(f"run{k}", "finetune", 0, config=config) for k in range(runs)]
    measured: dict[int, list[float]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory(prefix="sweep_speed_") as scratch:
        for round_ in range(repeats):
            for nodes in (1, 2):
                storage = Path(scratch) / f"round{round_}_{nodes}_nodes"
                storage.mkdir()
                measured[nodes].append(sweep_on_cluster(nodes, grid, storage))
                print(f"round {round_ + 1}, {nodes} node(s): {runs} runs in {measured[nodes][-1]:.1f} s", flush=True)
    seconds = {nodes: statistics.median(values) for nodes, values in measured.items()}
    speedup = seconds[1] / seconds[2]
    rows = [[str(n), f"{seconds[n]:.1f}", f"{runs / seconds[n] * 60:.2f}"] for n in (1, 2)]
    print(markdown_table(["1-CPU nodes", "median wall s", "runs per minute"], rows))
    print(f"speed-up with two nodes: {speedup:.2f} (target >= 1.8)")
    atomic_write_json(
        out / "result.json",
        {
            "command": f"python -m experiments.benchmarks.sweep_speed --runs {runs} --steps {steps} --repeats {repeats}",
            "runs": runs,
            "steps_per_season": steps,
            "config": {**config, "method": "finetune", "seed": 0, "env": grid[0].config["env"]},
            "wall_seconds": {f"{n}_nodes": [round(value, 2) for value in measured[n]] for n in (1, 2)},
            "median_wall_seconds": {f"{n}_nodes": round(seconds[n], 2) for n in (1, 2)},
            "runs_per_minute": {f"{n}_nodes": round(runs / seconds[n] * 60, 3) for n in (1, 2)},
            "speedup": round(speedup, 3),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end",
            "date": time.strftime("%Y-%m-%d"),
        },
    )


if __name__ == "__main__":
    app()
