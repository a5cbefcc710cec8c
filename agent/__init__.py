"""Evergreen's continual learners (Stable-Baselines3 PPO underneath).

- :mod:`agent.core`: the learner base class, :class:`ContinualPPO` (SB3's PPO with one auxiliary-loss
  hook), checkpoint files and errors, option checks, compute accounting, the PPO defaults;
- :mod:`agent.components`: building blocks (replay memory, cloning losses, Fisher, the progressive
  column / adapter / policy / rollout buffer, the action bounds);
- :mod:`agent.methods`: one module per ``--method``, and the registry.

``make_learner(name, seed=...)`` builds a learner; ``load_learner(dir)`` restores a checkpoint of any
method. Season-end checkpoints are plain SB3 zips: ``stable_baselines3.PPO.load(path)`` opens them.
Importing the package pins torch's and MKL's CPU numerics to their AVX2 code paths
(:mod:`agent.core.numerics`), so that a seed gives the same numbers on every machine.
"""

from agent.core.accounting import ComputeAccount
from agent.core.checkpoint import CheckpointError
from agent.core.continual_ppo import ContinualPPO
from agent.core.learner import ContinualLearner
from agent.methods import METHODS, learner_class, load_learner, make_learner

__all__ = [
    "METHODS",
    "CheckpointError",
    "ComputeAccount",
    "ContinualLearner",
    "ContinualPPO",
    "learner_class",
    "load_learner",
    "make_learner",
]
