"""``evergreen search SPACE.yaml``: a hyperparameter search of PPO on the garden with Ray Tune.

- :mod:`experiments.search.space`: the space file (what is searched, over which values, at what budget);
- :mod:`experiments.search.trial`: one trial, PPO from scratch on every season of the space, round by round;
- :mod:`experiments.search.driver`: the Tuner (Optuna's TPE proposes, ASHA stops the weak early), its
  restore after an interruption, the confirmation of the best settings over seeds, and the results table.
"""
