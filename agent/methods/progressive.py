"""``progressive``: a progressive network, one column per season (Rusu et al. 2016).

At each new season a column is added; the earlier columns are copied in and frozen, and the new
column reads them through lateral adapters (:mod:`agent.components.progressive.adapter`) at every hidden layer
and at its outputs. The season one-hot picks the column that acts, so the policy cannot forget:
a season's column and every column it reads never change again, even when the season comes
back (a recurring season gets a new column, which then acts for it). The policy is
:class:`~agent.components.progressive.policy.ProgressiveActorCriticPolicy`; its optimizer holds only the
newest column and is rebuilt with it. Parameters grow with every season (columns and adapters),
which the compute accounting reports after each season.

Progressive Neural Networks, https://arxiv.org/abs/1606.04671.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from agent.components.action_bounds import action_bound_hook
from agent.components.progressive import (
    PICKLED_CLASSES,
    FrozenColumnsRolloutBuffer,
    ProgressiveActorCriticPolicy,
    check_column_init,
    progressive_policy,
    season_slots,
)
from agent.components.progressive.start_choice import trial_start
from agent.core.checkpoint import CheckpointError, load_model
from agent.core.continual_ppo import ContinualPPO
from agent.core.learner import ContinualLearner
from agent.core.options import check_option
from agent.core.season_envs import DEFAULT_ENV_ID
from envs.season_spec import MAX_SEASONS, resolve_season, season_label


class Progressive(ContinualLearner):
    """A progressive network trained season after season; one frozen column per finished season.

    :param adapter_width: width of the lateral adapters (0: a quarter of the hidden width)
    :param column_init: how a new column starts: ``best`` (whichever of a copy of each earlier
        column and the fresh column plays a few days of the new season best:
        :mod:`agent.components.progressive.start_choice`), ``latest`` (a copy of the previous
        column, its laterals silent, so the season starts from what the last one ended with) or
        ``random`` (the paper: a fresh column whose laterals read the frozen ones); see ``docs/methods.md``
    :param action_bound_coef: weight of the action-bound loss that keeps the training column's
        action means inside the action box (:mod:`agent.components.action_bounds`; 0: off), so that
        a column copied into the next season can still explore there
    """

    method = "progressive"
    supports_sde = False  # its losses and columns use a state-independent Gaussian log-std
    #: Whether earlier columns keep what they learned (the control re-draws them at random).
    pretrained_columns = True
    # Checkpoints saved before these options existed started every column at random, without the loss.
    legacy_options: ClassVar[dict[str, Any]] = {"column_init": "random", "action_bound_coef": 0.0}

    def __init__(
        self,
        ppo_config: dict[str, Any] | None = None,
        seed: int = 0,
        tensorboard_log: str | Path | None = None,
        torch_threads: int = 1,
        env_id: str = DEFAULT_ENV_ID,
        *,
        adapter_width: int = 0,
        column_init: str = "best",
        action_bound_coef: float = 1.0,
    ) -> None:
        check_option("adapter_width", adapter_width, integer=True)
        check_column_init(column_init)
        check_option("action_bound_coef", action_bound_coef)
        super().__init__(ppo_config, seed, tensorboard_log, torch_threads, env_id)
        self.adapter_width = adapter_width
        self.column_init = column_init
        self.action_bound_coef = action_bound_coef
        self.column_starts: list[dict[str, Any]] = []  # with ``best``: each season's trial of the starts

    def policy_kwargs(self, seasons: list[str]) -> dict[str, Any]:
        """The policy's arguments for a network with one column per season in ``seasons``."""
        columns, names = season_slots(seasons)
        return {
            "n_columns": len(seasons),
            "column_heads": [1] * len(seasons),
            "season_columns": columns,
            "season_names": names,
            "max_seasons": MAX_SEASONS,
            "adapter_width": self.adapter_width or None,
        }

    def _on_season_start(self, season: str) -> None:
        previous = self.model
        # A fresh network with one more column, seeded by position; earlier columns copied in.
        model = self.new_model(
            self.season_env(season),
            seed=self.env_seed(),
            policy=ProgressiveActorCriticPolicy,
            policy_kwargs=self.policy_kwargs(self.seasons),
            rollout_buffer_class=FrozenColumnsRolloutBuffer,
        )
        if previous is not None and self.pretrained_columns:
            columns = progressive_policy(model).mlp_extractor.columns
            for k, column in enumerate(progressive_policy(previous).mlp_extractor.columns):
                columns[k].load_state_dict(column.state_dict())
        extractor = progressive_policy(model).mlp_extractor
        new = extractor.column(extractor.trainable_column)
        # Without the season's own env (season-agnostic training), ``best`` cannot try the starts: it copies the latest.
        if previous is not None and (self.column_init == "latest" or (self.column_init == "best" and self.env_source)):
            new.start_from(extractor.column(extractor.trainable_column - 1))
        elif previous is not None and self.column_init == "best":
            sources = [
                (f"column {k} ({season_label(self.seasons[k])})", extractor.column(k), 0)
                for k in reversed(range(extractor.trainable_column))
            ]
            self.column_starts.append(trial_start(self, model, new, sources, season))
        self._replace_model(model)
        model.auxiliary_loss = action_bound_hook(model, self.action_bound_coef)

    def method_state(self) -> dict[str, Any]:
        """The starts ``best`` chose, season by season."""
        return {"column_starts": self.column_starts} if self.column_starts else {}

    def load_method_state(self, state: dict[str, Any]) -> None:
        """Inverse of :meth:`method_state`."""
        self.column_starts = list(state.get("column_starts", []))

    def can_act(self, season: str) -> bool:
        """Whether a column acts for ``season``'s one-hot slot."""
        return progressive_policy(self._require_model()).season_columns[resolve_season(season).index] >= 0

    def load_model(self, path: Path) -> ContinualPPO:
        """The checkpoint's zip, checked to hold one column per season of ``learner.json``."""
        model = load_model(path, custom_objects=PICKLED_CLASSES)
        n_columns = getattr(model.policy, "n_columns", None)
        if n_columns != len(self.seasons):
            raise CheckpointError(
                f"corrupted checkpoint file {path}: {n_columns} columns for {len(self.seasons)} seasons in learner.json"
            )
        return model


class ProgressiveRandomControl(Progressive):
    """The paper's control: the same network, its earlier columns random and frozen.

    Each new column reads earlier columns that were never trained, so its transfer measures
    what the extra capacity alone gives. Earlier seasons are not kept (its forgetting is not
    meaningful); compare its forward transfer with ``progressive``'s.
    """

    method = "progressive-random"
    pretrained_columns = False
