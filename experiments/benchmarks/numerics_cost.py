"""What pinning the CPU numerics costs: PPO training throughput with torch and MKL pinned to AVX2 against native.

``import agent`` pins ``ATEN_CPU_CAPABILITY=avx2`` and ``MKL_CBWR=AVX2`` so that a seed gives the same
bits on every x86-64 machine with AVX2 (:mod:`agent.core.numerics`). On a machine with AVX-512 the
native paths may be faster. Each measurement is a fresh process (both libraries read the variables
once) that trains the ``finetune`` learner on one season for ``--steps`` env steps with the project's
PPO defaults and reports env steps per second; the two settings alternate, ``--repeats`` times each,
so that both see the same machine load. Results: ``docs/results/numerics_cost/result.json`` and the
table in ``docs/cluster.md``.

Run: ``.venv/bin/python -m experiments.benchmarks.numerics_cost [--steps 8192] [--repeats 3]``
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from envs.atomic_io import atomic_write_json
from experiments import RESULTS
from experiments.report.markdown import markdown_table
from experiments.script_app import ScriptApp

#: One timed training in a fresh process; prints the capability in effect and env steps per second.
MEASURE = """
import json, sys, time
import agent, torch
learner = agent.make_learner("finetune", seed=0)
learner.start_season("spring")
learner.learn(256)  # warm-up: first kernels, env start-up
start, before = time.perf_counter(), learner.model.num_timesteps
learner.learn(int(sys.argv[1]))
rate = (learner.model.num_timesteps - before) / (time.perf_counter() - start)
print(json.dumps({"capability": torch.backends.cpu.get_cpu_capability(), "steps_per_second": rate}))
"""


def native_capability() -> str:
    """The CPU capability torch picks on this machine when nothing pins it (e.g. ``AVX512``)."""
    env = {k: v for k, v in os.environ.items() if k not in ("ATEN_CPU_CAPABILITY", "MKL_CBWR")}
    code = "import torch; print(torch.backends.cpu.get_cpu_capability())"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout.strip()


def measure(settings: dict[str, str], steps: int) -> dict[str, float | str]:
    """Train in a fresh process under ``settings`` (environment variables); its capability and env steps per second."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", **settings}
    done = subprocess.run([sys.executable, "-c", MEASURE, str(steps)], env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


app = ScriptApp(__name__, __doc__)


@app.command()
def main(
    steps: Annotated[int, typer.Option(help="timed env steps per measurement")] = 8192,
    repeats: Annotated[int, typer.Option(help="measurements per setting, alternating")] = 3,
    out: Annotated[Path, typer.Option(help="where result.json goes")] = RESULTS / "numerics_cost",
) -> None:
    """Time PPO training with pinned and with native CPU numerics, alternating; print and save the ratio."""
    if steps < 1 or repeats < 1:
        raise ValueError(f"--steps and --repeats must be >= 1, got {steps} and {repeats}")
    native = native_capability()
    settings = {
        "pinned (avx2, MKL_CBWR=AVX2)": {"ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "AVX2"},
        f"native ({native.lower()}, MKL_CBWR=AUTO)": {"ATEN_CPU_CAPABILITY": native.lower(), "MKL_CBWR": "AUTO"},
    }
    rates: dict[str, list[float]] = {name: [] for name in settings}
    for repeat in range(repeats):
        for name, variables in settings.items():
            result = measure(variables, steps)
            rates[name].append(float(result["steps_per_second"]))
            rate, capability = result["steps_per_second"], result["capability"]
            typer.echo(f"repeat {repeat + 1}: {name:34s} {rate:7.0f} env steps/s ({capability})")
    medians = {name: statistics.median(values) for name, values in rates.items()}
    pinned, native_rate = medians.values()
    rows = [[name, f"{medians[name]:.0f}", f"{medians[name] / native_rate:.3f}"] for name in settings]
    typer.echo(markdown_table(["numerics", "median env steps/s", "relative to native"], rows))
    record = {"steps": steps, "repeats": repeats, "machine": platform.processor() or platform.machine()}
    record |= {"native_capability": native, "rates": rates, "pinned_over_native": pinned / native_rate}
    atomic_write_json(out / "result.json", record)
    typer.echo(f"Wrote {out / 'result.json'}")


if __name__ == "__main__":
    app()
