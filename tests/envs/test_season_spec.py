"""SeasonSpec: YAML round trip, user season files, and validation of bad values."""

from __future__ import annotations

from pathlib import Path

import gymnasium as gym
import pytest

import envs
from envs.season_spec import ObstacleSpec, SeasonSpec, load_season_file, resolve_season


@pytest.mark.parametrize("season", envs.DEFAULT_SEASON_NAMES)
def test_yaml_round_trip(season: str) -> None:
    spec = envs.default_season(season)
    again = SeasonSpec.from_yaml(spec.to_yaml())
    assert again == spec
    assert again.to_yaml() == spec.to_yaml()


def test_user_season_file_single_and_named(tmp_path: Path) -> None:
    monsoon = envs.default_season("summer").replace(name="monsoon", index=4, rain_rate=0.01, ground_friction=0.4)
    single = tmp_path / "monsoon.yaml"
    single.write_text(monsoon.to_yaml())
    assert resolve_season(str(single)) == monsoon
    several = tmp_path / "tropics.yaml"
    dry = monsoon.replace(name="dry", index=5, rain_rate=0.0)
    several.write_text(
        "seasons:\n"
        + "".join(f"  {s.name}:\n" + "".join(f"    {line}\n" for line in s.to_yaml().splitlines()) for s in (monsoon, dry))
    )
    assert resolve_season(f"{several}:dry") == dry
    env = gym.make("GardenWatering-v0", season=f"{several}:monsoon", observe_season=True)
    _, info = env.reset(seed=0)
    assert info["season"] == "monsoon"
    env.close()
    with pytest.raises(ValueError, match="valid names: monsoon, dry"):
        load_season_file(str(several), "winter")
    with pytest.raises(ValueError, match="holds several seasons"):
        resolve_season(str(several))


def test_unknown_season_lists_valid_names() -> None:
    with pytest.raises(ValueError, match="valid seasons: spring, summer, autumn, winter"):
        gym.make("GardenWatering-v0", season="monsoon")
    with pytest.raises(ValueError, match="does not exist"):
        resolve_season("no/such/file.yaml")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ground_friction": -0.5}, "ground_friction"),
        ({"ground_friction": 10.0}, "ground_friction"),
        ({"thirsty_plants": 0}, "thirsty_plants"),
        ({"episode_steps": 3}, "episode_steps"),
        ({"wind_gust": -1.0}, "wind_gust"),
        ({"dry_rate": 0.5}, "dry_rate"),
        ({"thirsty_kinds": ("cactus",)}, "thirsty_kinds"),
        ({"index": -1}, "index"),
        ({"ground_color": (1.2, 0.0, 0.0)}, "ground_color"),
        ({"obstacles": (ObstacleSpec("boulder", 0.0, 0.0, (0.3, 0.3)),)}, "obstacles"),
    ],
)
def test_out_of_range_values_name_the_field(changes: dict, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        envs.default_season("spring").replace(**changes)


def test_unknown_yaml_key_is_named() -> None:
    text = envs.default_season("spring").to_yaml() + "humidity: 0.9\n"
    with pytest.raises(ValueError, match="unknown keys \\['humidity'\\]"):
        SeasonSpec.from_yaml(text)


def test_more_plants_than_slots_is_refused() -> None:
    crowded = envs.default_season("spring").replace(thirsty_plants=5, dormant_plants=3)
    with pytest.raises(ValueError, match="plant_slots=6"):
        gym.make("GardenWatering-v0", season=crowded)
    env = gym.make("GardenWatering-v0", season=crowded, plant_slots=8)
    env.reset(seed=0)
    env.close()


def test_season_label_is_the_spec_name(tmp_path: Path) -> None:
    assert envs.season_label("winter") == "winter"
    monsoon = envs.default_season("summer").replace(name="monsoon", index=4)
    assert envs.season_label(monsoon) == "monsoon"
    path = tmp_path / "wet.yaml"
    path.write_text(monsoon.to_yaml())
    assert envs.season_label(str(path)) == "monsoon"  # a YAML path shows as the season it holds
    with pytest.raises(ValueError, match="unknown season"):
        envs.season_label("monsoon")


def test_max_seasons_is_the_default_season_one_hot_length() -> None:
    assert envs.MAX_SEASONS == 8
    env = gym.make("GardenWatering-v0", season="winter", observe_season=True)
    names = env.unwrapped.observation_names
    assert env.unwrapped.max_seasons == envs.MAX_SEASONS
    assert names[-envs.MAX_SEASONS :] == [f"season_{i}" for i in range(envs.MAX_SEASONS)]
    env.close()


def test_a_season_file_that_is_not_utf8_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: été\nindex: 5\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"season file .*latin1\.yaml is not UTF-8 text \(byte 0xe9 on line 1\)"):
        resolve_season(str(path))
