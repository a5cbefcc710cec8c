"""The methods benchmark's run list, the config each run must have been trained with to count, and its report.

Nothing here trains: the report test builds a small synthetic archive and runs the benchmark with ``--report-only``.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

import experiments.benchmarks.methods as bench
from agent.methods import learner_class
from experiments.benchmarks.methods import TWO_YEARS, app, benchmark_grid
from experiments.sweep.runs import RunSpec
from tests.experiments.synthetic_runs import make_run

FOUR_SEASONS = ["spring", "summer", "autumn", "winter"]


@functools.cache
def expected_configs() -> dict[str, dict]:
    """The configs the benchmark trains its runs with now, by run name (seeds 0 to 2, with the sweeps)."""
    methods = ["finetune", "scratch", "replay", "progressive", "progress-compress", "ewc"]
    return {run.name: run.config for run in benchmark_grid(methods, [0, 1, 2], sweeps=True).runs}


def expected_config(name: str) -> dict:
    """The config the benchmark trains run ``name`` with now."""
    return expected_configs()[name]


# A four-season normalized return matrix (rows: untrained, after each season).
MATRIX = [
    [0.0, 0.0, 0.0, 0.0],
    [0.7, 0.1, 0.0, 0.0],
    [0.7, 0.8, 0.1, 0.0],
    [0.7, 0.8, 0.6, 0.0],
    [0.7, 0.8, 0.6, 0.5],
]


def test_runs_are_seed_major_then_the_seed_0_sweeps_and_two_garden_years() -> None:
    names = [run.name for run in benchmark_grid(["finetune", "replay", "progress-compress"], [0, 1], sweeps=True).runs]
    assert names[:6] == [f"{m}_seed{s}" for s in (0, 1) for m in ("finetune", "replay", "progress-compress")]
    assert names[6:] == ["replay-states_per_season1000_seed0", "replay-states_per_season50000_seed0", TWO_YEARS]


def test_expected_config_is_the_benchmark_config_with_the_runs_options() -> None:
    sweep = expected_config("replay-states_per_season1000_seed0")
    assert sweep["method"] == "replay" and sweep["seed"] == 0 and sweep["steps"] == 100_000
    assert sweep["method_options"] == {**learner_class("replay").default_options(), "states_per_season": 1_000}
    assert expected_config(TWO_YEARS)["seasons"] == ["spring", "summer", "autumn", "winter"] * 2
    assert expected_config("finetune_seed2")["method_options"] == learner_class("finetune").default_options()


def test_the_sweep_moves_stale_folders_aside_and_skips_archived_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[dict] = []

    def sweep(runs: list[RunSpec], out: Path, **options: object) -> None:
        calls.append({"runs": [run.name for run in runs], "out": out, **options})

    monkeypatch.setattr(bench, "run_sweep", sweep)
    bench.train_missing(benchmark_grid(["finetune"], [0], sweeps=False).runs, tmp_path / "runs", tmp_path / "archive", 2)
    (call,) = calls
    assert call["runs"] == ["finetune_seed0"] and call["jobs"] == 2
    assert call["force"] is True  # a folder made with another config is moved aside (never deleted)
    skip = call["skip"]
    assert callable(skip) and not skip(benchmark_grid(["finetune"], [0], sweeps=False).runs[0])  # nothing archived yet


@pytest.fixture
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A synthetic archive of the current progressive seeds 0 and 1 and a stale scratch seed 0; training forbidden."""

    def no_training(*args: object, **kwargs: object) -> None:
        raise AssertionError("the benchmark trained with --report-only")

    monkeypatch.setattr(bench, "run_sweep", no_training)
    root = tmp_path / "archive"
    for seed in (0, 1):
        make_run(root, "progressive", seed, MATRIX, FOUR_SEASONS, config=expected_config(f"progressive_seed{seed}"))
    stale = {**expected_config("scratch_seed0"), "steps": 5}  # trained with another config: it does not count
    make_run(root, "scratch", 0, MATRIX, FOUR_SEASONS, config=stale)
    return root


def report_only(tmp_path: Path, archive: Path, *options: str) -> None:
    """The benchmark on ``archive`` with ``--report-only`` (its outputs under ``tmp_path``)."""
    app(
        [
            "--report-only",
            "--out",
            str(tmp_path / "runs"),
            "--report",
            str(tmp_path / "report"),
            "--archive",
            str(archive),
            *options,
        ]
    )


def test_a_report_of_archived_runs_without_sweeps_writes_no_sweeps_file(tmp_path: Path, archive: Path) -> None:
    report_only(tmp_path, archive, "--methods", "progressive,scratch", "--seeds", "0", "--seeds", "1", "--no-sweeps")
    text = (tmp_path / "report" / "report.md").read_text()
    assert "| progressive | 2 | 0.65 (range 0.65 to 0.65) |" in text  # A = (0.7 + 0.8 + 0.6 + 0.5) / 4
    assert "| scratch |" not in text  # its archive is stale
    assert not (tmp_path / "report" / "sweeps.md").exists()


def test_the_sweeps_file_says_which_sweeps_are_not_run_yet(tmp_path: Path, archive: Path) -> None:
    report_only(tmp_path, archive, "--methods", "progressive", "--seeds", "0")
    sweeps = (tmp_path / "report" / "sweeps.md").read_text()
    assert "| states_per_season | A | F | memory | env steps |\n|---|---|---|---|---|\n| 1000 | not run yet | | | |" in sweeps
    assert "Not run yet." in sweeps  # two garden years


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--seeds", "0,x"], "--seeds takes whole numbers separated by commas"),
        (["--methods", "progressive,,scratch"], "empty item"),
        (["--methods", "progresive"], "unknown method 'progresive'"),
        (["--jobs", "0"], "--jobs must be >= 1"),
        (["--no-such-option"], "No such option"),
    ],
)
def test_a_user_error_exits_2_with_one_line(
    tmp_path: Path, archive: Path, capsys: pytest.CaptureFixture[str], options: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        report_only(tmp_path, archive, *options)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and err.startswith("experiments.benchmarks.methods: error: ")
