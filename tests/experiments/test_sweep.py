"""``evergreen sweep`` without a cluster: the grid file, run names, the plan, and bad input (exit 2, one line).

The Ray scenarios (a two-node cluster, a node killed mid-season) are in ``test_sweep_cluster.py``.
Nothing here starts Ray: every bad input is refused before it would start.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import yaml

from experiments.pipeline.config import CONFIG_DIR, ConfigError, config_yaml
from experiments.pipeline.run_folder import CONFIG, UNTRAINED
from experiments.pipeline.run_lock import run_lock
from experiments.sweep import driver
from experiments.sweep.driver import plan, run_sweep
from experiments.sweep.grid import load_grid
from experiments.sweep.ray_instance import SweepError
from experiments.sweep.runs import run_name
from experiments.sweep.task import ATTEMPT, log_path
from tests.experiments.cli_runs import assert_user_error, evergreen_here

GRIDS = CONFIG_DIR / "grids"
TINY_GRID = yaml.safe_load((GRIDS / "tiny.yaml").read_text())


def write_grid(folder: Path, **keys: object) -> Path:
    """The tiny grid with ``keys`` replaced (``None`` removes a key), as a file in ``folder``."""
    grid = {**TINY_GRID, **keys}
    path = folder / "grid.yaml"
    path.write_text(yaml.safe_dump({key: value for key, value in grid.items() if value is not None}))
    return path


def test_run_names_say_method_options_sequence_and_seed() -> None:
    assert run_name("finetune", 0) == "finetune_seed0"
    assert run_name("ewc", 0, {"ewc_lambda": 10.0}) == "ewc-ewc_lambda10_seed0"
    assert run_name("progress-compress", 0, sequence="2years") == "progress-compress-2years_seed0"


def test_the_methods_grid_is_the_benchmark_and_its_archive_needs_no_training() -> None:
    grid = load_grid(GRIDS / "methods.yaml")
    names = [run.name for run in grid.runs]
    assert names[:2] == ["finetune_seed0", "scratch_seed0"] and len(names) == 8 * 3 + 5
    assert {"replay-states_per_season1000_seed0", "ewc-ewc_lambda0.1_seed0", "progress-compress-2years_seed0"} < set(names)
    (report, compared), *more = grid.reports(Path("runs")).items()
    assert report == Path("docs/bench") and len(compared) == 24 and not more
    # Every run of the benchmark is archived with the config it would be trained with now.
    to_train, finished = plan(grid.runs, Path("docs/results/bench"), force=False)
    assert to_train == [] and len(finished) == len(names)


def test_the_v1_benchmark_grid_reports_every_method_in_both_orders() -> None:
    grid = load_grid(GRIDS / "benchmark.yaml")
    reports = grid.reports(Path("runs"))
    assert list(reports) == [Path("docs/bench-v1/default"), Path("docs/bench-v1/reversed")]
    default, reversed_order = (reports[folder] for folder in reports)
    seeds = {method: sorted(run.seed for run in default if run.method == method) for method in {r.method for r in default}}
    five = ("scratch", "finetune", "replay", "progressive", "progressive-random", "progress-compress", "retrain")
    assert all(seeds[method] == [0, 1, 2, 3, 4] for method in five)
    assert {m for m, s in seeds.items() if s == [0, 1, 2]} == {"finetune-copies", "ewc"}
    assert len(reversed_order) == 8 * 3
    assert all(run.seasons == ["winter", "autumn", "summer", "spring"] for run in reversed_order)
    assert all(run.config["env"] == "GardenWatering-v1" and run.config["steps"] == 100_000 for run in grid.runs)
    # Every method has 3 seeds before the headline methods get their fourth.
    assert [run.seed for run in grid.runs[: 9 * 3]] == [0] * 9 + [1] * 9 + [2] * 9


def test_a_further_product_joins_the_report_when_it_says_so_and_each_run_is_compared_once(tmp_path: Path) -> None:
    also = [
        {"methods": ["replay", "finetune"], "seeds": [1], "in_report": True},
        {"methods": ["replay"], "seeds": [0, 1], "in_report": True},
        {"methods": ["ewc"], "seeds": [0]},
    ]
    grid = load_grid(write_grid(tmp_path, also=also))
    (report, compared), *more = grid.reports(tmp_path).items()
    assert (
        report == tmp_path / "grid_report"
        and not more
        and [run.name for run in compared]
        == [
            "finetune_seed0",
            "scratch_seed0",
            "finetune_seed1",
            "scratch_seed1",
            "replay_seed1",
            "replay_seed0",
        ]
    )
    assert "ewc_seed0" in [run.name for run in grid.runs] and len(grid.runs) == 7


def test_a_methods_options_in_every_run_of_it_leave_run_names_alone(tmp_path: Path) -> None:
    grid = load_grid(
        write_grid(
            tmp_path,
            methods=["progressive", "finetune"],
            seeds=[0],
            method_options={"progressive": {"column_init": "random"}},
            also=[{"methods": ["progressive"], "seeds": [1], "options": [{"adapter_width": 8}]}],
        )
    )
    runs = {run.name: run.config["method_options"] for run in grid.runs}
    assert list(runs) == ["progressive_seed0", "finetune_seed0", "progressive-adapter_width8_seed1"]
    assert runs["progressive_seed0"]["column_init"] == "random" and "column_init" not in runs["finetune_seed0"]
    assert runs["progressive-adapter_width8_seed1"]["column_init"] == "random"
    with pytest.raises(ConfigError, match="unknown method 'progresive'"):
        load_grid(write_grid(tmp_path, method_options={"progresive": {"column_init": "random"}}))


def test_the_tiny_grid_is_the_fixture_config(tmp_path: Path) -> None:
    grid = load_grid(GRIDS / "tiny.yaml")
    assert [run.name for run in grid.runs] == ["finetune_seed0", "scratch_seed0", "finetune_seed1", "scratch_seed1"]
    assert all(run.config["steps"] == 256 and run.config["ppo"]["n_steps"] == 64 for run in grid.runs)


def test_several_sequences_and_option_sets_give_one_report_each(tmp_path: Path) -> None:
    grid = load_grid(
        write_grid(tmp_path, methods=["replay"], seeds=[0], seasons={"sw": ["spring", "winter"], "ws": ["winter", "spring"]})
    )
    assert [run.name for run in grid.runs] == ["replay-sw_seed0", "replay-ws_seed0"]
    assert list(grid.reports(tmp_path)) == [tmp_path / "grid_report" / "sw", tmp_path / "grid_report" / "ws"]


def test_a_folder_with_another_config_is_refused_and_nothing_starts(tmp_path: Path) -> None:
    grid = load_grid(GRIDS / "tiny.yaml")
    other = tmp_path / grid.runs[0].name
    other.mkdir()
    (other / "config.yaml").write_text(yaml.safe_dump({**grid.runs[0].config, "steps": 5}))
    with pytest.raises(SweepError, match=r"was made with another config.*--force"):
        run_sweep(grid.runs, tmp_path, progress=False)
    assert sorted(path.name for path in tmp_path.iterdir()) == [grid.runs[0].name]  # nothing written


def test_a_folder_that_is_not_a_run_is_refused_even_with_force(tmp_path: Path) -> None:
    grid = load_grid(GRIDS / "tiny.yaml")
    stray = tmp_path / grid.runs[0].name / "notes.txt"
    stray.parent.mkdir()
    stray.write_text("mine")
    for force in (False, True):
        with pytest.raises(SweepError, match=r"is not an evergreen run folder .*move it out") as raised:
            run_sweep(grid.runs, tmp_path, force=force, progress=False)
        assert "\n" not in str(raised.value) and "--force" not in str(raised.value)
    assert stray.read_text() == "mine" and sorted(p.name for p in tmp_path.iterdir()) == [grid.runs[0].name]


@pytest.mark.parametrize(
    ("keys", "fragments"),
    [
        ({"methodz": ["finetune"]}, ("grid key 'methodz'", "is unknown; valid keys: methods, seeds")),
        ({"methods": ["finetune", "sgd"]}, ("unknown method 'sgd'", "valid methods: finetune")),
        ({"config": {"seasons": ["spring", "monsoon"]}}, ("monsoon",)),
        ({"methods": []}, ("methods in", "is empty: the grid would have no run")),
        ({"seeds": None}, ("gives no seeds",)),
        ({"options": [{"no_such_option": 1}]}, ("unknown option 'no_such_option' for method finetune",)),
        ({"base": "missing.yaml"}, ("base config", "does not exist")),
        ({"seasons": {"a/b": ["spring"]}}, ("seasons.a/b", "should match pattern")),  # a folder name
    ],
)
def test_a_bad_grid_exits_2_with_one_line(tmp_path: Path, keys: dict, fragments: tuple[str, ...]) -> None:
    result = evergreen_here("sweep", write_grid(tmp_path, **keys), "--storage", tmp_path)
    assert_user_error(result, *fragments)


@pytest.mark.parametrize(
    ("options", "fragments"),
    [
        (["--jobs", "-1"], ("--jobs must be >= 0",)),
        (["--retries", "-1"], ("--retries must be >= 0",)),
        (["--checkpoint-every", "-5"], ("--checkpoint-every must be 0",)),
        (["--storage", "{tmp}/nowhere"], ("storage root", "nowhere does not exist")),
        (["--address", "127.0.0.1:1"], ("cannot reach a Ray cluster at 127.0.0.1:1", "ray start --head")),
        (["--address", "not-an-address"], ("is not auto or HOST:PORT",)),
    ],
)
def test_bad_options_exit_2_with_one_line(tmp_path: Path, options: list[str], fragments: tuple[str, ...]) -> None:
    args = [option.replace("{tmp}", str(tmp_path)) for option in options]
    if "--storage" not in args:
        args += ["--storage", str(tmp_path)]
    assert_user_error(evergreen_here("sweep", GRIDS / "tiny.yaml", *args), *fragments)


def test_a_storage_root_that_cannot_be_written_is_refused(tmp_path: Path) -> None:
    storage = tmp_path / "read-only"
    storage.mkdir()
    storage.chmod(0o500)
    try:
        if _can_write(storage):
            pytest.skip("running as a user who writes anywhere (root)")
        assert_user_error(evergreen_here("sweep", GRIDS / "tiny.yaml", "--storage", storage), "is not writable")
    finally:
        storage.chmod(0o700)


def _can_write(folder: Path) -> bool:
    """Whether this process can create a file in ``folder`` despite its mode (root can)."""
    try:
        (folder / ".probe").touch()
    except OSError:
        return False
    (folder / ".probe").unlink()
    return True


def test_grid_errors_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"grid file .* does not exist"):
        load_grid(tmp_path / "absent.yaml")


@pytest.mark.slow
def test_a_run_that_fails_on_a_user_error_ends_the_sweep_in_one_line_and_keeps_the_rest(tmp_path: Path) -> None:
    good, bad = load_grid(GRIDS / "tiny.yaml").runs[:2]
    # ``bad`` is the same run, begun before, whose first checkpoint is damaged: a user error when it resumes.
    damaged = tmp_path / bad.name / UNTRAINED / "learner.json"
    damaged.parent.mkdir(parents=True)
    (tmp_path / bad.name / CONFIG).write_text(config_yaml(bad.config))
    damaged.write_text("{ not json")
    with pytest.raises(SweepError, match=rf"^run {bad.name}: corrupted checkpoint file .*learner.json: not valid") as raised:
        run_sweep([good, bad], tmp_path, jobs=1, progress=False)  # one at a time, in order: good first
    assert "\n" not in str(raised.value)
    assert (tmp_path / good.name / "metrics.json").is_file()  # the finished run stays
    assert damaged.read_text() == "{ not json"  # and nothing of the failed one is lost


@pytest.mark.slow
def test_a_run_another_process_holds_is_waited_for_and_never_trained_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(driver, "LOCKED_WAIT", 1.0)  # look again after a second, not twenty
    run = load_grid(GRIDS / "tiny.yaml").runs[0]
    run_dir, seen_while_locked = tmp_path / run.name, []

    def other_sweep() -> None:
        """Hold the run's lock, as another sweep training it would, until this sweep's task was refused."""
        with run_lock(run_dir):
            started.set()
            log = log_path(run_dir)
            deadline = time.monotonic() + 120
            while not (log.is_file() and ATTEMPT in log.read_text()) and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1.0)  # the refused task has ended; the driver now waits for the folder
            seen_while_locked.extend(path.name for path in run_dir.glob("*"))

    started = threading.Event()
    holder = threading.Thread(target=other_sweep)
    holder.start()
    started.wait()
    result = run_sweep([run], tmp_path, jobs=1, progress=False)
    holder.join()
    assert seen_while_locked == []  # nothing was written into the folder while the other process held it
    assert result.trained == [run.name] and (run_dir / "metrics.json").is_file()  # trained once it was free
    assert log_path(run_dir).read_text().count(ATTEMPT) == 2  # refused once, then trained
