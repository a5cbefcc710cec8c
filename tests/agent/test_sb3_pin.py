"""ContinualPPO.train is a copy of SB3's PPO.train: an SB3 upgrade that changes PPO.train fails here."""

from __future__ import annotations

import hashlib
import inspect

import stable_baselines3

#: sha256 of ``inspect.getsource(stable_baselines3.PPO.train)`` in the SB3 version ContinualPPO.train copies.
COPIED_FROM_VERSION = "2.9.2"
COPIED_SOURCE_SHA256 = "7c8d09940123242f0ac401c5ec2cc858b8bf3339f571c222382f048ffd8306ae"


def test_ppo_train_is_the_one_continual_ppo_copies() -> None:
    source = inspect.getsource(stable_baselines3.PPO.train)
    digest = hashlib.sha256(source.encode()).hexdigest()
    assert digest == COPIED_SOURCE_SHA256, (
        f"stable_baselines3.PPO.train changed (SB3 {stable_baselines3.__version__}; ContinualPPO.train copies "
        f"SB3 {COPIED_FROM_VERSION}'s). Re-diff agent/core/continual_ppo.py's ContinualPPO.train against the new "
        f"PPO.train, carry its changes over (keeping the auxiliary-loss hook), then record here the new version "
        f"and sha256 {digest}."
    )
