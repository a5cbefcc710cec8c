"""Every script is a typer app run as ``python -m``: comma-separated list options, one-line user errors (exit 2)."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import pytest

from experiments.script_app import ScriptApp

SCRIPTS = [
    "experiments.benchmarks.methods",
    "experiments.benchmarks.targets",
    "experiments.benchmarks.speed_methods",
    "experiments.benchmarks.env_speed",
    "experiments.benchmarks.parameter_growth",
    "experiments.benchmarks.distillation",
    "experiments.benchmarks.training_speed",
    "experiments.benchmarks.update_speed",
    "experiments.benchmarks.render_seasons",
    "experiments.benchmarks.sweep_speed",
    "experiments.studies.learnability",
    "experiments.studies.forgetting",
    "experiments.studies.gardener_cross_season",
    "experiments.studies.winter_plasticity",
    "experiments.studies.evaluation_days",
    "experiments.studies.day_outcomes",
    "experiments.studies.detours",
    "experiments.studies.winter_start",
    "experiments.quick",
    "experiments.media.demo",
]


@pytest.mark.parametrize("module", SCRIPTS)
def test_every_script_is_a_script_app_with_help(module: str, capsys: pytest.CaptureFixture[str]) -> None:
    script = importlib.import_module(module)
    assert isinstance(script.app, ScriptApp) and "argparse" not in inspect.getsource(script)
    script.app(["--help"])  # help exits 0: nothing raised
    assert f"python -m {module}" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("module", "options", "message"),
    [
        ("experiments.studies.learnability", ["--seeds", "0,,1"], "empty item"),
        ("experiments.studies.learnability", ["--seasons", "spring,monsoon"], "monsoon"),
        ("experiments.studies.learnability", ["--shaping", "curvy"], "unknown shaping 'curvy'; valid: none, path"),
        ("experiments.studies.learnability", ["--config", "/nonexistent/ppo.yaml"], "/nonexistent/ppo.yaml"),
        ("experiments.studies.detours", ["--threshold", "0"], "--threshold > 0"),
        ("experiments.studies.winter_plasticity", ["--seeds", "one"], "--seeds takes whole numbers"),
        ("experiments.studies.evaluation_days", ["--wide", "15"], "--wide a positive multiple of 10"),
        ("experiments.studies.forgetting", ["--pairs", "spring:winter,summer"], "--pairs takes first:second"),
        ("experiments.studies.winter_start", ["--variant", "/nonexistent/archive"], "no archive at /nonexistent/archive"),
        ("experiments.benchmarks.speed_methods", ["--methods", "replay,nope"], "unknown method 'nope'"),
        ("experiments.benchmarks.env_speed", ["--steps", "0"], "--steps and --repeats must be >= 1"),
        ("experiments.benchmarks.update_speed", ["--season", "monsoon"], "monsoon"),
        ("experiments.benchmarks.training_speed", ["--config", "/nonexistent/ppo.yaml"], "/nonexistent/ppo.yaml"),
        ("experiments.media.demo", ["--frame", "480by360"], "--frame takes WIDTHxHEIGHT"),
        ("experiments.quick", ["--jobs", "many"], "Invalid value for '--jobs'"),
        ("experiments.benchmarks.targets", ["--archive", "/nonexistent/archive"], "is not a folder"),
        ("experiments.benchmarks.sweep_speed", ["--runs", "1"], "--runs must be >= 2"),
    ],
)
def test_a_user_error_exits_2_with_one_line_naming_it(
    module: str, options: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        importlib.import_module(module).app(options)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{module}: error: ") and err.count("\n") == 1 and message in err


def test_run_with_python_dash_m_a_user_error_is_one_line() -> None:
    module = "experiments.studies.gardener_cross_season"
    result = subprocess.run([sys.executable, "-m", module, "--episodes", "0"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 2
    assert result.stderr == f"{module}: error: --episodes must be >= 1, got 0\n"
