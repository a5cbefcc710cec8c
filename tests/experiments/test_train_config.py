"""Training configs: defaults, file, command line; shipped and archived configs resolve as before; bad values say so."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import agent
from agent.core.ppo_defaults import default_ppo_config
from envs.ids import LEGACY_ENV_ID
from experiments.pipeline.config import (
    CONFIG_DIR,
    ConfigError,
    config_yaml,
    read_config_file,
    read_run_config,
    resolve_config,
)

ARCHIVE = Path(__file__).resolve().parents[2] / "docs" / "results" / "bench"


@pytest.mark.parametrize(
    ("name", "ppo_changes"),
    [("quick.yaml", {"n_steps": 128, "learning_rate": 0.000148}), ("four_seasons.yaml", {})],
)
def test_shipped_configs_resolve(name: str, ppo_changes: dict[str, float]) -> None:
    config = resolve_config(read_config_file(CONFIG_DIR / name), {"method": "finetune"})
    assert config["seasons"] == ["spring", "summer", "autumn", "winter"]
    # The quick preset changes two PPO settings for its small budget (docs/benchmark.md#the-quick-preset).
    assert config["ppo"] == default_ppo_config() | ppo_changes


def test_the_ppo_settings_before_the_search_resolve() -> None:
    ppo = resolve_config(read_config_file(CONFIG_DIR / "ppo_before_search.yaml"), {"method": "finetune"})["ppo"]
    assert ppo["n_epochs"] == 10 and ppo["batch_size"] == 256 and "activation_fn" not in ppo["policy_kwargs"]


def test_command_line_overrides_the_file_which_overrides_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("method: scratch\nsteps: 5000\nseed: 3\nppo: {learning_rate: 0.0003}\n")
    config = resolve_config(read_config_file(path), {"steps": 7000, "seed": None})
    assert config["method"] == "scratch" and config["steps"] == 7000 and config["seed"] == 3
    assert config["ppo"]["learning_rate"] == 0.0003 and config["ppo"]["n_steps"] == default_ppo_config()["n_steps"]
    assert config["eval_episodes"] == 10  # a default


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({}, "no method given; valid methods: finetune, scratch, retrain"),
        ({"method": "ewc2"}, "unknown method 'ewc2'"),
        ({"method": "finetune", "seasons": []}, "seasons must be a non-empty list"),
        ({"method": "finetune", "seasons": ["spring", "monsoon"]}, "unknown season 'monsoon'"),
        ({"method": "finetune", "steps": -5}, "steps must be a positive integer"),
        ({"method": "finetune", "eval_every": 0}, "eval_every must be a positive integer"),
        ({"method": "finetune", "seed": -1}, "seed must be a non-negative integer"),
        ({"method": "finetune", "ppo": {"learnin_rate": 0.1}}, "unknown PPO key 'learnin_rate'"),
        ({"method": "finetune", "ppo": {"n_envs": 0}}, "ppo.n_envs must be a positive integer"),
    ],
)
def test_bad_values_are_named(overrides: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        resolve_config(None, overrides)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"method": "finetune", "stpes": 5}, "config key 'stpes' is unknown; valid keys: method, seasons, steps, seed, eval_"),
        ({"method": "finetune", "steps": 1e5}, "steps must be a positive integer, got 100000.0"),
        ({"method": "finetune", "seed": True}, "seed must be a non-negative integer, got True"),
        ({"method": "finetune", "seasons": "spring"}, "seasons must be a non-empty list of season names; default seasons"),
        ({"method": "finetune", "ppo": [64]}, "ppo must be a mapping of PPO hyperparameters"),
    ],
)
def test_the_typed_config_says_one_line(given: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as raised:
        resolve_config(given)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("path", sorted(ARCHIVE.glob("*/config.yaml")), ids=lambda path: path.parent.name)
def test_archived_run_configs_resolve_to_themselves(path: Path) -> None:
    """A run's identity is its resolved config: an archived config.yaml is what resolving it writes, byte for byte.

    Options added since are checked to be read as the values the run was trained with, then left out.
    Archived configs predate the ``env`` key: they were trained on GardenWatering-v0, which a config without
    the key means (``run_folder.read_config``); resolved with that env, they write the same bytes plus the key.
    Likewise ``season_agnostic``: a config without it was trained told the seasons.
    """
    archived = yaml.safe_load(path.read_text())
    given = {"env": LEGACY_ENV_ID, **{key: value for key, value in archived.items() if key != "season_fingerprints"}}
    resolved = resolve_config(given)
    for key in ("env", "season_agnostic"):  # keys added since: a config without them means v0, told the seasons
        if key not in archived:
            del resolved[key]
    # Options added after the run was archived are read as the value that trained it (the method's
    # legacy value, else its default), whatever today's default is.
    method = agent.learner_class(archived["method"])
    trained_as = {**method.default_options(), **method.legacy_options}
    for key in set(resolved["method_options"]) - set(archived["method_options"]):
        resolved["method_options"].pop(key)
        assert read_run_config(path.parent)["method_options"][key] == trained_as[key]
    # The fingerprints follow the season files (test_an_edited_season_file_is_another_config); the rest is fixed here.
    assert len(resolved["season_fingerprints"]) == len(archived["seasons"])
    assert config_yaml({**resolved, "season_fingerprints": archived["season_fingerprints"]}) == path.read_text()


def test_bad_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        read_config_file(tmp_path / "missing.yaml")
    (tmp_path / "list.yaml").write_text("- spring\n")
    with pytest.raises(ConfigError, match="must hold a mapping"):
        read_config_file(tmp_path / "list.yaml")
    (tmp_path / "broken.yaml").write_text("steps: [1\n")
    with pytest.raises(ConfigError, match=r"not valid YAML \(line"):
        read_config_file(tmp_path / "broken.yaml")
    assert read_config_file(_empty(tmp_path)) == {}
    (tmp_path / "typo.yaml").write_text("method: finetune\nstpes: 5\n")
    with pytest.raises(ConfigError, match=r"config key 'stpes' in .*typo.yaml is unknown; valid keys: method, seasons"):
        read_config_file(tmp_path / "typo.yaml")
    (tmp_path / "latin.yaml").write_bytes("method: finetune\nseasons: [été]\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"latin.yaml is not UTF-8 text \(byte 0xe9 on line 2\)"):
        read_config_file(tmp_path / "latin.yaml")
    with pytest.raises(ConfigError, match="cannot read config file"):
        read_config_file(tmp_path)


def _empty(tmp_path: Path) -> Path:
    path = tmp_path / "empty.yaml"
    path.write_text("")
    return path


@pytest.mark.parametrize("method", sorted(set(agent.METHODS) - {"scratch", "retrain", "progressive-random"}))
def test_method_config_files_document_every_default_option(method: str) -> None:
    path = CONFIG_DIR / f"{method.replace('-', '_')}.yaml"
    config = read_config_file(path)
    assert config["method"] == method
    assert config["method_options"] == agent.learner_class(method).default_options()
    # Every option line carries a comment saying what it does.
    option_lines = [line for line in path.read_text().splitlines() if line.startswith("  ")]
    assert len(option_lines) == len(config["method_options"]) and all("#" in line for line in option_lines)


def test_method_options_resolve_with_defaults_and_are_checked() -> None:
    config = resolve_config({"method": "replay", "method_options": {"beta_policy": "2e0", "total_states": 5e4}})
    assert config["method_options"] == {
        "states_per_season": 10_000,
        "total_states": 50_000,
        "beta_policy": 2.0,
        "beta_value": 0.5,
        "action_bound_coef": 1.0,
        "l2_init_coef": 0.0,
        "shrink_perturb": 0.0,
    }
    assert resolve_config({"method": "finetune"})["method_options"] == {
        "action_bound_coef": 1.0,
        "l2_init_coef": 0.0,
        "shrink_perturb": 0.0,
    }
    assert resolve_config({"method": "scratch"})["method_options"] == {}
    with pytest.raises(ConfigError, match="unknown option 'beta' for method replay; its options: states_per_season"):
        resolve_config({"method": "replay", "method_options": {"beta": 1}})
    with pytest.raises(ConfigError, match="unknown option 'beta_policy' for method finetune; its options: action_bound_coef"):
        resolve_config({"method": "finetune", "method_options": {"beta_policy": 1}})
    with pytest.raises(ConfigError, match="unknown option 'beta_policy' for method scratch; its options: none"):
        resolve_config({"method": "scratch", "method_options": {"beta_policy": 1}})
    with pytest.raises(ConfigError, match="states_per_season must be a positive integer"):
        resolve_config({"method": "replay", "method_options": {"states_per_season": 0}})
    with pytest.raises(ConfigError, match="ewc_lambda must be a non-negative number"):
        resolve_config({"method": "ewc", "method_options": {"ewc_lambda": -1}})


def test_methods_that_need_a_state_independent_log_std_refuse_sde() -> None:
    from experiments.pipeline.config import check_ppo_config

    config = resolve_config({"method": "replay", "ppo": {"use_sde": True}})
    with pytest.raises(ConfigError, match=r"ppo\.use_sde is not supported by method replay"):
        check_ppo_config(config)
    uneven = resolve_config({"method": "progressive", "ppo": {"policy_kwargs": {"net_arch": {"pi": [32], "vf": [16]}}}})
    with pytest.raises(ConfigError, match="same widths"):
        check_ppo_config(uneven)
