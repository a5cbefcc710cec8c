"""The PPO update's cost, side by side: one rollout's update under variants of the auxiliary loss and the optimizer.

The ``finetune`` learner with the project's PPO defaults trains ``--warmup`` env steps of a season,
then the same update (``ContinualPPO.train`` on the last rollout, from the same weights, optimizer
state and minibatch order) is timed under each variant in turns for ``--repeats`` rounds; the median
seconds per update are reported, with each variant's weights after the update compared bit for
bit with today's:

- ``SB3 (no auxiliary loss)``: ``action_bound_coef`` 0, SB3's update;
- ``action-bound loss, always with a graph``: the loss as first written, an actor forward and
  backward pass on every minibatch;
- ``action-bound loss (today)``: :func:`agent.components.action_bounds.action_bound_loss`, a graph
  only for a minibatch with an action mean outside the box;
- ``today + fused Adam``: torch's fused Adam kernel instead of ``foreach`` (not the project's: it
  rounds differently, so the weights change in their last bits).

Run: ``.venv/bin/python -m experiments.benchmarks.update_speed [--season spring] [--warmup 8192] [--repeats 9]``
(``--report`` prints the table again from the stored result)
(about 3 minutes; on a quiet machine, and with many rounds where the machine's speed varies).
Results: ``docs/results/update_speed/result.json``.
"""

from __future__ import annotations

import copy
import datetime
import os
import platform
import statistics
import time
from collections.abc import Callable
from typing import Annotated, Any

import numpy as np
import torch as th
import typer

import envs
from agent import make_learner
from agent.components.action_bounds import action_means, box_bounds
from agent.core.continual_ppo import ContinualPPO
from agent.methods.finetune import Finetune
from envs.atomic_io import atomic_write_json
from experiments import RESULTS
from experiments.benchmarks import stored_result
from experiments.report.markdown import markdown_table
from experiments.script_app import ScriptApp

RESULT = RESULTS / "update_speed" / "result.json"
TODAY = "action-bound loss (today)"


def bound_loss_with_graph(model: ContinualPPO) -> Callable[[Any], th.Tensor]:
    """The action-bound loss as first written: the actor's forward pass with a graph on every minibatch."""

    def loss(rollout_data: Any) -> th.Tensor:
        mean = action_means(model.policy, rollout_data.observations)
        low, high = box_bounds(model.policy, mean)
        return (th.relu(mean - high).pow(2) + th.relu(low - mean).pow(2)).sum(dim=-1).mean()

    return loss


def variants(learner: Finetune, model: ContinualPPO) -> dict[str, tuple[Callable[[Any], th.Tensor] | None, bool]]:
    """Each variant's auxiliary loss and whether it uses fused Adam."""
    return {
        "SB3 (no auxiliary loss)": (None, False),
        "action-bound loss, always with a graph": (bound_loss_with_graph(model), False),
        TODAY: (learner.bound_loss, False),
        "today + fused Adam": (learner.bound_loss, True),
    }


def timed_update(model: ContinualPPO, start: dict[str, Any], loss: Callable[[Any], th.Tensor] | None, fused: bool) -> float:
    """Seconds of one ``train()`` from ``start`` (weights, optimizer state) with ``loss`` as the auxiliary loss."""
    model.policy.load_state_dict(start["policy"])
    # A copy: Adam updates the loaded state tensors in place. Its groups' foreach (on) and fused (off) too.
    model.policy.optimizer.load_state_dict(copy.deepcopy(start["optimizer"]))
    for group in model.policy.optimizer.param_groups if fused else []:
        group["foreach"], group["fused"] = False, True
    model.auxiliary_loss = loss
    np.random.seed(0)  # the rollout buffer's minibatch order
    begin = time.perf_counter()
    model.train()
    return time.perf_counter() - begin


def measure(season: str, warmup: int, repeats: int, ppo_config: dict[str, Any] | None = None) -> dict[str, Any]:
    """Seconds per update of every variant in each round, and whether its weights equal today's after the update.

    ``ppo_config``: the PPO settings (default: the project's).
    """
    learner = make_learner("finetune", seed=0, ppo_config=ppo_config)
    assert isinstance(learner, Finetune)
    learner.start_season(season)
    learner.learn(warmup)
    model = learner.acting_model(season)
    start = {
        "policy": copy.deepcopy(model.policy.state_dict()),
        "optimizer": copy.deepcopy(model.policy.optimizer.state_dict()),
    }
    seconds: dict[str, list[float]] = {}
    weights: dict[str, dict[str, th.Tensor]] = {}
    for round_index in range(repeats):
        order = list(variants(learner, model).items())
        for name, (loss, fused) in order if round_index % 2 == 0 else reversed(order):
            seconds.setdefault(name, []).append(timed_update(model, start, loss, fused))
            weights[name] = copy.deepcopy(model.policy.state_dict())
        print(f"round {round_index + 1}: " + ", ".join(f"{n} {s[-1]:.2f} s" for n, s in seconds.items()), flush=True)
    learner.close()
    same = {name: all(th.equal(w, weights[TODAY][k]) for k, w in ws.items()) for name, ws in weights.items()}
    return {
        "seconds": seconds,
        "same_weights_as_today": same,
        "minibatches": model.n_epochs * model.n_steps * model.n_envs // model.batch_size,
    }


def report(result: dict[str, Any]) -> None:
    """Print the table: median seconds, and the median over rounds of each variant's time over today's in that round."""
    seconds = result["seconds"]
    rows = []
    for name, rounds in seconds.items():
        ratio = statistics.median(s / t for s, t in zip(rounds, seconds[TODAY], strict=True))
        same = "yes" if result["same_weights_as_today"][name] else "no"
        rows.append([name, f"{statistics.median(rounds):.2f}", f"{ratio:.2f}", same])
    print(f"{result['machine']}; {result['command']}; {result['date']}")
    print(f"One update: {result['minibatches']} minibatches; {len(seconds[TODAY])} rounds")
    header = ["variant", "seconds per update (median)", "time over today's (median of rounds)", "the same weights as today's"]
    print(markdown_table(header, rows))


app = ScriptApp(__name__, __doc__)


@app.command()
def main(
    season: Annotated[str, typer.Option(help="a default season")] = "spring",
    warmup: Annotated[int, typer.Option(help="env steps of training before the timed update")] = 8192,
    repeats: Annotated[int, typer.Option(help="rounds of the variants in turns (the median is reported)")] = 9,
    report_only: Annotated[bool, typer.Option("--report", help="print the table from the stored result")] = False,
) -> None:
    """Time one PPO update under each variant, side by side."""
    if report_only:
        report(stored_result(RESULT))
        return
    envs.default_season(season)  # ValueError naming the valid seasons
    if warmup < 1 or repeats < 1:
        raise ValueError(f"--warmup and --repeats must be >= 1, got {warmup} and {repeats}")
    th.set_num_threads(1)
    machine = f"python {platform.python_version()}, torch {th.__version__}, {platform.machine()}, {os.cpu_count()} cores"
    result = measure(season, warmup, repeats)
    result |= {
        "command": f"python -m experiments.benchmarks.update_speed --season {season} --warmup {warmup} --repeats {repeats}",
        "machine": f"{machine}, load average {os.getloadavg()[0]:.1f} at the end",
        "date": datetime.date.today().isoformat(),
    }
    atomic_write_json(RESULT, result)
    report(result)


if __name__ == "__main__":
    app()
