"""``finetune-copies``: fine-tune season after season, and keep a frozen copy of the network per season.

The reference for what transfer is worth without lateral connections (CompoNet's "FT-N",
Malagón et al. 2024, https://arxiv.org/abs/2402.13811): each season starts from the network the
previous season ended with, exactly as ``finetune`` does (same weights, optimizer state and
exploration reset), so its forward transfer is plain fine-tuning's; and when a new season starts,
a frozen copy of the network is kept for the season that ended, and acts for it from then on,
so nothing is forgotten by construction. The season being learned is played by the network that
learns it. Parameters grow by one network per season (a season that comes back replaces its copy).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, ClassVar

from torch import nn

from agent.core.continual_ppo import ContinualPPO
from agent.core.season_envs import DEFAULT_ENV_ID
from agent.methods.finetune import Finetune
from envs.season_spec import resolve_season


def frozen_copy(model: ContinualPPO) -> ContinualPPO:
    """A copy of ``model`` without envs (SB3's save and load through memory), its policy frozen in eval mode."""
    buffer = io.BytesIO()
    model.save(buffer)
    buffer.seek(0)
    copy = ContinualPPO.load(buffer, device="cpu")
    copy.policy.requires_grad_(False)
    copy.policy.set_training_mode(False)
    return copy


class FinetuneCopies(Finetune):
    """``finetune`` plus a frozen copy of the network per finished season, which acts for that season.

    :param action_bound_coef: weight of ``finetune``'s action-bound loss
    :param l2_init_coef: weight of ``finetune``'s L2 pull toward the initial weights (0: off)
    :param shrink_perturb: ``finetune``'s shrink-and-perturb fraction at each season's start (0: off)
    """

    method = "finetune-copies"
    legacy_options: ClassVar[dict[str, Any]] = {}  # no checkpoint predates its options

    def __init__(
        self,
        ppo_config: dict[str, Any] | None = None,
        seed: int = 0,
        tensorboard_log: str | Path | None = None,
        torch_threads: int = 1,
        env_id: str = DEFAULT_ENV_ID,
        *,
        action_bound_coef: float = 1.0,
        l2_init_coef: float = 0.0,
        shrink_perturb: float = 0.0,
    ) -> None:
        super().__init__(
            ppo_config,
            seed,
            tensorboard_log,
            torch_threads,
            env_id,
            action_bound_coef=action_bound_coef,
            l2_init_coef=l2_init_coef,
            shrink_perturb=shrink_perturb,
        )
        #: season one-hot slot -> the frozen network that acts for it
        self.copies: dict[int, ContinualPPO] = {}

    def _on_season_start(self, season: str) -> None:
        if self.model is not None and len(self.seasons) > 1:
            # The season that ended keeps the network it ended with, before the next season changes it.
            self.copies[resolve_season(self.seasons[-2]).index] = frozen_copy(self.model)
        super()._on_season_start(season)

    def acting_model(self, season: str) -> ContinualPPO:
        """The season's frozen copy; the network that learns for the season being learned."""
        slot = resolve_season(season).index
        if self.seasons and slot == resolve_season(self.season).index:
            return self._require_model()
        return self.copies.get(slot, self._require_model())

    def can_act(self, season: str) -> bool:
        """Whether the season has a network of its own (a copy, or the learning one)."""
        slot = resolve_season(season).index
        return slot in self.copies or (bool(self.seasons) and slot == resolve_season(self.season).index)

    def networks(self) -> list[nn.Module]:
        """The learning network and every copy."""
        return [self._require_model().policy, *(copy.policy for copy in self.copies.values())]

    def method_state(self) -> dict[str, Any]:
        """Each copy's policy weights by season slot."""
        return {**super().method_state(), "copies": {slot: copy.policy.state_dict() for slot, copy in self.copies.items()}}

    def load_method_state(self, state: dict[str, Any]) -> None:
        """Rebuild the copies: the checkpoint's network with each copy's weights."""
        super().load_method_state(state)
        self.copies = {}
        for slot, weights in state["copies"].items():
            copy = frozen_copy(self._require_model())
            copy.policy.load_state_dict(weights)
            self.copies[int(slot)] = copy
        expected = {resolve_season(season).index for season in self.seasons[:-1]}
        if set(self.copies) != expected:
            raise ValueError(f"holds copies for season slots {sorted(self.copies)}, not {sorted(expected)}")
