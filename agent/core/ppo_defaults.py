"""The project's default PPO set-up for the garden (read from ``agent/core/ppo.yaml``)."""

from __future__ import annotations

import copy
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

#: Where the documented defaults live (one YAML file shared by scripts and the CLI).
PPO_CONFIG = Path(str(resources.files("agent.core").joinpath("ppo.yaml")))


def default_ppo_config() -> dict[str, Any]:
    """The default hyperparameters: ``n_envs`` plus keyword arguments of ``stable_baselines3.PPO``."""
    with open(PPO_CONFIG) as handle:
        return copy.deepcopy(yaml.safe_load(handle))


def ppo_kwargs(config: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
    """Split a config into ``(n_envs, PPO keyword arguments)``."""
    config = copy.deepcopy(config if config is not None else default_ppo_config())
    n_envs = int(config.pop("n_envs"))
    policy_kwargs = config.get("policy_kwargs", {})
    if "net_arch" in policy_kwargs and isinstance(policy_kwargs["net_arch"], list):
        policy_kwargs["net_arch"] = {"pi": list(policy_kwargs["net_arch"]), "vf": list(policy_kwargs["net_arch"])}
    return n_envs, config
