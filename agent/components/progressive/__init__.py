"""The progressive network's parts: column, lateral adapters, the SB3 policy and its rollout buffer.

Progressive Neural Networks, Rusu et al. 2016, https://arxiv.org/abs/1606.04671.
"""

from typing import Any

from agent.components.progressive.column import COLUMN_INITS, check_column_init
from agent.components.progressive.policy import ProgressiveActorCriticPolicy, progressive_policy, season_slots
from agent.components.progressive.rollout_buffer import FrozenColumnsRolloutBuffer

#: The classes a progressive checkpoint pickles, given to SB3's loader by value, so a checkpoint
#: saved before these modules moved still opens.
PICKLED_CLASSES: dict[str, Any] = {
    "policy_class": ProgressiveActorCriticPolicy,
    "rollout_buffer_class": FrozenColumnsRolloutBuffer,
}

__all__ = [
    "COLUMN_INITS",
    "PICKLED_CLASSES",
    "FrozenColumnsRolloutBuffer",
    "ProgressiveActorCriticPolicy",
    "check_column_init",
    "progressive_policy",
    "season_slots",
]
