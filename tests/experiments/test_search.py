"""``evergreen search``: the space file's bad input (exit 2, one line), and a tiny search on Ray Tune that is
interrupted and resumed without losing its finished trials."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from experiments.pipeline.config import CONFIG_DIR
from experiments.search.space import load_space, ppo_config_for
from tests.experiments.cli_runs import EVERGREEN, assert_user_error, evergreen_here

TINY_SPACE = {
    "name": "tiny",
    "seasons": ["spring"],
    "steps": 256,
    "report_every": 128,
    "eval_episodes": 1,
    "samples": 3,
    "confirm_seeds": [0, 1],
    "space": {
        "learning_rate": {"loguniform": [1.0e-4, 3.0e-3]},
        "n_steps": {"choice": [32, 64]},
        "net_width": {"choice": [16, 32]},
        "n_envs": {"choice": [2]},
        "batch_size": {"choice": [32]},
        "n_epochs": {"choice": [1]},
    },
}


def write_space(folder: Path, **keys: object) -> Path:
    space = {**TINY_SPACE, **keys}
    path = folder / "space.yaml"
    path.write_text(yaml.safe_dump({key: value for key, value in space.items() if value is not None}))
    return path


def test_the_project_search_space_loads_and_its_keys_build_a_ppo_config() -> None:
    space = load_space(CONFIG_DIR / "search" / "ppo.yaml")
    assert space.rounds == 4 and set(space.space) >= {"learning_rate", "net_width", "net_depth", "activation_fn"}
    config = ppo_config_for({"net_width": 64, "net_depth": 3, "activation_fn": "relu", "learning_rate": 3e-4})
    assert config["policy_kwargs"]["net_arch"] == [64, 64, 64] and config["policy_kwargs"]["activation_fn"] == "relu"
    assert config["learning_rate"] == 3e-4


@pytest.mark.parametrize(
    ("keys", "fragments"),
    [
        ({"space": {"learnin_rate": {"uniform": [0.1, 0.2]}}}, ("space.learnin_rate", "unknown PPO key", "valid keys")),
        ({"space": {"gamma": {"normal": [0.9, 0.1]}}}, ("space.gamma must be one of", "choice: [...]", "loguniform")),
        ({"space": {"learning_rate": {"loguniform": [0.0, 0.1]}}}, ("space.learning_rate: loguniform needs low > 0 < high",)),
        ({"space": {"activation_fn": {"choice": ["swish"]}}}, ("unknown 'swish'", "valid: tanh, relu")),
        ({"space": {"net_depth": {"choice": [0, 2]}}}, ("space.net_depth: values must be whole numbers >= 1",)),
        ({"steps": 300}, ("steps (300) must be a multiple of report_every (128)",)),
        ({"seasons": ["monsoon"]}, ("monsoon", "spring")),
        ({"env": "GardenWatering-v9"}, ("GardenWatering-v9", "GardenWatering-v1")),
        ({"sample": 3}, ("sample: unknown key", "valid keys: name")),
        ({"name": "../up"}, ("name:",)),
    ],
)
def test_a_bad_space_file_exits_2_naming_the_key_and_what_is_valid(tmp_path: Path, keys: dict, fragments: tuple) -> None:
    result = evergreen_here("search", write_space(tmp_path, **keys), "--storage", tmp_path / "s")
    assert_user_error(result, str(tmp_path / "space.yaml"), *fragments)


@pytest.mark.parametrize("option", [("--jobs", "-1"), ("--retries", "-1"), ("--confirm", "-2")])
def test_bad_counts_exit_2(tmp_path: Path, option: tuple[str, str]) -> None:
    assert_user_error(evergreen_here("search", write_space(tmp_path), *option), option[0])


def finished_trials(experiment: Path, rounds: int) -> dict[str, bytes]:
    """The result files of the trials that reported every round, by trial folder."""
    done = {}
    for result in experiment.glob("*/result.json"):
        lines = result.read_bytes().splitlines()
        if lines and json.loads(lines[-1]).get("training_iteration") == rounds:
            done[result.parent.name] = result.read_bytes()
    return done


@pytest.mark.slow
def test_an_interrupted_search_resumes_and_keeps_its_finished_trials(tmp_path: Path) -> None:
    space = write_space(tmp_path, samples=4, grace_rounds=2)  # no early stops: every trial runs both rounds
    command = [EVERGREEN, "search", str(space), "--storage", str(tmp_path / "s"), "--jobs", "1"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    experiment = tmp_path / "s" / "tiny"
    deadline = time.monotonic() + 240
    while not finished_trials(experiment, 2) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.5)
    kept = finished_trials(experiment, 2)
    assert kept, "no trial finished in time"
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C, as a terminal sends it to the whole group
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "run the same command to resume" in err
    assert not (tmp_path / "s" / "tiny" / "trials.json").exists()

    resumed = evergreen_here("search", space, "--storage", tmp_path / "s", "--jobs", "1")
    assert resumed.returncode == 0, resumed.stderr
    trials = json.loads((experiment / "trials.json").read_text())["trials"]
    assert len(trials) == 4 and all(len(trial["rounds"]) == 2 for trial in trials)
    after = finished_trials(experiment, 2)
    assert all(after[name] == content for name, content in kept.items())  # finished trials were not run again
    assert "Search tiny: 4 trials" in resumed.stdout

    # Finished: the table again from trials.json, without Ray; confirmation trains the best on two seeds.
    again = evergreen_here("search", space, "--storage", tmp_path / "s", "--confirm", "1", "--jobs", "1")
    assert again.returncode == 0, again.stderr
    confirmed = json.loads((experiment / "confirm.json").read_text())
    assert [run["seed"] for run in confirmed["runs"]] == [0, 1]
    assert "The 1 best settings again, seeds 0, 1" in again.stdout
