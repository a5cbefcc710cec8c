"""The training config of a seasonal run: defaults, a YAML file, then command-line overrides.

A config file (see ``experiments/configs/quick.yaml``) holds any of these keys::

    method: finetune            # one of agent.METHODS
    seasons: [spring, summer]   # default names, file.yaml or file.yaml:name
    steps: 100000               # env steps per season (retrain spends k times this at season k)
    seed: 0
    eval_episodes: 10           # evaluation days per season for the return matrix and curves
    eval_every: 10000           # env steps between learning-curve evaluations
    ppo: {n_steps: 256, ...}    # overrides of experiments/configs/ppo.yaml (n_envs + PPO arguments)
    method_options: {...}       # the method's own hyperparameters, e.g. {beta_policy: 1.0} for replay

The resolved config lists every option of the method with its value (defaults from the
learner's signature, documented in ``experiments/configs/<method>.yaml``).

The resolved config (every key, the PPO hyperparameters included) is written to the run folder
and identifies the run: resuming with a different one is refused.
"""

from __future__ import annotations

import copy
import inspect
from pathlib import Path
from typing import Any

import yaml
from stable_baselines3 import PPO

from agent import METHODS, ContinualLearner, learner_class
from agent.core.ppo_defaults import default_ppo_config
from envs.season_spec import DEFAULT_SEASON_NAMES, resolve_season, split_season_file

#: Keys of a training config, with their defaults (``method`` has none: it must be given).
DEFAULTS: dict[str, Any] = {
    "method": None,
    "seasons": list(DEFAULT_SEASON_NAMES),
    "steps": 100_000,
    "seed": 0,
    "eval_episodes": 10,
    "eval_every": 10_000,
    "ppo": {},
    "method_options": {},
}
#: Keys allowed under ``ppo:``: ``n_envs`` plus the keyword arguments of ``stable_baselines3.PPO`` that
#: the learner does not set itself.
PPO_KEYS = {"n_envs"} | set(inspect.signature(PPO.__init__).parameters) - {
    "self",
    "policy",
    "env",
    "device",
    "seed",
    "verbose",
    "tensorboard_log",
    "_init_setup_model",
}
CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"


class ConfigError(ValueError):
    """A config value or key a user gave is invalid (the message names it and the valid choices)."""


def read_config_file(path: str | Path) -> dict[str, Any]:
    """Read a YAML training config (``safe_load``), checking its keys."""
    path = Path(path)
    try:
        with open(path) as handle:
            data = yaml.safe_load(handle)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except yaml.YAMLError as error:
        line = getattr(getattr(error, "problem_mark", None), "line", None)
        where = f" (line {line + 1})" if line is not None else ""
        raise ConfigError(f"config file {path} is not valid YAML{where}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a mapping of keys: {', '.join(DEFAULTS)}")
    unknown = sorted(set(data) - set(DEFAULTS))
    if unknown:
        raise ConfigError(f"unknown key {unknown[0]!r} in {path}; valid keys: {', '.join(DEFAULTS)}")
    return data


def resolve_config(file_config: dict[str, Any] | None = None, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Defaults, then the file's values, then command-line overrides (``None`` values ignored); validated."""
    config = copy.deepcopy(DEFAULTS)
    for source in (file_config or {}, {k: v for k, v in (overrides or {}).items() if v is not None}):
        for key, value in source.items():
            config[key] = copy.deepcopy(value)
    ppo_overrides = config["ppo"] or {}
    if not isinstance(ppo_overrides, dict):
        raise ConfigError("ppo must be a mapping of PPO hyperparameters")
    unknown = sorted(set(ppo_overrides) - PPO_KEYS)
    if unknown:
        raise ConfigError(
            f"unknown PPO key {unknown[0]!r} under ppo:; valid keys: n_envs and stable_baselines3.PPO's arguments"
        )
    ppo = default_ppo_config()
    # YAML 1.1 reads 3e-4 as a string; a number written that way is meant as a number.
    ppo.update({key: _number_or_value(value) for key, value in ppo_overrides.items()})
    config["ppo"] = ppo
    validate_config(config)
    config["method_options"] = resolve_method_options(config["method"], config["method_options"])
    config["seasons"] = [_absolute_season(season) for season in config["seasons"]]
    # A season file's content is part of the run's identity: editing it changes the config.
    config["season_fingerprints"] = [resolve_season(season).fingerprint() for season in config["seasons"]]
    return config


def resolve_method_options(method: str, given: Any) -> dict[str, Any]:
    """The method's options: its defaults updated with ``given``, checked by building the learner."""
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise ConfigError("method_options must be a mapping of the method's options")
    learner_cls = learner_class(method)
    options = learner_cls.default_options()
    unknown = sorted(set(given) - set(options))
    if unknown:
        valid = ", ".join(options) if options else "none"
        raise ConfigError(f"unknown option {unknown[0]!r} for method {method}; its options: {valid}")
    options.update({key: _number_or_value(value) for key, value in given.items()})
    options = {key: _integral(options[key], default) for key, default in learner_cls.default_options().items()}
    try:
        learner_cls(**options)
    except ValueError as error:
        raise ConfigError(str(error)) from None
    return options


def check_ppo_config(config: dict[str, Any]) -> None:
    """Build the PPO model once so that a bad hyperparameter is a :class:`ConfigError`, not a crash mid-run."""
    learner: ContinualLearner = learner_class(config["method"])(ppo_config=config["ppo"], **config["method_options"])
    if config["ppo"].get("use_sde") and not learner.supports_sde:
        raise ConfigError(f"ppo.use_sde is not supported by method {config['method']} (it needs a state-independent log-std)")
    try:
        learner.start_season(config["seasons"][0])  # the method's own first network, as the run will build it
        learner.close()
    except (TypeError, ValueError, AssertionError, KeyError) as error:
        raise ConfigError(f"invalid PPO settings under ppo: ({type(error).__name__}: {error})".splitlines()[0]) from None


def _number_or_value(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _integral(value: Any, default: Any) -> Any:
    """``10000.0`` (YAML ``1e4``) given for an integer option is the integer it names."""
    integer_default = default is None or (isinstance(default, int) and not isinstance(default, bool))
    if integer_default and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _absolute_season(season: str) -> str:
    """A season file path made absolute (``file.yaml`` or ``file.yaml:name``), a default name as is."""
    reference = split_season_file(season)
    if reference is None:
        return season
    path, name = reference
    return str(Path(path).resolve()) + (f":{name}" if name else "")


def validate_config(config: dict[str, Any]) -> None:
    """Raise :class:`ConfigError` naming the first invalid value."""
    if config["method"] is None:
        raise ConfigError(f"no method given; valid methods: {', '.join(METHODS)} (--method or method: in --config)")
    if config["method"] not in METHODS:
        raise ConfigError(f"unknown method {config['method']!r}; valid methods: {', '.join(METHODS)}")
    seasons = config["seasons"]
    if not isinstance(seasons, list) or not seasons or not all(isinstance(s, str) for s in seasons):
        raise ConfigError(
            f"seasons must be a non-empty list of season names; default seasons: {', '.join(DEFAULT_SEASON_NAMES)}"
        )
    for season in seasons:
        try:
            resolve_season(season)
        except ValueError as error:
            raise ConfigError(str(error)) from None
    for key in ("steps", "eval_episodes", "eval_every"):
        value = config[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{key} must be a positive integer, got {value!r}")
    if isinstance(config["seed"], bool) or not isinstance(config["seed"], int) or config["seed"] < 0:
        raise ConfigError(f"seed must be a non-negative integer, got {config['seed']!r}")
    n_envs = config["ppo"].get("n_envs")
    if isinstance(n_envs, bool) or not isinstance(n_envs, int) or n_envs < 1:
        raise ConfigError(f"ppo.n_envs must be a positive integer, got {n_envs!r}")


def config_yaml(config: dict[str, Any]) -> str:
    """The resolved config as YAML (key order kept)."""
    return yaml.safe_dump(config, sort_keys=False)
