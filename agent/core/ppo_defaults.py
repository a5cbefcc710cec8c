"""The project's default PPO set-up for the garden (read from ``agent/core/ppo.yaml``)."""

from __future__ import annotations

import copy
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from torch import nn

#: ``policy_kwargs.activation_fn`` by name (YAML holds names; SB3 takes the ``torch.nn`` class).
ACTIVATIONS: dict[str, type[nn.Module]] = {"tanh": nn.Tanh, "relu": nn.ReLU, "elu": nn.ELU, "leaky_relu": nn.LeakyReLU}

#: Where the documented defaults live (one YAML file shared by scripts and the CLI).
PPO_CONFIG = Path(str(resources.files("agent.core").joinpath("ppo.yaml")))


def default_ppo_config() -> dict[str, Any]:
    """The default hyperparameters: ``n_envs`` plus keyword arguments of ``stable_baselines3.PPO``."""
    with open(PPO_CONFIG) as handle:
        return copy.deepcopy(yaml.safe_load(handle))


def ppo_kwargs(config: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
    """Split a config into ``(n_envs, PPO keyword arguments)``.

    A list ``net_arch`` is given to both the policy and the value network; an ``activation_fn``
    name (:data:`ACTIVATIONS`) becomes its ``torch.nn`` class.
    """
    config = copy.deepcopy(config if config is not None else default_ppo_config())
    n_envs = int(config.pop("n_envs"))
    policy_kwargs = config.get("policy_kwargs", {})
    if "net_arch" in policy_kwargs and isinstance(policy_kwargs["net_arch"], list):
        policy_kwargs["net_arch"] = {"pi": list(policy_kwargs["net_arch"]), "vf": list(policy_kwargs["net_arch"])}
    if isinstance(policy_kwargs.get("activation_fn"), str):
        policy_kwargs["activation_fn"] = activation(policy_kwargs["activation_fn"])
    return n_envs, config


def activation(name: str) -> type[nn.Module]:
    """The ``torch.nn`` activation class named ``name``; ValueError naming the valid names."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation_fn {name!r}; valid: {', '.join(ACTIVATIONS)}") from None
