"""The winter-start study pairs the archived runs of ``column_init: best`` with their twins started otherwise in winter."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from experiments.studies import winter_start

RUN = "progressive_seed0"


def test_pairs_runs_by_name_and_reads_both_archives(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    variant = tmp_path / "variant"
    shutil.copytree(winter_start.VARIANT / RUN, variant / RUN)
    shutil.copytree(winter_start.VARIANT / RUN, variant / "not-a-pair_seed0")  # absent from the rule's archive
    rows, pairs = winter_start.paired_rows(winter_start.RULE, variant)
    assert [row[0] for row in rows] == [RUN]
    ours = json.loads((winter_start.RULE / RUN / "metrics.json").read_text())
    theirs = json.loads((variant / RUN / "metrics.json").read_text())
    assert pairs["winter final"] == [("progressive", ours["final_normalized"][-1], theirs["final_normalized"][-1])]
    assert pairs["A"] == [("progressive", ours["average_return"], theirs["average_return"])]
    assert rows[0][1] == ours["column_starts"][-1]["chosen"]
    winter_start.app(["--variant", str(variant)])
    out = capsys.readouterr().out
    assert "layers higher in" in out and "| progress-compress | n/a | n/a | n/a |" in out
    winter_start.app(["--variant", str(variant), "--label", "fresh"])  # another variant, named by --label
    out = capsys.readouterr().out
    assert "winter final: rule / fresh" in out and "fresh minus the rule, mean" in out
