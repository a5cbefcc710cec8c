"""What makes each season itself holds in every env version, against thresholds measured on v0.

The numbers come from :func:`envs.season_character.season_character` (scripted manoeuvres in the
env itself). Each threshold says what v0 measured; the numbers of every version are printed by
``python -m experiments.benchmarks.season_character``. A new version (a faster physics, another
solver setting) must keep every season within these bounds, so no speed-up can quietly change one.
Both versions are measured once per test session (under a second each).
"""

from __future__ import annotations

from functools import cache

import pytest

from envs.physics import ENV_VERSIONS
from envs.season_character import season_character

SEASONS = ("spring", "summer", "autumn", "winter")


@cache
def character(version: int) -> dict[str, float]:
    return season_character(version)


@pytest.mark.parametrize("version", ENV_VERSIONS)
def test_ice_slides(version: int) -> None:
    c = character(version)
    # v0 measured 15.7x (0.366 m on ice, 0.023 m on wet grass): a stop on ice takes clearly longer.
    assert c["braking_ratio_ice_grass"] >= 8.0
    # v0 measured 0.366 m on ice: the ice stays as slippery (within 25%), whatever grass does.
    assert 0.27 <= c["braking_winter"] <= 0.46
    # v0 measured 0.012-0.076 m on sand, grass and wet leaves: the wheels' motors stop the rover there.
    for season in ("spring", "summer", "autumn"):
        assert c[f"braking_{season}"] <= 0.12


@pytest.mark.parametrize("version", ENV_VERSIONS)
def test_crossing_times_per_season(version: int) -> None:
    c = character(version)
    # v0 measured 14.55, 14.49, 14.97 and 15.74 control steps for 2.4 m from rest at full
    # command (winter the slowest: the wheels slip as it speeds up); each within 7% of v0's.
    v0 = {"spring": 14.55, "summer": 14.49, "autumn": 14.97, "winter": 15.74}
    for season in SEASONS:
        assert abs(c[f"crossing_{season}"] - v0[season]) <= 0.07 * v0[season], season
    assert c["crossing_winter"] > c["crossing_spring"]


@pytest.mark.parametrize("version", ENV_VERSIONS)
def test_wind_pushes(version: int) -> None:
    c = character(version)
    # v0 measured 0.41 m off the line after 2 s across autumn's gusts, 0.0 m without wind.
    assert 0.2 <= c["gust_drift_autumn"] <= 0.65
    assert c["calm_drift_autumn"] < 0.02


@pytest.mark.parametrize("version", ENV_VERSIONS)
def test_leaf_piles_drag(version: int) -> None:
    # v0 measured 0.70: from rest inside a leaf pile the rover covers 70% of the distance it
    # covers on the same ground without one.
    assert character(version)["leaf_pile_slowdown"] <= 0.8


@pytest.mark.parametrize("version", ENV_VERSIONS)
def test_obstacles_block(version: int) -> None:
    c = character(version)
    # v0 measured -0.18 m (drift) and -0.17 m (bush): the rover's centre stops its half length
    # (0.18 m) short of the face, touching it for 9 and 16 of 25 steps at full command.
    for obstacle in ("drift", "bush"):
        assert c[f"{obstacle}_gap"] <= -0.08, obstacle
        assert c[f"{obstacle}_touching_steps"] >= 5, obstacle


@pytest.mark.parametrize("version", ENV_VERSIONS)
def test_stems_are_hit_not_passed_through(version: int) -> None:
    c = character(version)
    # v0 measured 1 in every season: driving at a stem at full speed runs it over (the contact is seen).
    for season in SEASONS:
        assert c[f"stems_run_over_{season}"] == 1.0, season
