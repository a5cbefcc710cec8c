"""``progress-compress``: a progressive column distilled into one fixed-size knowledge base per season.

Progress & Compress (Schwarz et al. 2018, https://arxiv.org/abs/1805.06370), with the compress
step done by behaviour cloning on a replay memory instead of online EWC:

- **progress**: an active column learns the current season with PPO, reading the knowledge base
  (frozen) through lateral adapters (:class:`~agent.components.progressive.policy.ProgressiveActorCriticPolicy`
  with two columns: the knowledge base, then the active column);
- **compress**: at the season's end the active column plays the season and its states, action
  means, log-stds and values join the replay memory (:class:`~agent.components.replay_memory.ReplayMemory`);
  then the knowledge base, one network with a head per season slot, is trained to match every
  stored season (policy KL and value regression, batches drawn evenly over seasons); a DAgger
  round (Ross et al. 2011) then plays the season with the knowledge base, labels the states it
  visits with the active column, and distills again (a policy cloned only on its teacher's
  states drifts where its own small errors take it);
- the active column is reset for the next season.

The knowledge base acts in every season it has absorbed (the active column acts in the season
being learned until it is compressed). Its size, and the active column's, do not depend on how
many seasons have passed; the replay memory grows by ``states_per_season`` per season unless
``total_states`` caps it. The checkpoint's ``model.zip`` is the knowledge base (a plain SB3 zip).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch as th
from torch import nn

from agent.components.action_bounds import action_bound_hook
from agent.components.cloning import cloning_loss, policy_targets
from agent.components.progressive import (
    PICKLED_CLASSES,
    FrozenColumnsRolloutBuffer,
    ProgressiveActorCriticPolicy,
    check_column_init,
    progressive_policy,
    season_slots,
)
from agent.components.progressive.start_choice import trial_start
from agent.components.replay_memory import MemoryCheckpoint, ReplayMemory, check_cloning_options
from agent.core.checkpoint import CheckpointError, load_model
from agent.core.continual_ppo import ContinualPPO
from agent.core.learner import ContinualLearner
from agent.core.options import check_option
from agent.core.season_envs import DEFAULT_ENV_ID, close_envs, collect_states, season_vec_env
from envs.season_spec import MAX_SEASONS, resolve_season, season_label


class ProgressCompress(MemoryCheckpoint, ContinualLearner):
    """An active progressive column over a fixed-size knowledge base, distilled at each season's end.

    :param states_per_season: replay states kept per season (collected with the active column;
        counted as environment steps)
    :param total_states: optional cap on the whole memory (reservoir sampling)
    :param beta_policy: weight of the policy KL in the distillation
    :param beta_value: weight of the value regression in the distillation
    :param distill_steps: gradient steps of each compress phase
    :param distill_batch: states per distillation step (drawn evenly over stored seasons)
    :param distill_lr: Adam learning rate of the distillation
    :param dagger_rounds: rounds of DAgger after the first distillation: each replaces part of the
        season's memory with states the knowledge base visits, labelled by the active column
    :param adapter_width: width of the active column's adapters (0: a quarter of the hidden width)
    :param column_init: how the active column starts each season: ``best`` (whichever of the
        knowledge base at each earlier season's head and a fresh column plays a few days of the new
        season best: :mod:`agent.components.progressive.start_choice`), ``latest`` (a copy of the
        knowledge base at the previous season's head, its laterals silent) or ``random`` (fresh)
    :param action_bound_coef: weight of the action-bound loss on the active column's action means
        (:mod:`agent.components.action_bounds`; 0: off)
    """

    method = "progress-compress"
    supports_sde = False  # its losses and columns use a state-independent Gaussian log-std
    # Checkpoints saved before these options existed started every active column at random, without the loss.
    legacy_options: ClassVar[dict[str, Any]] = {"column_init": "random", "action_bound_coef": 0.0}

    def __init__(
        self,
        ppo_config: dict[str, Any] | None = None,
        seed: int = 0,
        tensorboard_log: str | Path | None = None,
        torch_threads: int = 1,
        env_id: str = DEFAULT_ENV_ID,
        *,
        states_per_season: int = 10_000,
        total_states: int | None = None,
        beta_policy: float = 1.0,
        beta_value: float = 0.5,
        distill_steps: int = 3_000,
        distill_batch: int = 256,
        distill_lr: float = 1e-3,
        dagger_rounds: int = 1,
        adapter_width: int = 0,
        column_init: str = "best",
        action_bound_coef: float = 1.0,
    ) -> None:
        check_column_init(column_init)
        check_option("action_bound_coef", action_bound_coef)
        check_cloning_options(states_per_season, total_states, beta_policy, beta_value)
        check_option("distill_steps", distill_steps, integer=True)
        check_option("distill_batch", distill_batch, integer=True, positive=True)
        check_option("distill_lr", distill_lr, positive=True)
        check_option("dagger_rounds", dagger_rounds, integer=True)
        if states_per_season < dagger_rounds + 1:
            raise ValueError(
                f"method option states_per_season ({states_per_season}) must be at least dagger_rounds + 1 "
                f"({dagger_rounds + 1}): each DAgger round takes a share of the season's states"
            )
        check_option("adapter_width", adapter_width, integer=True)
        super().__init__(ppo_config, seed, tensorboard_log, torch_threads, env_id)
        self.states_per_season = states_per_season
        self.total_states = total_states
        self.beta_policy = beta_policy
        self.beta_value = beta_value
        self.distill_steps = distill_steps
        self.distill_batch = distill_batch
        self.distill_lr = distill_lr
        self.dagger_rounds = dagger_rounds
        self.adapter_width = adapter_width
        self.column_init = column_init
        self.action_bound_coef = action_bound_coef
        self.memory = ReplayMemory(states_per_season, total_states, seed=seed)
        self.knowledge_base: ContinualPPO | None = None
        self.compressed = True  # whether the knowledge base has absorbed the current season
        self.distillation_losses: list[float] = []
        self.column_starts: list[dict[str, Any]] = []  # with ``best``: each season's trial of the starts

    # The knowledge base: one column with a head per season slot; its slots map to column 0.
    def _knowledge_base_kwargs(self, seasons: list[str]) -> dict[str, Any]:
        columns, names = season_slots(seasons)
        return {
            "n_columns": 1,
            "column_heads": [MAX_SEASONS],
            "season_columns": [0 if c >= 0 else -1 for c in columns],
            "season_names": names,
            "max_seasons": MAX_SEASONS,
        }

    def _on_season_start(self, season: str) -> None:
        if self.knowledge_base is None:
            # A one-env PPO shell: the knowledge base is trained by distillation, never by PPO.
            self.knowledge_base = self.new_model(
                season_vec_env(season, 1, self.seed, env_id=self.env_id),
                policy=ProgressiveActorCriticPolicy,
                policy_kwargs=self._knowledge_base_kwargs([]),
            )
        columns, names = season_slots([season])
        active_kwargs = {
            "n_columns": 2,
            "column_heads": [MAX_SEASONS, 1],
            "season_columns": [1 if c >= 0 else -1 for c in columns],
            "season_names": names,
            "max_seasons": MAX_SEASONS,
            "adapter_width": self.adapter_width or None,
        }
        # A fresh active column each season (seeded by position), reading the knowledge base.
        active = self.new_model(
            self.season_env(season),
            seed=self.env_seed(),
            policy=ProgressiveActorCriticPolicy,
            policy_kwargs=active_kwargs,
            rollout_buffer_class=FrozenColumnsRolloutBuffer,
        )
        extractor = progressive_policy(active).mlp_extractor
        extractor.column(0).load_state_dict(self._kb_column().state_dict())
        if len(self.seasons) > 1 and (self.column_init == "latest" or (self.column_init == "best" and self.env_source)):
            extractor.column(1).start_from(extractor.column(0), head=resolve_season(self.seasons[-2]).index)
        elif len(self.seasons) > 1 and self.column_init == "best":
            self._start_best(active, season)
        self._replace_model(active)
        active.auxiliary_loss = action_bound_hook(active, self.action_bound_coef)
        self.compressed = False

    def _start_best(self, active: ContinualPPO, season: str) -> None:
        """Start the active column as whichever plays ``season`` best: the knowledge base at an earlier
        season's head (most recent first) or the fresh column (:func:`trial_start`)."""
        extractor = progressive_policy(active).mlp_extractor
        labels = {resolve_season(s).index: season_label(s) for s in self.seasons[:-1]}
        slots = dict.fromkeys(resolve_season(s).index for s in reversed(self.seasons[:-1]))
        sources = [(f"head of {labels[slot]}", extractor.column(0), slot) for slot in slots]
        self.column_starts.append(trial_start(self, active, extractor.column(1), sources, season))

    def close(self) -> None:
        """Close the envs of the active column's model and of the knowledge base's shell."""
        super().close()
        close_envs(self.knowledge_base)

    def _kb_column(self) -> nn.Module:
        assert self.knowledge_base is not None
        return progressive_policy(self.knowledge_base).mlp_extractor.column(0)

    def _on_season_end(self, season: str) -> None:
        active, slot, seed = self._require_model(), resolve_season(season).index, self.env_seed() + 500
        share = self.states_per_season // (self.dagger_rounds + 1)
        with self.season_work(env_steps=self.states_per_season):
            # DAgger rounds play the season with the knowledge base: not possible once the garden moved on.
            rounds = self.dagger_rounds if self.seen_states is None else 0
            states = self.season_states(active, self.states_per_season - rounds * share, seed)
            record = (states, *policy_targets(active, states))
            self.memory.add_season(*record, slot=slot)
            self.compress()
            for round_index in range(1, rounds + 1):
                # DAgger (Ross et al. 2011): the states the knowledge base itself visits, labelled by the
                # active column, so the distilled policy also learns to recover from its own deviations.
                states = collect_states(
                    self.checkpoint_model(), season, share, self.n_envs, seed + round_index * self.n_envs, env_id=self.env_id
                )
                added = (states, *policy_targets(active, states))
                states, means, log_stds, values = (np.concatenate([old, new]) for old, new in zip(record, added, strict=True))
                record = (states, means, log_stds, values)
                self.memory.add_season(*record, slot=slot)  # replaces the season's earlier record
                self.compress()

    def compress(self) -> float:
        """Distill every stored season into the knowledge base; return the last steps' mean loss."""
        assert self.knowledge_base is not None
        policy = progressive_policy(self.knowledge_base)
        kwargs = self._knowledge_base_kwargs(self.seasons)
        policy.set_seasons(kwargs["season_columns"], kwargs["season_names"])
        self.knowledge_base.policy_kwargs.update(season_columns=kwargs["season_columns"], season_names=kwargs["season_names"])
        policy.set_training_mode(True)
        optimizer = th.optim.Adam(policy.parameters(), lr=self.distill_lr, foreach=True)  # one update for all tensors
        losses = []
        for _ in range(self.distill_steps):
            loss = cloning_loss(policy, self.memory.sample(self.distill_batch), self.beta_policy, self.beta_value)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(policy.parameters(), self._ppo_kwargs.get("max_grad_norm", 0.5))
            optimizer.step()
            losses.append(loss.item())
        policy.set_training_mode(False)
        self.compressed = True
        final = float(sum(losses[-100:]) / max(1, len(losses[-100:])))
        self.distillation_losses.append(final)
        return final

    def acting_model(self, season: str) -> ContinualPPO:
        """The knowledge base; the active column for the season being learned until it is compressed."""
        if not self.compressed and self.seasons and season == self.season:
            return self._require_model()
        assert self.knowledge_base is not None
        return self.knowledge_base

    def can_act(self, season: str) -> bool:
        """Whether the knowledge base (or, for the season being learned, the active column) knows ``season``."""
        return progressive_policy(self.acting_model(season)).season_columns[resolve_season(season).index] >= 0

    def checkpoint_model(self) -> ContinualPPO:
        """The knowledge base (the acting network)."""
        assert self.knowledge_base is not None
        return self.knowledge_base

    def load_model(self, path: Path) -> ContinualPPO:
        """The knowledge base (checked to be one), over which the next season starts a fresh active column."""
        self.knowledge_base = load_model(path, custom_objects=PICKLED_CLASSES)
        policy = self.knowledge_base.policy
        if getattr(policy, "n_columns", None) != 1 or getattr(policy, "column_heads", None) != [MAX_SEASONS]:
            raise CheckpointError(f"corrupted checkpoint file {path}: not a progress-compress knowledge base")
        self.compressed = True
        return self.knowledge_base

    def networks(self) -> list[nn.Module]:
        """The knowledge base and the active column (its copy of the knowledge base not counted twice)."""
        modules: list[nn.Module] = [self.checkpoint_model().policy]
        if self.model is not None and self.model is not self.knowledge_base:
            modules.append(progressive_policy(self.model).mlp_extractor.column(1))
        return modules

    def method_state(self) -> dict[str, Any]:
        """The distillation's final losses, one per season, and the starts ``best`` chose."""
        starts = {"column_starts": self.column_starts} if self.column_starts else {}
        return {"distillation_losses": self.distillation_losses, **starts}

    def load_method_state(self, state: dict[str, Any]) -> None:
        """Inverse of :meth:`method_state`."""
        self.distillation_losses = list(state["distillation_losses"])
        self.column_starts = list(state.get("column_starts", []))
