"""The search space file of ``evergreen search``: what is searched, over which values, at what budget.

Example (``experiments/configs/search/ppo.yaml``)::

    name: ppo-v1                 # the search's folder under --storage, and its results in docs/results/search/
    env: GardenWatering-v1
    seasons: [spring, summer, autumn, winter]
    steps: 100000                # env steps per season of a trial that runs to the end
    report_every: 25000          # a round: every season trains this many steps, then all are evaluated
    eval_episodes: 20
    samples: 40                  # trials Optuna proposes
    grace_rounds: 1              # ASHA: rounds every trial gets before it may be stopped
    reduction_factor: 3          # ASHA: a third of the trials go on at each rung
    seed: 0
    confirm_seeds: [0, 1, 2]     # --confirm K: the K best settings again at the full budget on these seeds
    space:
      learning_rate: {loguniform: [1.0e-4, 3.0e-3]}
      n_epochs: {choice: [5, 10, 20]}
      net_width: {choice: [64, 128, 256]}

Keys of ``space`` are PPO settings of ``agent/core/ppo.yaml`` (``n_envs`` and SB3 PPO's
arguments), the policy's ``activation_fn`` (tanh, relu, elu, leaky_relu), ``log_std_init`` and
``ortho_init``, and ``net_width`` / ``net_depth`` (``net_arch`` = ``[width] * depth``). A value is
``{choice: [...]}``, ``{uniform: [low, high]}``, ``{loguniform: [low, high]}`` or
``{randint: [low, high]}`` (high excluded). Every value a distribution can draw is checked as a PPO
setting before the search starts.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from agent.core.ppo_defaults import ACTIVATIONS, default_ppo_config
from agent.core.season_envs import DEFAULT_ENV_ID, check_env_id
from envs.season_spec import resolve_season
from experiments.pipeline.config import ConfigError, resolve_ppo

#: Keys of ``space`` that go into ``policy_kwargs`` rather than PPO's own arguments.
POLICY_KEYS = ("activation_fn", "log_std_init", "ortho_init")
#: Keys of ``space`` that build ``policy_kwargs.net_arch``.
ARCH_KEYS = ("net_width", "net_depth")
DISTRIBUTIONS = ("choice", "uniform", "loguniform", "randint")


class SearchSpace(BaseModel):
    """A validated space file (see the module docstring)."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    env: str = DEFAULT_ENV_ID
    seasons: Annotated[list[str], Field(min_length=1)]
    steps: Annotated[int, Field(gt=0)] = 100_000
    report_every: Annotated[int, Field(gt=0)] = 25_000
    eval_episodes: Annotated[int, Field(gt=0)] = 20
    samples: Annotated[int, Field(gt=0)] = 40
    grace_rounds: Annotated[int, Field(gt=0)] = 1
    reduction_factor: Annotated[float, Field(gt=1)] = 3
    seed: Annotated[int, Field(ge=0)] = 0
    confirm_seeds: Annotated[list[Annotated[int, Field(ge=0)]], Field(min_length=1)] = Field(default_factory=lambda: [0, 1, 2])
    space: Annotated[dict[str, dict[str, list[Any]]], Field(min_length=1)]

    @field_validator("env")
    @classmethod
    def _env(cls, env: str) -> str:
        return check_env_id(env)

    @field_validator("seasons")
    @classmethod
    def _seasons(cls, seasons: list[str]) -> list[str]:
        for season in seasons:
            resolve_season(season)  # ValueError naming the valid seasons
        return seasons

    @model_validator(mode="after")
    def _budget(self) -> SearchSpace:
        if self.steps % self.report_every:
            raise ValueError(f"steps ({self.steps}) must be a multiple of report_every ({self.report_every})")
        if self.grace_rounds > self.rounds:
            raise ValueError(f"grace_rounds ({self.grace_rounds}) must be at most steps / report_every ({self.rounds})")
        return self

    @field_validator("space")
    @classmethod
    def _space(cls, space: dict[str, dict[str, list[Any]]]) -> dict[str, dict[str, list[Any]]]:
        for key, distribution in space.items():
            check_distribution(key, distribution)
        for key, values in _values_to_check(space).items():
            for value in values:
                check_params({key: value})
        return space

    @property
    def rounds(self) -> int:
        """Rounds of a trial that runs to the end (ASHA's ``max_t``)."""
        return self.steps // self.report_every

    def tune_space(self) -> dict[str, Any]:
        """The space as Ray Tune distributions (Optuna's searcher reads them)."""
        from ray import tune

        makers: dict[str, Any] = {
            "choice": tune.choice,
            "uniform": tune.uniform,
            "loguniform": tune.loguniform,
            "randint": tune.randint,
        }
        return {
            key: makers[kind](values) if kind == "choice" else makers[kind](*values)
            for key, distribution in self.space.items()
            for kind, values in distribution.items()
        }


def check_distribution(key: str, distribution: dict[str, list[Any]]) -> None:
    """A ``{kind: values}`` of :data:`DISTRIBUTIONS`; ValueError naming the key and what is valid."""
    if len(distribution) != 1 or next(iter(distribution)) not in DISTRIBUTIONS:
        raise ValueError(f"space.{key} must be one of {{{', '.join(f'{d}: [...]' for d in DISTRIBUTIONS)}}}")
    kind, values = next(iter(distribution.items()))
    if kind == "choice":
        if not values:
            raise ValueError(f"space.{key}: choice needs at least one value")
        return
    if len(values) != 2 or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        raise ValueError(f"space.{key}: {kind} takes [low, high] (two numbers), got {values}")
    low, high = values
    if not low < high or (kind == "loguniform" and low <= 0):
        positive = " > 0" if kind == "loguniform" else ""
        raise ValueError(f"space.{key}: {kind} needs low{positive} < high, got [{low}, {high}]")


def _values_to_check(space: dict[str, dict[str, list[Any]]]) -> dict[str, list[Any]]:
    """Every value of a choice, and the bounds of a range (the values a trial's settings are checked with)."""
    return {key: next(iter(distribution.values())) for key, distribution in space.items()}


def ppo_config_for(params: dict[str, Any]) -> dict[str, Any]:
    """The PPO config of a trial: ``agent/core/ppo.yaml`` with ``params`` (space keys) applied."""
    config = default_ppo_config()
    policy_kwargs = dict(config.get("policy_kwargs", {}))
    width = params.get("net_width")
    depth = params.get("net_depth")
    if width is not None or depth is not None:
        default_arch = list(policy_kwargs.get("net_arch", [64, 64]))
        policy_kwargs["net_arch"] = [int(width or default_arch[0])] * int(depth or len(default_arch))
    for key, value in params.items():
        if key in POLICY_KEYS:
            policy_kwargs[key] = value
        elif key not in ARCH_KEYS:
            config[key] = value
    config["policy_kwargs"] = policy_kwargs
    return config


def check_params(params: dict[str, Any]) -> None:
    """ValueError naming a space key whose value is not a valid PPO setting."""
    for key, value in params.items():
        if key in ARCH_KEYS:
            if not (
                isinstance(value, int | float) and not isinstance(value, bool) and value >= 1 and float(value).is_integer()
            ):
                raise ValueError(f"space.{key}: values must be whole numbers >= 1, got {value!r}")
        elif key == "activation_fn":
            if value not in ACTIVATIONS:
                raise ValueError(f"space.activation_fn: unknown {value!r}; valid: {', '.join(ACTIVATIONS)}")
        elif key in POLICY_KEYS:
            if key == "log_std_init" and not (isinstance(value, int | float) and math.isfinite(value)):
                raise ValueError(f"space.log_std_init: values must be numbers, got {value!r}")
        else:
            try:
                resolve_ppo({key: value})
            except ConfigError as error:
                raise ValueError(f"space.{key}: {error}") from None


def load_space(path: Path) -> SearchSpace:
    """Read and check a space file; :class:`ConfigError` (one line naming the file and the problem) if it is bad."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot read the space file {path}: {error.strerror or error}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path} is not valid YAML ({type(error).__name__})") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: a space file is a mapping (name:, seasons:, space:, ...)")
    try:
        return SearchSpace.model_validate(copy.deepcopy(raw))
    except ValidationError as error:
        detail = error.errors()[0]
        where = ".".join(str(part) for part in detail["loc"]) or "file"
        message = str(detail.get("ctx", {}).get("error") or detail["msg"])
        valid = ", ".join(SearchSpace.model_fields)
        if detail["type"] == "extra_forbidden":
            message = f"unknown key; valid keys: {valid}"
        raise ConfigError(f"{path}: {where}: {message}") from None
