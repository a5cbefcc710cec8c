"""The scripted gardener plays each season well, and its own season's configuration suits it best."""

from __future__ import annotations

import numpy as np
import pytest

import envs
from envs.normalization import ReferenceReturns, gardener_returns, random_returns, reference_returns


@pytest.mark.parametrize("season", envs.DEFAULT_SEASON_NAMES)
def test_gardener_beats_random_by_far(season: str) -> None:
    gardener = gardener_returns(season, episodes=4, seed=50)
    random = random_returns(season, episodes=4, seed=50)
    assert gardener.mean() > random.mean() + 4.0


def test_own_season_configuration_is_best_in_winter() -> None:
    own = gardener_returns("winter", episodes=4, seed=70).mean()
    for other in ("spring", "summer", "autumn"):
        assert gardener_returns("winter", gardener_season=other, episodes=4, seed=70).mean() < own


def test_reference_returns_are_cached(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("EVERGREEN_CACHE", str(tmp_path))
    monkeypatch.setattr("envs.normalization.REFERENCE_EPISODES", 3)
    first = reference_returns("autumn")
    assert (tmp_path / "reference_returns.json").is_file()
    monkeypatch.setattr("envs.normalization.random_returns", lambda *a, **k: pytest.fail("cache not used"))
    assert reference_returns("autumn") == first


def test_normalize_maps_references_to_zero_and_one() -> None:
    reference = ReferenceReturns(random=-2.0, gardener=6.0)
    assert reference.normalize(-2.0) == 0.0 and reference.normalize(6.0) == 1.0
    assert np.allclose(reference.normalize(np.array([2.0])), [0.5])
