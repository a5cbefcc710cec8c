"""The progressive-network actor-critic policy for SB3's PPO (Rusu et al. 2016).

``ProgressiveActorCriticPolicy`` is a custom :class:`~stable_baselines3.common.policies.ActorCriticPolicy`:
its ``mlp_extractor`` holds the columns (:mod:`agent.components.progressive.column`), computes each
column's action mean, log-std and value, and picks per sample the column (and head) of that
sample's season, read from the season one-hot at the end of the observation (the columns
themselves do not see the one-hot). Only the newest column trains: earlier columns are frozen
(``requires_grad=False``, eval mode, computed without gradient tracking) and the optimizer holds
the newest column's parameters only. Everything that defines the architecture is in
``policy_kwargs``, so ``stable_baselines3.PPO.load`` rebuilds the right number of columns.

The observation scale is fixed by the environment (no running normalizer), so what a frozen
column sees never changes.

Policy keyword arguments beyond SB3's:

- ``n_columns``: number of columns; the last one trains;
- ``column_heads``: output heads per column (1 for a progressive column; ``max_seasons`` for a
  knowledge base with a head per season slot, the head chosen by the one-hot);
- ``season_columns``: for each one-hot slot, the column that acts for it (-1: none);
- ``season_names``: the season name of each slot (for error messages);
- ``max_seasons``: length of the season one-hot (the env's ``max_seasons``);
- ``adapter_width``: width of the lateral adapters (default a quarter of the hidden width).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, cast

import torch as th
from gymnasium import spaces
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.distributions import DiagGaussianDistribution, Distribution
from stable_baselines3.common.policies import ActorCriticPolicy
from torch import nn

from agent.components.progressive.column import ProgressiveColumn
from envs.season_spec import MAX_SEASONS, resolve_season, season_label


class UnknownSeasonError(ValueError):
    """The policy has no column (or head) for a season it was asked to act in."""


class ProgressiveExtractor(nn.Module):
    """All columns; ``forward(features) -> (latent_pi, latent_vf)`` as SB3's ``mlp_extractor``.

    ``latent_pi`` is ``[action mean, log-std]`` of each sample's column, ``latent_vf`` its value.
    """

    _slot_column: th.Tensor  # a buffer: each one-hot slot's acting column (-1: none)

    def __init__(
        self,
        obs_dim: int,
        hidden: list[int],
        action_dim: int,
        column_heads: list[int],
        season_columns: list[int],
        season_names: list[str | None],
        max_seasons: int,
        adapter_width: int,
        log_std_init: float,
        activation_fn: type[nn.Module] = nn.Tanh,
    ) -> None:
        super().__init__()
        self.obs_dim, self.max_seasons, self.action_dim = obs_dim, max_seasons, action_dim
        self.column_heads = list(column_heads)
        self.columns = nn.ModuleList(
            ProgressiveColumn(obs_dim, hidden, action_dim, heads, k, adapter_width, log_std_init, activation_fn)
            for k, heads in enumerate(column_heads)
        )
        self.latent_dim_pi, self.latent_dim_vf = 2 * action_dim, 1
        self.set_seasons(season_columns, season_names)
        # A cached row holds, per frozen column and layer, the actor's then the critic's activations.
        self._layer_widths = list(hidden)
        self.cache_width = 2 * sum(hidden) * self.trainable_column

    @property
    def trainable_column(self) -> int:
        """Index of the column that trains (the newest)."""
        return len(self.columns) - 1

    def column(self, k: int) -> ProgressiveColumn:
        """Column ``k`` (``self.columns[k]``, typed: an ``nn.ModuleList`` yields plain modules)."""
        return cast(ProgressiveColumn, self.columns[k])

    def set_seasons(self, season_columns: list[int], season_names: list[str | None]) -> None:
        """Which column acts for each one-hot slot (-1: none), and the slots' season names."""
        if len(season_columns) != self.max_seasons or len(season_names) != self.max_seasons:
            raise ValueError(f"season_columns and season_names need one entry per season slot ({self.max_seasons})")
        if any(not -1 <= c < len(self.columns) for c in season_columns):
            raise ValueError(f"season_columns {season_columns} name a column the policy does not have")
        self.season_columns, self.season_names = list(season_columns), list(season_names)
        self.register_buffer("_slot_column", th.tensor(season_columns, dtype=th.long), persistent=False)

    def frozen_activations(self, features: th.Tensor) -> th.Tensor:
        """The frozen columns' hidden activations for a batch, as cached rows ``(batch, cache_width)``."""
        x = features[:, : self.obs_dim]
        rows: list[th.Tensor] = []
        with th.no_grad():
            previous: list[list[th.Tensor]] = []
            for k in range(self.trainable_column):
                activations, _, _ = self.columns[k](x, previous, with_output=False)
                previous.append(activations)
                rows += [h.transpose(0, 1).reshape(len(x), -1) for h in activations]  # (2, B, w) -> (B, 2w)
        return th.cat(rows, dim=1)

    def _cached_columns(self, cache: th.Tensor) -> list[list[th.Tensor]]:
        """Inverse of :meth:`frozen_activations`: activations ``(2, batch, width)`` per frozen column and layer."""
        columns, start = [], 0
        for _ in range(self.trainable_column):
            layers = []
            for width in self._layer_widths:
                layers.append(cache[:, start : start + 2 * width].view(len(cache), 2, width).transpose(0, 1))
                start += 2 * width
            columns.append(layers)
        return columns

    def _split_cache(self, features: th.Tensor) -> tuple[th.Tensor, th.Tensor | None]:
        """Features without, and the cached frozen activations a training minibatch may carry."""
        width = self.obs_dim + self.max_seasons
        if self.cache_width and features.shape[1] == width + self.cache_width:
            return features[:, :width], features[:, width:]
        return features, None

    def _select(self, features: th.Tensor) -> tuple[th.Tensor, th.Tensor, th.Tensor]:
        """Observation without the one-hot, each sample's season slot and its column."""
        x, one_hot = features[:, : self.obs_dim], features[:, self.obs_dim : self.obs_dim + self.max_seasons]
        slot = one_hot.argmax(dim=1)
        column = self._slot_column[slot]
        # One check for both faults: a slot without a column (-1), or no one-hot at all.
        if bool(((column < 0) | (one_hot.sum(dim=1) != 1)).any()):
            bad = int(slot[column < 0][0]) if (column < 0).any() else None
            known = ", ".join(name for name, c in zip(self.season_names, self.season_columns, strict=True) if c >= 0 and name)
            asked = "an observation without a season one-hot" if bad is None else f"season slot {bad}"
            raise UnknownSeasonError(f"the policy has no column for {asked}; it knows the seasons: {known or 'none'}")
        return x, slot, column

    @contextlib.contextmanager
    def _tracking(self, k: int) -> Iterator[None]:
        # Frozen columns need no graph: computing them without it is what keeps growth cheap.
        with contextlib.nullcontext() if k == self.trainable_column else th.no_grad():
            yield

    def _outputs(self, features: th.Tensor) -> tuple[th.Tensor, th.Tensor]:
        """``[action mean, log-std]`` ``(batch, 2 * action_dim)`` and value ``(batch, 1)`` of each sample's column.

        Columns up to the highest one acting run; a column no sample acts with only provides its
        hidden activations. A training minibatch that carries cached frozen activations (every
        sample acting with the trainable column) reads them instead of running frozen columns.
        """
        features, cache = self._split_cache(features)
        x, slot, column = self._select(features)
        acting = set(column.unique().tolist())
        previous: list[list[th.Tensor]] = []
        means: list[th.Tensor | None] = []
        values: list[th.Tensor | None] = []
        if cache is not None and acting == {self.trainable_column}:
            previous = self._cached_columns(cache)
            means, values = [None] * len(previous), [None] * len(previous)
        for k in range(len(previous), max(acting) + 1):
            with self._tracking(k):
                activations, mean, value = self.columns[k](x, previous, with_output=k in acting)
            previous.append(activations)
            means.append(mean)
            values.append(value)
        log_stds = [
            self.column(k).log_std.unsqueeze(0).expand(len(x), -1, -1) if k in acting else None
            for k in range(len(self.columns))
        ]
        latent_pi = th.cat([self._pick(means, slot, column), self._pick(log_stds, slot, column)], dim=1)
        value_heads = [None if v is None else v.unsqueeze(-1) for v in values]  # (batch, heads, 1)
        return latent_pi, self._pick(value_heads, slot, column)

    def _pick(self, outputs: list[th.Tensor | None], slot: th.Tensor, column: th.Tensor) -> th.Tensor:
        """Per sample, the output of its column at its head (the slot's head when a column has several)."""
        first = int(column[0])
        if bool((column == first).all()):  # the usual case: one season per batch, no scatter needed
            out = outputs[first]
            assert out is not None  # every column that acts has outputs
            return out[:, 0] if self.column_heads[first] == 1 else out[th.arange(len(slot)), slot]
        reference = next(out for out in outputs if out is not None)
        picked = th.zeros(len(slot), reference.shape[-1], dtype=reference.dtype, device=slot.device)
        for k, out in enumerate(outputs):
            mask = column == k
            if out is not None and mask.any():
                head = slot[mask] if self.column_heads[k] > 1 else th.zeros_like(slot[mask])
                picked = picked.index_put((mask.nonzero(as_tuple=True)[0],), out[mask, head])
        return picked

    def forward_actor(self, features: th.Tensor) -> th.Tensor:
        """``[action mean, log-std]`` of each sample's column, ``(batch, 2 * action_dim)``."""
        return self._outputs(features)[0]

    def forward_critic(self, features: th.Tensor) -> th.Tensor:
        """The value of each sample's column, ``(batch, 1)``."""
        return self._outputs(features)[1]

    def forward(self, features: th.Tensor) -> tuple[th.Tensor, th.Tensor]:
        return self._outputs(features)


class ProgressiveActorCriticPolicy(ActorCriticPolicy):
    """A PPO policy made of progressive columns; see the module docstring for its extra arguments."""

    # SB3 annotates these as its own MlpExtractor and Linear; any module with the same interface works.
    mlp_extractor: ProgressiveExtractor  # type: ignore[assignment]
    value_net: nn.Module  # type: ignore[assignment]

    def __init__(
        self,
        observation_space: spaces.Space,
        action_space: spaces.Space,
        lr_schedule: Callable[[float], float],
        net_arch: list[int] | dict[str, list[int]] | None = None,
        activation_fn: type[nn.Module] = nn.Tanh,
        *args: Any,
        n_columns: int = 1,
        column_heads: list[int] | None = None,
        season_columns: list[int] | None = None,
        season_names: list[str | None] | None = None,
        max_seasons: int = MAX_SEASONS,
        adapter_width: int | None = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(action_space, spaces.Box):
            raise ValueError("the progressive policy needs a Box action space (a diagonal Gaussian)")
        # Set before super().__init__, which calls _build().
        self.n_columns = n_columns
        self.column_heads = list(column_heads) if column_heads is not None else [1] * n_columns
        self.season_columns = list(season_columns) if season_columns is not None else [n_columns - 1] * max_seasons
        self.season_names: list[str | None] = list(season_names) if season_names is not None else [None] * max_seasons
        self.max_seasons = max_seasons
        self.action_dim = int(action_space.shape[0])
        self.adapter_width = adapter_width
        if len(self.column_heads) != n_columns:
            raise ValueError(f"column_heads needs one entry per column ({n_columns}), got {self.column_heads}")
        super().__init__(observation_space, action_space, lr_schedule, net_arch, activation_fn, *args, **kwargs)

    def _hidden(self) -> list[int]:
        arch = self.net_arch if self.net_arch is not None else [64, 64]
        pi, vf = (list(arch.get("pi", [64, 64])), list(arch.get("vf", [64, 64]))) if isinstance(arch, dict) else (arch, arch)
        if list(pi) != list(vf):
            raise ValueError(
                f"the progressive policy runs actor and critic side by side: give them the same widths, got {arch}"
            )
        return list(pi)

    def _build_mlp_extractor(self) -> None:
        hidden = self._hidden()
        adapter_width = self.adapter_width or max(1, hidden[-1] // 4)
        self.mlp_extractor = ProgressiveExtractor(
            obs_dim=self.features_dim - self.max_seasons,
            hidden=hidden,
            action_dim=self.action_dim,
            column_heads=self.column_heads,
            season_columns=self.season_columns,
            season_names=self.season_names,
            max_seasons=self.max_seasons,
            adapter_width=adapter_width,
            log_std_init=self.log_std_init,
            activation_fn=self.activation_fn,
        )

    def _build(self, lr_schedule: Callable[[float], float]) -> None:
        """Columns with their own heads (initialized in the columns, SB3's gains); optimizer over the newest."""
        self._build_mlp_extractor()
        # Means, log-stds and values come out of the columns: nothing to add on top.
        self.action_net = nn.Identity()
        self.value_net = nn.Identity()
        for column in self._frozen_columns():
            column.requires_grad_(False)
            column.eval()
        kwargs = dict(self.optimizer_kwargs)
        if issubclass(self.optimizer_class, th.optim.Adam):
            # A column has many small tensors: one fused update instead of a Python loop over them.
            kwargs.setdefault("foreach", True)
        # torch types the Optimizer base without ``lr`` (SB3 ignores the same call-arg error).
        self.optimizer = self.optimizer_class(self.trainable_parameters(), lr=lr_schedule(1), **kwargs)  # type: ignore[call-arg]

    def trainable_parameters(self) -> list[nn.Parameter]:
        """The newest column's parameters (its layers, adapters, alphas, heads and log-std)."""
        return list(self.mlp_extractor.column(self.mlp_extractor.trainable_column).parameters())

    def set_training_mode(self, mode: bool) -> None:
        """Training mode for the newest column only: frozen columns stay in eval mode."""
        if mode == self.training:
            return  # SB3 calls this on every predict: walking every module each time would dominate acting
        super().set_training_mode(mode)
        for column in self._frozen_columns():
            column.eval()

    def _frozen_columns(self) -> list[nn.Module]:
        return list(self.mlp_extractor.columns)[: self.mlp_extractor.trainable_column]

    def _get_action_dist_from_latent(self, latent_pi: th.Tensor) -> Distribution:
        mean, log_std = latent_pi.chunk(2, dim=-1)
        assert isinstance(self.action_dist, DiagGaussianDistribution)
        return self.action_dist.proba_distribution(mean, log_std)

    def set_seasons(self, season_columns: list[int], season_names: list[str | None]) -> None:
        """Change which column acts for which season slot (kept in the constructor arguments, so saved)."""
        self.mlp_extractor.set_seasons(season_columns, season_names)
        self.season_columns, self.season_names = list(season_columns), list(season_names)

    def _get_constructor_parameters(self) -> dict[str, Any]:
        data = super()._get_constructor_parameters()
        data.update(
            n_columns=self.n_columns,
            column_heads=self.column_heads,
            season_columns=self.season_columns,
            season_names=self.season_names,
            max_seasons=self.max_seasons,
            adapter_width=self.adapter_width,
        )
        return data


def progressive_policy(model: BaseAlgorithm) -> ProgressiveActorCriticPolicy:
    """``model``'s policy, checked to be a progressive one (SB3 types ``model.policy`` as its base class)."""
    if not isinstance(model.policy, ProgressiveActorCriticPolicy):
        raise TypeError(f"expected a progressive policy, got {type(model.policy).__name__}")
    return model.policy


def season_slots(seasons: list[str]) -> tuple[list[int], list[str | None]]:
    """For a sequence where season k trained column k: each one-hot slot's acting column and name."""
    columns: list[int] = [-1] * MAX_SEASONS
    names: list[str | None] = [None] * MAX_SEASONS
    for k, season in enumerate(seasons):
        slot = resolve_season(season).index
        columns[slot], names[slot] = k, season_label(season)  # a recurring season: its newest column acts
    return columns, names
