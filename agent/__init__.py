"""Evergreen's continual learners (Stable-Baselines3 PPO underneath).

- ``finetune``: one network trained season after season (the forgetting baseline);
- ``scratch``: a fresh network per season (the single-season reference);
- ``retrain``: a fresh network on all seasons so far, with k times the budget at season k;
- ``replay``: behaviour-cloning replay of earlier seasons' states (CLEAR-style policy and value cloning);
- ``ewc``: online elastic weight consolidation with the closed-form Gaussian-policy Fisher;
- ``progressive``: a progressive network, one frozen column per season with lateral adapters;
- ``progressive-random``: its control, the earlier columns random and frozen (transfer from capacity alone);
- ``progress-compress``: an active progressive column distilled into a fixed-size knowledge base
  with the replay memory after every season.

``make_learner(name, seed=...)`` builds one; ``ContinualLearner.load(dir)`` restores a checkpoint.
Season-end checkpoints are plain SB3 zips: ``stable_baselines3.PPO.load(path)`` opens them.
"""

from agent.accounting import ComputeAccount
from agent.continual_ppo import ContinualPPO
from agent.learner import CheckpointError, ContinualLearner
from agent.methods import METHODS, learner_class, make_learner

__all__ = ["METHODS", "CheckpointError", "ComputeAccount", "ContinualLearner", "ContinualPPO", "learner_class", "make_learner"]
