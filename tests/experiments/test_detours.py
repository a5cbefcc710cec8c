"""The detours study: one detour per state the policy acts on (and the last), and the table's shares."""

from __future__ import annotations

from experiments.studies import detours


def test_each_day_has_a_detour_per_state_and_the_row_counts_them() -> None:
    act = detours.players("winter", 1)["gardener"]
    days = detours.day_detours(act, "winter", 3, "GardenWatering-v1")
    assert len(days) == 3 and all(1 < len(day) <= 51 and min(day) >= 0.0 for day in days)
    row = detours.detour_row("gardener", [[0.0, 0.2, 0.0], [0.0, 0.0]], threshold=0.05)
    assert row == ["gardener", "2", "5", "20.0%", "50%", "0.20"]
    assert detours.detour_row("random", [[0.0]], threshold=0.05)[3:] == ["0.0%", "0%", "-"]
