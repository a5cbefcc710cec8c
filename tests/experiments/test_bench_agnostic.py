"""The season-agnostic benchmark's report (experiments.benchmarks.agnostic), from constructed results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from envs.season_spec import season_label
from experiments.benchmarks.agnostic import DEFAULT_SEASONS, app, report
from experiments.pipeline.config import CONFIG_DIR

DAYS = 10


def record(after: str, season: str, known: list[str], new: list[bool], named: str | None = None) -> dict[str, Any]:
    """A recognizer record as evaluate_agnostic writes it: every day named ``named`` (default: the season)."""
    named = named or season
    return {
        "after": after,
        "season": season,
        "known": season in known,
        "days": DAYS,
        "accuracy": float(named == season) if season in known else None,
        "commit_step": 2.0,
        "novel": sum(new) / DAYS,
        "judged_new": new,
        "day_steps": [50] * DAYS,
        "named": {s: DAYS * (s == named) for s in known},
    }


def run(method: str, seed: int, seasons: list[str]) -> dict[str, Any]:
    labels, records = [season_label(season) for season in seasons], []
    for k, after in enumerate(labels):
        known = labels[: k + 1]
        for season in labels:
            records.append(record(after, season, known, [season not in known] * DAYS))
    return {
        "run": f"{method}_seed{seed}",
        "method": method,
        "seed": seed,
        "seasons": seasons,
        "told_A": 0.86,
        "inferred_A": 0.85,
        "recognizer": records,
    }


def test_the_report_has_every_table_and_the_confusion_figure(tmp_path: Path) -> None:
    results = [run(m, seed, DEFAULT_SEASONS) for m in ("progressive", "progress-compress") for seed in (0, 1)]
    results.append(run("progressive", 0, [*DEFAULT_SEASONS, str(CONFIG_DIR / "seasons" / "icy_spring.yaml")]))
    (tmp_path / "result.json").write_text(json.dumps(results))
    app(["--out", str(tmp_path), "--from-results"])
    text = (tmp_path / "report.md").read_text()
    assert "| progressive | 2 | 0.86 (range 0.86 to 0.86) | 0.85 (range 0.85 to 0.85) | +0.010 |" in text
    # Accuracy counts checkpoints that know the season and another: spring after summer, autumn, winter.
    assert "| progressive | spring | 60 | 1.000 | 2.0 | 0.000 |" in text
    assert "| progressive | not learned yet | 120 | 1.000 |" in text
    # Every change detected on the fifth day of the new season, 250 env steps, no false alarm before.
    assert text.count("| no | 5 | 250 |") == 3 * 4
    assert "## A season of the user's own: icy-spring" in text and "1.00 of its 10 days judged new" in text
    assert (tmp_path / "confusion.png").read_bytes()[:4] == b"\x89PNG"
    assert report(results, tmp_path) + "\n" == text
