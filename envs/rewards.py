"""The named reward terms of the garden (reported in ``info`` as ``reward_<term>``)."""

from __future__ import annotations

from envs.garden import StepEvents
from envs.season_spec import RewardWeights

#: Term names, in the order they are reported.
REWARD_TERMS: tuple[str, ...] = ("watered", "progress", "damage", "trample", "collision", "time", "energy")


def reward_terms(events: StepEvents, weights: RewardWeights) -> dict[str, float]:
    """Each reward term of one control step; the step's reward is their sum.

    Positive terms pay for watering thirsty plants and for closing on them; the rest are
    penalties (negative values).
    """
    return {
        "watered": weights.watered * events.watered,
        "progress": weights.progress * events.progress,
        "damage": -weights.damage * events.damaged,
        "trample": -weights.trample * events.trampled,
        "collision": -weights.collision * float(events.collided),
        "time": -weights.time,
        "energy": -weights.energy * float(events.pumped),
    }
