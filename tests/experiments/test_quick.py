"""The quick preset's driver (experiments.quick): videos rendered as each rendered method's run finishes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from experiments import quick
from experiments.pipeline.config import CONFIG_DIR


def test_a_methods_videos_start_when_its_run_finishes_and_the_rest_after_the_sweep(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []

    def fake_sweep(runs: list[Any], storage: Path, *, on_finished: Any, **_: Any) -> None:
        assert [run.method for run in runs] == list(quick.TRAINING_ORDER)
        # The preset's own settings reach the runs' resolved configs: its PPO keys and P&C's distillation.
        assert all(run.config["ppo"]["n_steps"] == 128 and run.config["ppo"]["n_epochs"] == 20 for run in runs)
        options = {run.method: run.config["method_options"] for run in runs}
        assert options["progress-compress"]["distill_batch"] == 1024 and options["progress-compress"]["beta_value"] == 0.5
        on_finished(runs[0])  # progress-compress, the longest, finishes first; finetune "was finished before"
        events.append("sweep ended")

    def fake_render(out: Path, method: str, seasons: list[str]) -> list[Path]:
        events.append(f"render {method} {len(seasons)} seasons")
        return []

    metrics = {"average_return": 0.5, "forgetting": 0.0, "compute": {"env_steps": 1, "total_parameters": 1, "memory_bytes": 0}}
    monkeypatch.setattr(quick, "run_sweep", fake_sweep)
    monkeypatch.setattr(quick, "render_videos", fake_render)
    monkeypatch.setattr(quick, "write_report", lambda runs, out: events.append("report") or out / "report.md")
    monkeypatch.setattr(quick, "read_metrics", lambda run: metrics)
    quick.run_quick(tmp_path, CONFIG_DIR / "quick.yaml")
    assert sorted(events) == sorted(
        ["render progress-compress 4 seasons", "sweep ended", "render finetune 4 seasons", "report"]
    )
    assert events.index("render finetune 4 seasons") > events.index("sweep ended")
