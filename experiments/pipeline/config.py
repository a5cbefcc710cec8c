"""The training config of a seasonal run: one typed model (:class:`RunConfig`), filled from a YAML file and the command line.

A config file (see ``experiments/configs/quick.yaml``) holds any of these keys::

    method: finetune            # one of agent.METHODS
    seasons: [spring, summer]   # default names, file.yaml or file.yaml:name
    steps: 100000               # env steps per season (retrain spends k times this at season k)
    seed: 0
    eval_episodes: 10           # evaluation days per season for the return matrix and curves
    eval_every: 10000           # env steps between learning-curve evaluations
    ppo: {n_steps: 256, ...}    # overrides of agent/core/ppo.yaml (n_envs + PPO arguments)
    method_options: {...}       # the method's own hyperparameters, e.g. {beta_policy: 1.0} for replay
    env: GardenWatering-v1      # the garden env version (a registered id that takes season=)
    season_agnostic: false      # true: the learner is not told when a season changes (it notices)

The resolved config lists every PPO hyperparameter and every option of the method with its value
(defaults from ``agent/core/ppo.yaml`` and from the learner's signature, documented in
``experiments/configs/<method>.yaml``), the seasons (files as absolute paths) and the seasons'
fingerprints. It is written to the run folder and identifies the run: resuming with a different
one is refused. A run folder whose ``config.yaml`` has no ``env`` (made before the key existed) was
trained on ``GardenWatering-v0`` and reads as such. How often a run saves mid-season checkpoints is
not part of its config (``evergreen train --checkpoint-every``): it changes no number. A value the
user gave that is invalid is a :class:`ConfigError` whose message names the key and the valid
choices, in one line.
"""

from __future__ import annotations

import functools
import inspect
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    computed_field,
    create_model,
    model_validator,
)
from pydantic_core import PydanticCustomError
from stable_baselines3 import PPO

from agent import METHODS, ContinualLearner, learner_class
from agent.core.ppo_defaults import default_ppo_config
from agent.core.season_envs import DEFAULT_ENV_ID, check_env_id
from envs.season_spec import DEFAULT_SEASON_NAMES, resolve_season, split_season_file
from envs.yaml_files import not_utf8, read_yaml
from experiments.pipeline import run_folder

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
    """A config value, key or path a user gave is invalid (the message names it and the valid choices)."""


def _said(message: str) -> PydanticCustomError:
    """A validation error whose message is ``message`` as is (type ``config``)."""
    return PydanticCustomError("config", "{message}", {"message": message})


def _yaml_number(value: Any) -> Any:
    """YAML 1.1 reads ``3e-4`` as a string; a number written that way is meant as a number."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _option_value(value: Any, default: Any) -> Any:
    """A method option's value: a YAML number string as a number; ``1e4`` given for an integer option as ``10000``."""
    value = _yaml_number(value)
    integer_default = default is None or (isinstance(default, int) and not isinstance(default, bool))
    if integer_default and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _season(season: str) -> str:
    """A season that resolves (a default name, ``file.yaml`` or ``file.yaml:name``), files made absolute."""
    try:
        resolve_season(season)
    except ValueError as error:  # resolve_season's errors name the season and the valid ones
        raise _said(str(error).splitlines()[0]) from None
    reference = split_season_file(season)
    if reference is None:
        return season
    path, name = reference
    return str(Path(path).resolve()) + (f":{name}" if name else "")


def _env(env: str) -> str:
    """A registered garden env id that takes ``season=`` (the message names the valid ones)."""
    try:
        return check_env_id(env)
    except ValueError as error:
        raise _said(str(error)) from None


def _mapping(value: Any) -> Any:
    """``None`` (an empty YAML key) as an empty mapping."""
    return {} if value is None else value


PositiveInt = Annotated[int, Field(strict=True, gt=0)]
Mapping = Annotated[dict[str, Any], BeforeValidator(_mapping)]

#: The one-line message of an invalid value, by key (``{value!r}``: the value given).
MESSAGES = {
    "method": f"unknown method {{value!r}}; valid methods: {', '.join(METHODS)}",
    "seasons": f"seasons must be a non-empty list of season names; default seasons: {', '.join(DEFAULT_SEASON_NAMES)}",
    "steps": "steps must be a positive integer, got {value!r}",
    "seed": "seed must be a non-negative integer, got {value!r}",
    "eval_episodes": "eval_episodes must be a positive integer, got {value!r}",
    "eval_every": "eval_every must be a positive integer, got {value!r}",
    "ppo": "ppo must be a mapping of PPO hyperparameters",
    "method_options": "method_options must be a mapping of the method's options",
    "env": "env must be the id of a registered garden env, got {value!r}",
    "season_agnostic": "season_agnostic must be true or false, got {value!r}",
    "n_envs": "ppo.n_envs must be a positive integer, got {value!r}",
}


def _one_line(error: ValidationError, unknown_key: str) -> str:
    """The first problem of a validation as one line; an unknown key first (``unknown_key`` formats it with ``key``)."""
    details = error.errors()
    unknown = sorted(str(detail["loc"][-1]) for detail in details if detail["type"] == "extra_forbidden")
    if unknown:
        return unknown_key.format(key=unknown[0])
    detail = details[0]
    if detail["type"] == "config":
        return detail["msg"]
    if detail["type"] == "missing":
        return f"no method given; valid methods: {', '.join(METHODS)} (--method or method: in --config)"
    return MESSAGES[str(detail["loc"][0])].format(value=detail["input"])


@functools.cache
def _ppo_model() -> type[BaseModel]:
    """The keys allowed under ``ppo:`` (``n_envs`` and SB3 PPO's arguments), every one optional."""
    number = Annotated[Any, BeforeValidator(_yaml_number)]
    fields: dict[str, Any] = {key: (number, None) for key in sorted(PPO_KEYS - {"n_envs"})}
    return create_model("PPOSettings", __config__=ConfigDict(extra="forbid"), n_envs=(PositiveInt | None, None), **fields)


def resolve_ppo(given: dict[str, Any]) -> dict[str, Any]:
    """The PPO settings: ``agent/core/ppo.yaml`` updated with ``given`` (checked against SB3 PPO's arguments)."""
    try:
        checked = _ppo_model().model_validate(given).model_dump()
    except ValidationError as error:
        valid = "n_envs and stable_baselines3.PPO's arguments"
        raise ConfigError(_one_line(error, f"unknown PPO key {{key!r}} under ppo:; valid keys: {valid}")) from None
    ppo = default_ppo_config()
    ppo.update({key: checked[key] for key in given})
    return ppo


def _ppo_field(given: dict[str, Any]) -> dict[str, Any]:
    """:func:`resolve_ppo` as a field validator (its message kept as is)."""
    try:
        return resolve_ppo(given)
    except ConfigError as error:
        raise _said(str(error)) from None


def _known_method(method: str) -> str:
    """``method`` if it is one of ``agent.METHODS`` (ValueError otherwise: ``MESSAGES["method"]`` names them)."""
    if method not in METHODS:
        raise ValueError(method)
    return method


@functools.cache
def _options_model(method: str) -> type[BaseModel]:
    """The options of ``method`` (its learner's keyword arguments) with their defaults."""
    fields: dict[str, Any] = {
        name: (Annotated[Any, BeforeValidator(functools.partial(_option_value, default=default))], default)
        for name, default in learner_class(method).default_options().items()
    }
    return create_model(f"{method} options", __config__=ConfigDict(extra="forbid"), **fields)


def resolve_method_options(method: str, given: dict[str, Any]) -> dict[str, Any]:
    """The method's options: its defaults updated with ``given``, the values checked by building the learner."""
    learner_cls = learner_class(method)
    valid = ", ".join(learner_cls.default_options()) or "none"
    try:
        options = _options_model(method).model_validate(given).model_dump()
        learner_cls(**options)
    except ValidationError as error:
        raise ConfigError(_one_line(error, f"unknown option {{key!r}} for method {method}; its options: {valid}")) from None
    except ValueError as error:  # the learner's own checks name the option
        raise ConfigError(str(error)) from None
    return options


class RunConfig(BaseModel):
    """A run's training config; :meth:`model_dump` is the resolved config written to ``config.yaml``."""

    model_config = ConfigDict(extra="forbid")

    method: Annotated[str, AfterValidator(_known_method)]
    seasons: Annotated[list[Annotated[str, Field(strict=True), AfterValidator(_season)]], Field(min_length=1)] = Field(
        default_factory=lambda: list(DEFAULT_SEASON_NAMES)
    )
    steps: PositiveInt = 100_000
    seed: Annotated[int, Field(strict=True, ge=0)] = 0
    eval_episodes: PositiveInt = 10
    eval_every: PositiveInt = 10_000
    ppo: Annotated[Mapping, AfterValidator(_ppo_field)] = Field(default_factory=dict, validate_default=True)
    method_options: Mapping = Field(default_factory=dict)
    env: Annotated[str, Field(strict=True), AfterValidator(_env)] = DEFAULT_ENV_ID
    season_agnostic: Annotated[bool, Field(strict=True)] = False

    @model_validator(mode="after")
    def _agnostic(self) -> RunConfig:
        """A season-agnostic run notices each new season once: the sequence holds distinct seasons, each trained once."""
        if not self.season_agnostic:
            return self
        if self.method == "retrain":
            raise _said("season_agnostic training needs a method that trains each season once, not retrain")
        if len(set(self.seasons)) < len(self.seasons):
            raise _said(
                "season_agnostic training needs distinct seasons (a season that comes back is not new), "
                f"got {', '.join(self.seasons)}"
            )
        return self

    @model_validator(mode="after")
    def _method_options(self) -> RunConfig:
        """Every option of the method, checked (only once the method itself is valid)."""
        try:
            self.method_options = resolve_method_options(self.method, self.method_options)
        except ConfigError as error:
            raise _said(str(error)) from None
        return self

    @computed_field  # type: ignore[prop-decorator]
    @property
    def season_fingerprints(self) -> list[str]:
        """A fingerprint of each season's content: editing a season file changes the run's identity."""
        return [resolve_season(season).fingerprint() for season in self.seasons]


#: The keys of a config, in the order of the resolved config.
KEYS = tuple(RunConfig.model_fields)


def resolve_config(file_config: dict[str, Any] | None = None, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The resolved config: defaults, then the file's values, then command-line overrides (``None`` values ignored).

    Raises :class:`ConfigError` naming the first unknown key or invalid value.
    """
    given = {**(file_config or {}), **{key: value for key, value in (overrides or {}).items() if value is not None}}
    try:
        config = RunConfig.model_validate(given)
    except ValidationError as error:
        raise ConfigError(_one_line(error, f"config key {{key!r}} is unknown; valid keys: {', '.join(KEYS)}")) from None
    return config.model_dump()


@functools.cache
def _file_model() -> type[BaseModel]:
    """The keys a config file may hold (values are checked once merged with the command line)."""
    fields: dict[str, Any] = {key: (Any, None) for key in KEYS}
    return create_model("ConfigFile", __config__=ConfigDict(extra="forbid"), **fields)


def read_config_file(path: str | Path) -> dict[str, Any]:
    """Read a YAML training config (``safe_load``), checking its keys; :class:`ConfigError` naming the file."""
    path = Path(path)
    try:
        data = read_yaml(path, "config file")
    except ValueError as error:
        raise ConfigError(str(error)) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a mapping of keys: {', '.join(KEYS)}")
    try:
        _file_model().model_validate(data)
    except ValidationError as error:
        raise ConfigError(
            _one_line(error, f"config key {{key!r}} in {path} is unknown; valid keys: {', '.join(KEYS)}")
        ) from None
    return data


def read_run_config(run_dir: Path) -> dict[str, Any]:
    """The resolved config of a run folder; :class:`ConfigError` naming the file if it is missing or damaged.

    A method option added after the run was made is filled in with the value that reproduces how
    the run was trained (the method's ``legacy_options``, else the option's default), so the config
    compares equal to the same run resolved today exactly when today's defaults train it the same way.
    """
    path = Path(run_dir) / run_folder.CONFIG
    try:
        config = run_folder.read_config(Path(run_dir))
    except UnicodeDecodeError as error:
        raise ConfigError(f"corrupted run config {path}: {not_utf8(error)}") from None
    except ValueError as error:  # read_config's errors name the folder or the file
        raise ConfigError(str(error)) from None
    except OSError as error:
        raise ConfigError(f"cannot read run config {path}: {error.strerror or error}") from None
    config.setdefault("season_agnostic", False)  # made before the key existed: told the seasons
    options = config.get("method_options")
    if config.get("method") in METHODS and isinstance(options, dict):
        method = learner_class(config["method"])
        config["method_options"] = {**method.default_options(), **method.legacy_options, **options}
    return config


def check_ppo_config(config: dict[str, Any]) -> None:
    """Build the PPO model once so that a bad hyperparameter is a :class:`ConfigError`, not a crash mid-run."""
    learner: ContinualLearner = learner_class(config["method"])(
        ppo_config=config["ppo"], env_id=config["env"], **config["method_options"]
    )
    if config["ppo"].get("use_sde") and not learner.supports_sde:
        raise ConfigError(f"ppo.use_sde is not supported by method {config['method']} (it needs a state-independent log-std)")
    try:
        learner.start_season(config["seasons"][0])  # the method's own first network, as the run will build it
        learner.close()
    except (TypeError, ValueError, AssertionError, KeyError) as error:
        raise ConfigError(f"invalid PPO settings under ppo: ({type(error).__name__}: {error})".splitlines()[0]) from None


def config_yaml(config: dict[str, Any]) -> str:
    """The resolved config as YAML (key order kept)."""
    return yaml.safe_dump(config, sort_keys=False)
