"""``evergreen sweep`` on a real two-node Ray cluster on 127.0.0.1, with a node killed while its run is mid-season.

One test function holds the whole scenario, so that pytest-xdist keeps it on one worker and the
cluster starts once (``ray.cluster_utils.Cluster``: a head node without CPUs that only coordinates,
and two worker nodes of one CPU each, every process bound to loopback):

1. The tiny grid (finetune and scratch × seeds 0 and 1, two seasons) is swept onto the cluster.
   When ``finetune_seed0`` has finished its first season, the node running it is removed (its
   worker dies mid-season) and a fresh node joins. Ray runs the task again on a node that is
   alive; ``train_run`` resumes after the last checkpoint and says so in the run's log.
2. Every run finished; each return matrix is bit-identical to the same run made by ``train_run``
   alone (seed 0: the recorded fixture; seed 1: trained here), the killed run's too: its retry, on
   the other node, resumed from its last checkpoint, the end of its first season (the sweep saves
   no mid-season checkpoint here, ``--checkpoint-every`` is longer than a season: a mid-season
   resume starts new days, see docs/cli.md, and tests/experiments/test_mid_season.py tests it);
   its finished season's files are untouched.
3. The same grid again trains nothing and starts no task.
4. ``--archive``: each finished run's results (no checkpoints) were copied as it finished; the grid on
   an empty storage root with that archive trains nothing and writes its report from the archive.
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from experiments.sweep.ray_instance import LOOPBACK_ENV

os.environ.update(LOOPBACK_ENV)  # before ray is imported: every Ray process of the test binds to 127.0.0.1

from experiments.pipeline.config import CONFIG_DIR
from experiments.pipeline.run_folder import METRICS
from experiments.pipeline.train import train_run
from experiments.sweep.archive import ARCHIVED_FILES
from experiments.sweep.driver import run_sweep
from experiments.sweep.grid import load_grid
from experiments.sweep.task import ATTEMPT, log_path
from tests.experiments.behaviour_fixture import recorded_matrix
from tests.experiments.cli_runs import EVERGREEN, tree_digest

TARGET = "finetune_seed0"  # the run whose node is killed


def matrix(run_dir: Path) -> list[list[str]]:
    """A run's raw return matrix, as the CSV's cells."""
    with open(run_dir / "return_matrix.csv") as handle:
        return list(csv.reader(handle))


def kill_node_mid_season(cluster: Any, storage: Path, sweep: subprocess.Popen) -> dict[str, Any]:
    """Once TARGET has finished its first season, remove the node running it and add a fresh one; what was killed."""
    deadline = time.monotonic() + 180
    season_1 = storage / TARGET / "season_1_spring"
    while not (season_1 / "row.json").exists():
        assert sweep.poll() is None and time.monotonic() < deadline, "the sweep ended before the run's first season did"
        time.sleep(0.02)
    node_id = attempt_nodes(storage / TARGET)[0]
    node = next(node for node in cluster.worker_nodes if node.node_id == node_id)
    killed = {"node": node_id, "season_1": tree_digest(season_1), "finished_before": (storage / TARGET / METRICS).exists()}
    cluster.remove_node(node, allow_graceful=False)
    cluster.add_node(num_cpus=1, node_ip_address="127.0.0.1")
    return killed


def attempt_nodes(run_dir: Path) -> list[str]:
    """The node of each attempt of a run, from its log."""
    text = log_path(run_dir).read_text()
    return re.findall(rf"^{ATTEMPT} \S+ attempt \d+: \S+ on \S+ node ([0-9a-f]+) ", text, flags=re.MULTILINE)


@contextlib.contextmanager
def two_node_cluster() -> Iterator[Any]:
    """A Ray cluster on 127.0.0.1: a head with no CPU for tasks, and two nodes of one CPU each."""
    from ray.cluster_utils import Cluster

    cluster = Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 0, "node_ip_address": "127.0.0.1", "include_dashboard": False},
    )
    try:
        for _ in range(2):
            cluster.add_node(num_cpus=1, node_ip_address="127.0.0.1")
        cluster.wait_for_nodes()
        yield cluster
    finally:
        cluster.shutdown()


def test_a_grid_on_two_nodes_survives_a_killed_node_and_matches_single_runs(tmp_path: Path) -> None:
    grid_file = CONFIG_DIR / "grids" / "tiny.yaml"
    grid = load_grid(grid_file)
    recorded = {run.name: recorded_matrix(run.method) for run in grid.runs if run.config["seed"] == 0}
    with two_node_cluster() as cluster:
        storage = tmp_path / "runs"
        storage.mkdir()
        command = [EVERGREEN, "sweep", str(grid_file), "--address", cluster.address, "--storage", str(storage)]
        command += ["--no-progress", "--checkpoint-every", "1000"]  # season checkpoints only (256-step seasons)
        command += ["--archive", str(tmp_path / "archive")]
        sweep = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            killed = kill_node_mid_season(cluster, storage, sweep)
            # While the sweep goes on: the seed-1 runs made by train_run alone, in this process.
            alone = {
                run.name: matrix(train_run(run.config, tmp_path / "alone" / run.name, progress=False))
                for run in grid.runs
                if run.config["seed"] == 1
            }
            out, err = sweep.communicate(timeout=300)
        finally:
            sweep.kill()
        assert sweep.returncode == 0, err
        assert "Trained 4, already finished 0" in out and (storage / "tiny_report" / "report.md").is_file()

        # The killed run: tried again on a node that is alive, resumed after its last checkpoint.
        assert not killed["finished_before"], "the node was not killed mid-season"
        nodes = attempt_nodes(storage / TARGET)
        assert len(nodes) == 2 and nodes[0] == killed["node"] != nodes[1]
        log = log_path(storage / TARGET).read_text()
        assert re.search(r"Resuming \S+ after season 1 \(spring\)", log), log
        assert tree_digest(storage / TARGET / "season_1_spring") == killed["season_1"]

        # Bit-identical to the runs made alone: the fixture (seed 0), train_run in this process (seed 1).
        for run in grid.runs:
            expected = recorded[run.name] if run.config["seed"] == 0 else alone[run.name]
            assert matrix(storage / run.name) == expected, run.name

        # The same grid again: every run is finished, nothing is trained, no task starts.
        logs = {run.name: log_path(storage / run.name).read_text() for run in grid.runs}
        again = run_sweep(grid.runs, storage, address=cluster.address, progress=False)
        assert again.trained == [] and sorted(again.skipped) == sorted(logs)
        assert {name: log_path(storage / name).read_text() for name in logs} == logs

        # The archive: each run's results without checkpoints; with it, a fresh storage root trains nothing.
        for run in grid.runs:
            kept = tmp_path / "archive" / run.name
            assert sorted(path.name for path in kept.iterdir()) == sorted(ARCHIVED_FILES)
            assert matrix(kept) == matrix(storage / run.name)
        fresh = tmp_path / "fresh"
        fresh.mkdir()
        again_cli = subprocess.run(
            [*command[:2], str(grid_file), "--storage", str(fresh), "--archive", str(tmp_path / "archive"), "--no-progress"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert again_cli.returncode == 0 and "Trained 0, already finished 4" in again_cli.stdout, again_cli.stderr
        assert (fresh / "tiny_report" / "report.md").is_file() and not any(fresh.glob("*_seed*"))
