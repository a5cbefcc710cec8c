"""Evergreen's continual learners (Stable-Baselines3 PPO underneath).

- ``finetune``: one network trained season after season (the forgetting baseline);
- ``scratch``: a fresh network per season (the single-season reference);
- ``retrain``: a fresh network on all seasons so far, with k times the budget at season k.

``make_learner(name, seed=...)`` builds one; ``ContinualLearner.load(dir)`` restores a checkpoint.
Season-end checkpoints are plain SB3 zips: ``stable_baselines3.PPO.load(path)`` opens them.
"""

from agent.accounting import ComputeAccount
from agent.continual_ppo import ContinualPPO
from agent.learner import CheckpointError, ContinualLearner
from agent.methods import METHODS, learner_class, make_learner

__all__ = ["METHODS", "CheckpointError", "ComputeAccount", "ContinualLearner", "ContinualPPO", "learner_class", "make_learner"]
