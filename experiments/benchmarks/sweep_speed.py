"""Sweep throughput: a grid of 4 identical short runs on a Ray cluster of one 1-CPU node against two 1-CPU nodes.

Both clusters run on this machine (``ray.cluster_utils.Cluster``, every process on 127.0.0.1): a
head node without CPUs that only coordinates, and one or two worker nodes of one CPU each. The
same 4 runs (one config, 4 folders) are swept onto each, through the engine of ``evergreen sweep``
joined by address, and timed from submission to the last run's end (cluster start-up excluded).
Speed-up = median wall time on one node / median on two; the target is at least 1.8.

A node of a real cluster is a machine: a 1-CPU node has one core, and nothing of it runs on
another node's. On one machine Ray's ``num_cpus=1`` only limits how many tasks a node runs at
once; its worker processes (a task's fresh worker starting, a prestarted one importing) may use
any core, so a one-node cluster also borrows the idle second core. So each worker node is
confined to a core of its own (CPU affinity of its raylet, inherited by every worker it starts:
node k on core k), which makes the comparison the one the issue asks for. ``--unpinned`` also
times the clusters with their nodes sharing both cores, as a Ray user on a laptop would get.

In the same rounds, the machine's own ceiling: the same runs as plain ``evergreen train``
processes without Ray (the sweep tasks' environment), one at a time on one core against two at a
time on two; what two cores give this workload before any engine is involved.

Every arm runs once per round, the arms taking turns, for ``--repeats`` rounds (medians), so all
see the same machine. Results: ``docs/results/sweep_speed/result.json``, the tables of ``docs/cluster.md``.

Run: ``.venv/bin/python -m experiments.benchmarks.sweep_speed [--runs 4] [--steps 4096] [--repeats 3]``
``[--no-unpinned] [--no-ceiling]``
(about 20 minutes with every arm on the project's 2-core machine)
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from envs.atomic_io import atomic_write_json
from experiments import RESULTS
from experiments.report.markdown import markdown_table
from experiments.script_app import ScriptApp
from experiments.sweep.driver import TASK_ENV
from experiments.sweep.ray_instance import LOOPBACK_ENV
from experiments.sweep.runs import RunSpec, run_spec

#: The short run: two seasons of the benchmark's learner, evaluated once per season on 2 days.
CONFIG: dict[str, Any] = {"seasons": ["spring", "winter"], "eval_episodes": 2}
#: The arms' names: the judged comparison first.
PINNED, UNPINNED, PLAIN = "Ray, a core per node", "Ray, nodes sharing the cores", "plain processes, a core each"


def descendants(pid: int) -> list[int]:
    """The processes a process started, and theirs (Linux's ``/proc/PID/task/PID/children``)."""
    try:
        children = [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:  # it exited meanwhile
        return []
    return [grandchild for child in children for grandchild in [child, *descendants(child)]]


def confine(pid: int, core: int) -> None:
    """Confine a process and its descendants to one core (the processes they start later inherit it)."""
    for process in [pid, *descendants(pid)]:
        try:
            os.sched_setaffinity(process, {core})
        except ProcessLookupError:  # a prestarted worker that already exited
            continue


def sweep_on_cluster(nodes: int, runs: list[RunSpec], storage: Path, pin: bool) -> float:
    """Seconds to sweep ``runs`` onto a fresh cluster of ``nodes`` 1-CPU worker nodes (start-up excluded).

    ``pin``: worker node k (its raylet and every process it starts) runs on core k only.
    """
    from ray._private import ray_constants
    from ray.cluster_utils import Cluster

    from experiments.sweep.driver import run_sweep

    cluster = Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 0, "node_ip_address": "127.0.0.1", "include_dashboard": False},
    )
    try:
        for core in range(nodes):
            node = cluster.add_node(num_cpus=1, node_ip_address="127.0.0.1")
            if pin:
                confine(node.all_processes[ray_constants.PROCESS_TYPE_RAYLET][0].process.pid, core)
        cluster.wait_for_nodes()
        start = time.perf_counter()
        result = run_sweep(runs, storage, address=cluster.address, progress=False)
        seconds = time.perf_counter() - start
    finally:
        cluster.shutdown()
    if len(result.trained) != len(runs):
        raise RuntimeError(f"{nodes} node(s): trained {len(result.trained)} of {len(runs)} runs")
    return seconds


def train_command(run: RunSpec, storage: Path) -> list[str]:
    """``evergreen train`` with the run's config, into ``storage / run.name``."""
    config = run.config
    command = [sys.executable, "-m", "experiments.cli", "train", "--method", config["method"]]
    command += ["--seed", str(config["seed"]), "--seasons", ",".join(config["seasons"]), "--steps", str(config["steps"])]
    command += ["--eval-every", str(config["eval_every"]), "--eval-episodes", str(config["eval_episodes"])]
    return [*command, "--run-dir", str(storage / run.name), "--no-progress"]


def plain_processes(cores: int, runs: list[RunSpec], storage: Path) -> float:
    """Seconds to train ``runs`` as ``evergreen train`` processes without Ray, one per core on ``cores`` cores."""
    running: dict[int, subprocess.Popen[bytes]] = {}
    start = time.perf_counter()
    for run in runs:
        while len(running) == cores:  # the first to finish frees its core
            for core, process in list(running.items()):
                if process.poll() is not None:
                    check(running.pop(core))
            time.sleep(0.05)
        core = min(set(range(cores)) - set(running))
        process = subprocess.Popen(train_command(run, storage), env={**os.environ, **TASK_ENV}, stdout=subprocess.DEVNULL)
        confine(process.pid, core)
        running[core] = process
    for process in running.values():
        check(process)
    return time.perf_counter() - start


def check(process: subprocess.Popen[bytes]) -> None:
    """Wait for a training process; a failed one ends the benchmark (its stderr was shown)."""
    if process.wait() != 0:
        raise RuntimeError(f"a training process exited with {process.returncode}: {process.args!r}")


def arms(unpinned: bool, ceiling: bool) -> dict[str, Callable[[int, list[RunSpec], Path], float]]:
    """The arms measured in every round: seconds for the runs on 1 or 2 cores' worth."""
    chosen: dict[str, Callable[[int, list[RunSpec], Path], float]] = {
        PINNED: lambda n, runs, storage: sweep_on_cluster(n, runs, storage, pin=True)
    }
    if unpinned:
        chosen[UNPINNED] = lambda n, runs, storage: sweep_on_cluster(n, runs, storage, pin=False)
    if ceiling:
        chosen[PLAIN] = plain_processes
    return chosen


app = ScriptApp(__name__, __doc__)


@app.command()
def main(
    runs: Annotated[int, typer.Option(help="identical runs in the grid")] = 4,
    steps: Annotated[int, typer.Option(help="env steps per season of each run")] = 4096,
    repeats: Annotated[int, typer.Option(help="rounds of every arm, interleaved")] = 3,
    out: Annotated[Path, typer.Option(help="where result.json goes")] = RESULTS / "sweep_speed",
    unpinned: Annotated[bool, typer.Option(help="also time the clusters with their nodes sharing the cores")] = True,
    ceiling: Annotated[bool, typer.Option(help="also time the runs as plain processes, on 1 and 2 cores")] = True,
) -> None:
    """Time the same grid on one and on two 1-CPU nodes, side by side; print and save the speed-up."""
    if runs < 2 or steps < 1 or repeats < 1:
        raise ValueError(f"--runs must be >= 2, --steps and --repeats >= 1; got {runs}, {steps} and {repeats}")
    if len(os.sched_getaffinity(0)) < 2:
        raise ValueError("this benchmark needs two cores (one per node); this process may use one")
    os.environ.update(LOOPBACK_ENV)  # before ray is imported: the clusters bind to 127.0.0.1
    out.mkdir(parents=True, exist_ok=True)
    config = {**CONFIG, "steps": steps, "eval_every": steps}
    grid = [run_spec(f"run{k}", "finetune", 0, config=config) for k in range(runs)]
    measured: dict[str, dict[int, list[float]]] = {name: {1: [], 2: []} for name in arms(unpinned, ceiling)}
    with tempfile.TemporaryDirectory(prefix="sweep_speed_") as scratch:
        for round_ in range(repeats):
            for arm_index, (name, arm) in enumerate(arms(unpinned, ceiling).items()):
                for cores in (1, 2):
                    storage = Path(scratch) / f"round{round_}_arm{arm_index}_{cores}"
                    storage.mkdir()
                    measured[name][cores].append(arm(cores, grid, storage))
                    seconds = measured[name][cores][-1]
                    print(f"round {round_ + 1}, {name}, {cores} core(s): {runs} runs in {seconds:.1f} s", flush=True)
    medians = {name: {n: statistics.median(values[n]) for n in (1, 2)} for name, values in measured.items()}
    speedups = {name: seconds[1] / seconds[2] for name, seconds in medians.items()}
    rows = [
        [name, str(n), f"{seconds[n]:.1f}", f"{runs / seconds[n] * 60:.2f}", f"{speedups[name]:.2f}" if n == 2 else "1"]
        for name, seconds in medians.items()
        for n in (1, 2)
    ]
    print(markdown_table(["how", "1-CPU nodes (cores)", "median wall s", "runs per minute", "speed-up"], rows))
    print(f"speed-up with two 1-CPU nodes: {speedups[PINNED]:.2f} (target >= 1.8)")
    options = f"--runs {runs} --steps {steps} --repeats {repeats}"
    options += ("" if unpinned else " --no-unpinned") + ("" if ceiling else " --no-ceiling")
    atomic_write_json(
        out / "result.json",
        {
            "command": f"python -m experiments.benchmarks.sweep_speed {options}",
            "runs": runs,
            "steps_per_season": steps,
            "config": {**config, "method": "finetune", "seed": 0, "env": grid[0].config["env"]},
            "wall_seconds": {
                name: {f"{n}_cores": [round(v, 2) for v in rounds[n]] for n in (1, 2)} for name, rounds in measured.items()
            },
            "median_wall_seconds": {name: {f"{n}_cores": round(m[n], 2) for n in (1, 2)} for name, m in medians.items()},
            "speedups": {name: round(value, 3) for name, value in speedups.items()},
            "speedup": round(speedups[PINNED], 3),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end",
            "date": time.strftime("%Y-%m-%d"),
        },
    )


if __name__ == "__main__":
    app()
