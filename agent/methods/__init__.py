"""The registry of continual methods: ``evergreen train --method NAME``, one module per method.

The registry imports the methods; no method imports it back (rl-zoo3's ``ALGOS`` pattern), and the
core (:mod:`agent.core`) knows no method: :func:`load_learner` reads the method's name from a
checkpoint and lets that method's class load it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent.core.checkpoint import LEARNER_FILE, CheckpointError, read_learner_info
from agent.core.learner import ContinualLearner
from agent.methods.ewc import EWC
from agent.methods.finetune import Finetune
from agent.methods.finetune_copies import FinetuneCopies
from agent.methods.progress_compress import ProgressCompress
from agent.methods.progressive import Progressive, ProgressiveRandomControl
from agent.methods.replay import Replay
from agent.methods.retrain import Retrain
from agent.methods.scratch import Scratch

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
        FinetuneCopies,
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


def load_learner(directory: str | Path, **kwargs: Any) -> ContinualLearner:
    """Rebuild the learner saved in a checkpoint folder, whatever its method.

    Keyword arguments go to :meth:`ContinualLearner.load` (``ppo_config``, ``tensorboard_log``,
    ``restore_random_state``). Raises :class:`~agent.core.checkpoint.CheckpointError` naming the
    file when it is missing or unreadable, or names a method that does not exist.
    """
    info = read_learner_info(Path(directory))
    method = info["method"]
    if method not in METHODS:
        raise CheckpointError(
            f"corrupted checkpoint file {Path(directory) / LEARNER_FILE}: unknown method {method!r}; "
            f"valid methods: {', '.join(METHODS)}"
        )
    return METHODS[method].load(directory, **kwargs)
