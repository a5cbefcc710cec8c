"""The registry of continual methods: ``evergreen train --method NAME``."""

from __future__ import annotations

from typing import Any

from agent.ewc import EWC
from agent.finetune import Finetune
from agent.learner import ContinualLearner
from agent.progress_compress import ProgressCompress
from agent.progressive import Progressive, ProgressiveRandomControl
from agent.replay import Replay
from agent.retrain import Retrain
from agent.scratch import Scratch

#: Method name -> learner class.
METHODS: dict[str, type[ContinualLearner]] = {
    cls.method: cls
    for cls in (
        Finetune,
        Scratch,
        Retrain,
        Replay,
        EWC,
        Progressive,
        ProgressiveRandomControl,
        ProgressCompress,
    )
}


def learner_class(method: str) -> type[ContinualLearner]:
    """The learner class of ``method``, or ValueError naming the valid choices."""
    try:
        return METHODS[method]
    except KeyError:
        raise ValueError(f"unknown method {method!r}; valid methods: {', '.join(METHODS)}") from None


def make_learner(method: str, **kwargs: Any) -> ContinualLearner:
    """A new learner of ``method`` (keyword arguments of :class:`ContinualLearner`)."""
    return learner_class(method)(**kwargs)
