"""One trial of a PPO search: PPO from scratch on every season of the space, round by round.

A round trains each season's own PPO (the trial's settings, the space's seed) up to
``round * report_every`` env steps (SB3 finishes its last rollout, as one ``learn(steps)`` call
would: the rounds together train exactly what it trains), then evaluates every season on the fixed evaluation days with
deterministic actions (as the learnability study does) and reports to Ray Tune:

- ``normalized``: the mean normalized return over the seasons (what the search maximizes);
- ``worst``: the lowest season's; ``normalized_<season>``: each season's;
- ``env_steps`` and ``train_seconds`` so far.

After every round the trial checkpoints its models (Tune keeps the latest), so a trial whose
worker died, or a search restored after an interruption, goes on from its last finished round
(the envs start a new day there; the networks, optimizers and step counts are the saved ones).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from envs.season_spec import season_label
from experiments.search.space import ppo_config_for

ROUND_FILE = "round.json"


def run_trial(config: dict[str, Any], settings: dict[str, Any]) -> None:
    """Ray Tune's function trainable.

    ``config``: the sampled space keys (a search), or ``{"params": space keys, "seed": seed}`` (the
    confirmation of a setting on another seed). ``settings``: ``env``, ``seasons``, ``rounds``,
    ``report_every``, ``eval_episodes``, ``seed``.
    """
    import torch
    from ray import tune
    from stable_baselines3 import PPO

    import agent  # noqa: F401  (pins the CPU numerics before torch runs a kernel)
    from agent.core.season_envs import season_vec_env
    from experiments.studies.ppo_runs import evaluate, new_ppo, train

    torch.set_num_threads(1)
    params = dict(config.get("params", config))
    seed = int(config.get("seed", settings["seed"]))
    config = ppo_config_for(params)
    env_id, seasons = settings["env"], list(settings["seasons"])
    models = {season: new_ppo(season, seed, config, env_id) for season in seasons}
    done_rounds, seconds = 0, 0.0
    checkpoint = tune.get_checkpoint()
    if checkpoint is not None:
        with checkpoint.as_directory() as folder:
            saved = json.loads((Path(folder) / ROUND_FILE).read_text())
            done_rounds, seconds = int(saved["round"]), float(saved["train_seconds"])
            for index, season in enumerate(seasons):
                env = season_vec_env(season, models[season].n_envs, seed + 100 * done_rounds, env_id)
                models[season].get_env().close()  # type: ignore[union-attr]
                models[season] = PPO.load(Path(folder) / f"season{index}.zip", env=env, device="cpu")
    for round_index in range(done_rounds + 1, settings["rounds"] + 1):
        for season in seasons:
            # Up to the round's cumulative budget: the rounds together train exactly what one learn(steps) would.
            model = models[season]
            seconds += train(model, round_index * settings["report_every"] - model.num_timesteps)
        scores = {
            season: evaluate(models[season], season, settings["eval_episodes"], env_id)["normalized"] for season in seasons
        }
        metrics = {
            "normalized": sum(scores.values()) / len(scores),
            "worst": min(scores.values()),
            **{f"normalized_{season_label(season)}": value for season, value in scores.items()},
            "env_steps": round_index * settings["report_every"] * len(seasons),
            "train_seconds": seconds,
        }
        with tempfile.TemporaryDirectory() as folder:
            for index, season in enumerate(seasons):
                models[season].save(Path(folder) / f"season{index}.zip")
            (Path(folder) / ROUND_FILE).write_text(json.dumps({"round": round_index, "train_seconds": seconds}))
            tune.report(metrics, checkpoint=tune.Checkpoint.from_directory(folder))
    for model in models.values():
        training_env = model.get_env()
        if training_env is not None:
            training_env.close()
