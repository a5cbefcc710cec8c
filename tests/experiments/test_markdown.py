"""The one markdown table helper."""

from __future__ import annotations

import pytest

from experiments.report.markdown import markdown_table


def test_header_rule_and_rows() -> None:
    table = markdown_table(["method", "A", "F"], [["finetune", "0.36", "0.47"], ("replay", 0.66, 3)])
    assert table == "| method | A | F |\n|---|---|---|\n| finetune | 0.36 | 0.47 |\n| replay | 0.66 | 3 |"


def test_empty_cells_and_no_rows() -> None:
    assert markdown_table(["value", "A", "F"], [["1000", "not run yet", ""]]).splitlines()[-1] == "| 1000 | not run yet | |"
    assert markdown_table(["a", "b"], []) == "| a | b |\n|---|---|"


def test_a_row_of_the_wrong_width_is_refused() -> None:
    with pytest.raises(ValueError, match="2 cells but the header 3"):
        markdown_table(["a", "b", "c"], [["1", "2"]])
