"""Seasons as data: :class:`SeasonSpec` holds every parameter that differs between seasons.

The four default seasons live in ``envs/seasons/<name>.yaml``; users describe their own in the
same format and pass ``season="path/to/file.yaml"`` (a file holding one season) or
``season="path/to/file.yaml:name"`` (a file holding several under a top-level ``seasons:`` key).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from envs.yaml_files import read_yaml

#: Plant kinds, in the order of the observation's kind one-hot.
PLANT_KINDS: tuple[str, ...] = ("seedling", "bulb", "evergreen")
#: Obstacle kinds: bushes and snow drifts block the rover; leaf piles drag at its wheels.
OBSTACLE_KINDS: tuple[str, ...] = ("bush", "leaf_pile", "snow_drift")
#: Names of the default seasons, in their natural order (their one-hot indices 0..3).
DEFAULT_SEASON_NAMES: tuple[str, ...] = ("spring", "summer", "autumn", "winter")
#: Length of the season one-hot at the end of an observation (``observe_season=True``): the
#: number of season slots a learner can tell apart.
MAX_SEASONS = 8


@dataclass(frozen=True)
class RewardWeights:
    """Weights of the named reward terms (see the env docstring's Rewards section)."""

    watered: float = 1.0
    """Paid once each time a thirsty plant is brought above the moisture threshold."""
    progress: float = 2.0
    """Per metre the nozzle closes on the nearest plant that still needs water (shaping)."""
    damage: float = 1.0
    """Penalty the first time a dormant plant is watered (frost damage in winter, rot otherwise)."""
    trample: float = 1.0
    """Penalty for each plant the rover hits: it runs the plant over, and the plant is lost for the day."""
    collision: float = 0.1
    """Penalty per control step the rover touches an obstacle (bush, snow drift)."""
    time: float = 0.01
    """Penalty per control step (the day is short)."""
    energy: float = 0.01
    """Penalty per control step the pump runs."""


@dataclass(frozen=True)
class ObstacleSpec:
    """A fixed obstacle of a season: a ``bush`` or ``snow_drift`` (solid) or a ``leaf_pile`` (drag zone).

    Positions are in metres in the garden frame (the garden spans -2..2 on both axes).
    ``size`` is (radius, height) for bushes and leaf piles and (half-x, half-y, height) for drifts.
    """

    kind: str
    x: float
    y: float
    size: tuple[float, ...]


@dataclass(frozen=True)
class SeasonSpec:
    """Every parameter that differs between seasons.

    A spec is validated on construction and round-trips through YAML
    (:meth:`to_yaml` / :meth:`from_yaml`).
    """

    name: str
    """Season name, shown in ``info["season"]`` and on rendered frames."""
    index: int
    """Position of the season in the one-hot appended when ``observe_season=True``."""
    thirsty_kinds: tuple[str, ...]
    """Plant kinds that need water this season."""
    dormant_kinds: tuple[str, ...] = ()
    """Plant kinds that must not be watered this season."""
    thirsty_plants: int = 2
    """Plants that need water, per episode."""
    dormant_plants: int = 1
    """Plants that must not be watered, per episode."""
    episode_steps: int = 60
    """Control steps of daylight per episode (5 per simulated second)."""
    ground_friction: float = 0.9
    """Coulomb friction of the ground (wheels have 1.0): ice is low."""
    ground_color: tuple[float, float, float] = (0.35, 0.6, 0.25)
    """RGB of the ground, for rendering."""
    drag: float = 0.0
    """Rolling resistance of the ground (N per m/s): mud and snow slow the rover."""
    wind_mean: float = 0.0
    """Mean wind force on the rover (N); its direction is drawn per episode."""
    wind_gust: float = 0.0
    """Amplitude of wind gusts (N) on top of the mean."""
    rain_rate: float = 0.0
    """Moisture rain adds to every plant per control step."""
    dry_rate: float = 0.0
    """Moisture every plant loses per control step (heat)."""
    redry: bool = False
    """Whether a watered thirsty plant can dry below the threshold again within the episode."""
    temperature_c: float = 15.0
    """Mean air temperature (degrees C), an ambient reading in the observation."""
    obstacles: tuple[ObstacleSpec, ...] = ()
    """Fixed obstacles of the season."""
    rewards: RewardWeights = field(default_factory=RewardWeights)
    """Weights of the reward terms."""

    def __post_init__(self) -> None:
        # YAML gives lists; normalise to tuples so specs stay hashable and comparable.
        object.__setattr__(self, "thirsty_kinds", tuple(self.thirsty_kinds))
        object.__setattr__(self, "dormant_kinds", tuple(self.dormant_kinds))
        object.__setattr__(self, "ground_color", tuple(float(c) for c in self.ground_color))
        obstacles = tuple(o if isinstance(o, ObstacleSpec) else ObstacleSpec(**_obstacle_fields(o)) for o in self.obstacles)
        object.__setattr__(self, "obstacles", obstacles)
        if isinstance(self.rewards, dict):
            object.__setattr__(self, "rewards", _build(RewardWeights, self.rewards, "rewards"))
        self.validate()

    # ------------------------------------------------------------------ validation
    def validate(self) -> None:
        """Raise ``ValueError`` naming the first field outside its allowed range."""
        if not isinstance(self.name, str) or not self.name:
            raise ValueError("SeasonSpec.name must be a non-empty string")
        _check_int(self, "index", 0, 63)
        _check_int(self, "thirsty_plants", 1, 16)
        _check_int(self, "dormant_plants", 0, 16)
        _check_int(self, "episode_steps", 10, 2000)
        _check_range(self, "ground_friction", 0.01, 3.0)
        _check_range(self, "drag", 0.0, 100.0)
        _check_range(self, "wind_mean", 0.0, 50.0)
        _check_range(self, "wind_gust", 0.0, 50.0)
        _check_range(self, "rain_rate", 0.0, 0.1)
        _check_range(self, "dry_rate", 0.0, 0.1)
        _check_range(self, "temperature_c", -40.0, 50.0)
        if len(self.ground_color) != 3 or not all(0.0 <= c <= 1.0 for c in self.ground_color):
            raise ValueError(f"SeasonSpec.ground_color must be three numbers in [0, 1], got {self.ground_color}")
        for kinds_field in ("thirsty_kinds", "dormant_kinds"):
            for kind in getattr(self, kinds_field):
                if kind not in PLANT_KINDS:
                    raise ValueError(
                        f"SeasonSpec.{kinds_field}: unknown plant kind {kind!r}; valid kinds: {', '.join(PLANT_KINDS)}"
                    )
        if not self.thirsty_kinds:
            raise ValueError("SeasonSpec.thirsty_kinds must name at least one plant kind")
        overlap = set(self.thirsty_kinds) & set(self.dormant_kinds)
        if overlap:
            raise ValueError(f"SeasonSpec: plant kinds {sorted(overlap)} cannot be both thirsty and dormant")
        if self.dormant_plants > 0 and not self.dormant_kinds:
            raise ValueError("SeasonSpec.dormant_plants > 0 needs at least one dormant_kinds entry")
        for obstacle in self.obstacles:
            _validate_obstacle(obstacle)
        for name in (f.name for f in dataclasses.fields(RewardWeights)):
            if getattr(self.rewards, name) < 0.0:
                raise ValueError(
                    f"SeasonSpec.rewards.{name} must be >= 0 (penalties are subtracted), got {getattr(self.rewards, name)}"
                )

    @property
    def n_plants(self) -> int:
        """Plants per episode."""
        return self.thirsty_plants + self.dormant_plants

    # ------------------------------------------------------------------ YAML round trip
    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (lists, floats, dicts), as written to YAML."""
        data = dataclasses.asdict(self)
        data["thirsty_kinds"] = list(self.thirsty_kinds)
        data["dormant_kinds"] = list(self.dormant_kinds)
        data["ground_color"] = list(self.ground_color)
        data["obstacles"] = [{**dataclasses.asdict(o), "size": list(o.size)} for o in self.obstacles]
        return data

    def to_yaml(self) -> str:
        """Serialise to a YAML document that :meth:`from_yaml` reads back to an equal spec."""
        return yaml.safe_dump(self.to_dict(), sort_keys=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SeasonSpec:
        """Build a spec from plain data, rejecting unknown keys by name."""
        return _build(cls, data, "SeasonSpec")

    @classmethod
    def from_yaml(cls, text: str) -> SeasonSpec:
        """Parse one season from a YAML document (``yaml.safe_load``)."""
        data = yaml.safe_load(text)
        if not isinstance(data, dict):
            raise ValueError("a season YAML document must be a mapping of SeasonSpec fields")
        return cls.from_dict(data)

    def replace(self, **changes: Any) -> SeasonSpec:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def fingerprint(self) -> str:
        """A short stable hash of the spec, for caches keyed by season content."""
        blob = json.dumps(self.to_dict(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


# ---------------------------------------------------------------------- helpers
def _check_range(spec: SeasonSpec, name: str, low: float, high: float) -> None:
    value = getattr(spec, name)
    if not isinstance(value, int | float) or isinstance(value, bool) or not low <= float(value) <= high:
        raise ValueError(f"SeasonSpec.{name} must be in [{low}, {high}], got {value!r}")


def _check_int(spec: SeasonSpec, name: str, low: int, high: int) -> None:
    value = getattr(spec, name)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"SeasonSpec.{name} must be an integer in [{low}, {high}], got {value!r}")


def _obstacle_fields(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValueError(f"SeasonSpec.obstacles entries must be mappings, got {data!r}")
    known = {f.name for f in dataclasses.fields(ObstacleSpec)}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"SeasonSpec.obstacles: unknown keys {sorted(unknown)}; valid keys: {', '.join(sorted(known))}")
    return {**data, "size": tuple(float(s) for s in data.get("size", ()))}


def _validate_obstacle(obstacle: ObstacleSpec) -> None:
    if obstacle.kind not in OBSTACLE_KINDS:
        raise ValueError(f"SeasonSpec.obstacles: unknown kind {obstacle.kind!r}; valid kinds: {', '.join(OBSTACLE_KINDS)}")
    expected = 3 if obstacle.kind == "snow_drift" else 2
    if len(obstacle.size) != expected or not all(0.02 <= s <= 2.0 for s in obstacle.size):
        raise ValueError(
            f"SeasonSpec.obstacles: a {obstacle.kind} needs size of {expected} numbers in [0.02, 2.0], got {obstacle.size}"
        )
    if not (-2.0 <= obstacle.x <= 2.0 and -2.0 <= obstacle.y <= 2.0):
        raise ValueError(
            f"SeasonSpec.obstacles: position ({obstacle.x}, {obstacle.y}) must lie in the garden, [-2, 2] on both axes"
        )


def _build(cls: type, data: dict[str, Any], where: str) -> Any:
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}; valid keys: {', '.join(sorted(known))}")
    try:
        return cls(**data)
    except TypeError as exc:  # missing required fields
        raise ValueError(f"{where}: {exc}") from None


# ---------------------------------------------------------------------- lookup
def default_season(name: str) -> SeasonSpec:
    """Load one of the default seasons shipped in ``envs/seasons/``."""
    if name not in DEFAULT_SEASON_NAMES:
        raise ValueError(
            f"unknown season {name!r}; valid seasons: {', '.join(DEFAULT_SEASON_NAMES)} (or a path to a season YAML file)"
        )
    text = resources.files("envs").joinpath("seasons", f"{name}.yaml").read_text()
    return SeasonSpec.from_yaml(text)


def default_seasons() -> dict[str, SeasonSpec]:
    """All default seasons by name, in their natural order."""
    return {name: default_season(name) for name in DEFAULT_SEASON_NAMES}


def load_season_file(path: str, name: str | None = None) -> SeasonSpec:
    """Read a season from a YAML file: a single spec, or several under ``seasons:`` picked by ``name``."""
    data = read_yaml(path, "season file")
    if isinstance(data, dict) and "seasons" in data:
        specs = data["seasons"]
        if not isinstance(specs, dict):
            raise ValueError(f"{path}: 'seasons' must map season names to specs")
        if name is None:
            if len(specs) != 1:
                raise ValueError(f"{path} holds several seasons; pick one with '{path}:NAME', valid names: {', '.join(specs)}")
            name = next(iter(specs))
        if name not in specs:
            raise ValueError(f"{path} has no season {name!r}; valid names: {', '.join(specs)}")
        entry = dict(specs[name] or {})
        entry.setdefault("name", name)
        return SeasonSpec.from_dict(entry)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a season file must hold a mapping of SeasonSpec fields")
    spec = SeasonSpec.from_dict(data)
    if name is not None and name != spec.name:
        raise ValueError(f"{path} holds season {spec.name!r}, not {name!r}")
    return spec


def split_season_file(season: str) -> tuple[str, str | None] | None:
    """``(path, name or None)`` of a ``file.yaml`` / ``file.yaml:name`` reference; None for anything else."""
    if ".yaml:" in season:
        path, _, name = season.partition(".yaml:")
        return path + ".yaml", name
    if season.endswith((".yaml", ".yml")):
        return season, None
    return None


def resolve_season(season: str | SeasonSpec) -> SeasonSpec:
    """Turn a default season name, ``file.yaml``, ``file.yaml:name`` or a spec into a :class:`SeasonSpec`."""
    if isinstance(season, SeasonSpec):
        return season
    if not isinstance(season, str):
        raise ValueError(f"season must be a name, a YAML path or a SeasonSpec, got {type(season).__name__}")
    if season in DEFAULT_SEASON_NAMES:
        return default_season(season)
    reference = split_season_file(season)
    if reference is not None:
        return load_season_file(*reference)
    raise ValueError(
        f"unknown season {season!r}; valid seasons: {', '.join(DEFAULT_SEASON_NAMES)} (or a path to a season YAML file)"
    )


def season_label(season: str | SeasonSpec) -> str:
    """A season's display name: the spec's ``name`` (a YAML path shows as the season it holds)."""
    return resolve_season(season).name
