"""The grid file of ``evergreen sweep``: a product of methods, seeds, season sequences and option sets.

A grid file (see ``experiments/configs/grids/``)::

    base: ../four_seasons.yaml        # a training config file, relative to the grid file (default: none)
    config: {steps: 20000}            # training-config keys over the base's (not method or seed)
    method_options:                   # a method's options in every run of it (not in run names: its set-up here)
      progressive: {column_init: random}
    methods: [finetune, replay]       # agent.METHODS
    seeds: [0, 1, 2]
    seasons:                          # named season sequences (default: the base config's, unnamed)
      two_years: [spring, summer, autumn, winter, spring, summer, autumn, winter]
    options:                          # method-option sets, each applied to every method (default: one, empty)
      - {}
      - {states_per_season: 1000}
    report: docs/bench                # where `compare` writes the grid's report (default: STORAGE/<grid>_report)
    also:                             # further products, trained but not in the report (e.g. seed-0 sweeps)
      - {methods: [replay], seeds: [0], options: [{states_per_season: 50000}]}
      - {methods: [ewc], seeds: [0, 1, 2], in_report: true}  # ... unless they say so: fewer seeds of more methods

Every run of the products is one run folder ``STORAGE/<name>``, named from its identity by
:func:`experiments.sweep.runs.run_name` (method, options, sequence name, seed). The report holds the
runs of the main product (the top-level keys) and of the further products marked ``in_report``, one
report per season sequence and option set (in subfolders named after them when there are several),
since ``compare`` compares the methods of one sequence. Every problem (an unknown key, method or season, an empty product) is a
:class:`ConfigError` naming the grid file and the valid choices, in one line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from agent import METHODS
from envs.yaml_files import read_yaml
from experiments.pipeline.config import ConfigError
from experiments.sweep.runs import RunSpec, option_suffix, run_name, run_spec


def _known_method(method: str) -> str:
    """``method`` if it is one of ``agent.METHODS``; a validation error naming them otherwise."""
    if method not in METHODS:
        message = f"unknown method {method!r}; valid methods: {', '.join(METHODS)}"
        raise PydanticCustomError("grid", "{message}", {"message": message})
    return method


NonEmpty = Field(min_length=1)


def _no_options() -> list[dict[str, Any]]:
    """One option set, empty: every method with the base config's options."""
    return [{}]


#: A season sequence's name: part of run folder and report folder names, so no separators or spaces.
SequenceName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]


class Product(BaseModel):
    """Methods × seeds × season sequences × option sets."""

    model_config = ConfigDict(extra="forbid")

    methods: Annotated[list[Annotated[str, AfterValidator(_known_method)]], NonEmpty]
    seeds: Annotated[list[Annotated[int, Field(strict=True, ge=0)]], NonEmpty]
    seasons: Annotated[dict[SequenceName, Annotated[list[str], NonEmpty]], NonEmpty] | None = None
    options: Annotated[list[dict[str, Any]], NonEmpty] = Field(default_factory=_no_options)


class FurtherProduct(Product):
    """A product of ``also``: trained, and in the report only when ``in_report`` (e.g. more methods on fewer seeds)."""

    in_report: bool = False


class GridModel(Product):
    """A grid file: its main product, the base config, the report folder and further products."""

    base: str | None = None
    config: dict[str, Any] = Field(default_factory=dict)
    method_options: dict[Annotated[str, AfterValidator(_known_method)], dict[str, Any]] = Field(default_factory=dict)
    report: str | None = None
    also: list[FurtherProduct] = Field(default_factory=list)


#: The keys of a grid file.
GRID_KEYS = tuple(GridModel.model_fields)
PRODUCT_KEYS = tuple(FurtherProduct.model_fields)


def _one_line(error: ValidationError, path: Path) -> str:
    """The first problem of a grid file's validation, in one line naming the file."""
    detail = error.errors()[0]
    location = ".".join(str(part) for part in detail["loc"])
    if detail["type"] == "extra_forbidden":
        valid = PRODUCT_KEYS if "also" in map(str, detail["loc"][:-1]) else GRID_KEYS
        return f"grid key {location!r} in {path} is unknown; valid keys: {', '.join(valid)}"
    if detail["type"] == "grid":
        return f"{detail['msg']} (in {path})"
    if detail["type"] == "missing":
        return f"grid file {path} gives no {location}; a grid needs methods and seeds (keys: {', '.join(GRID_KEYS)})"
    if detail["type"] == "too_short":
        return f"{location} in {path} is empty: the grid would have no run; give at least one value"
    return f"{location} in {path}: {detail['msg']}"


class Grid:
    """A grid file read and checked: its runs (every config resolved) and its report."""

    def __init__(self, path: Path, model: GridModel) -> None:
        """``path``: the grid file (relative paths in it are relative to its folder); ``model``: its content."""
        self.path = Path(path)
        self.model = model
        self.base = (self.path.parent / model.base) if model.base else None
        if "method" in model.config or "seed" in model.config:
            raise ConfigError(f"config in {self.path} may not set method or seed; the grid's methods and seeds give them")
        self.main = self._runs(model)
        ordered = [run for runs in self.main.values() for run in runs]  # trained in the order the file lists them
        for product in model.also:
            for group, runs in self._runs(product).items():
                ordered += runs
                if product.in_report:  # a run in two reported products is compared once
                    reported = self.main.setdefault(group, [])
                    reported += [run for run in runs if run.name not in {r.name for r in reported}]
        self.runs = _unique(ordered, self.path)

    @property
    def name(self) -> str:
        """The grid's name: its file's stem."""
        return self.path.stem

    def report_dir(self, storage: Path) -> Path:
        """Where the report goes: the grid's ``report`` (relative to the working folder), or ``STORAGE/<grid>_report``."""
        return Path(self.model.report) if self.model.report else storage / f"{self.name}_report"

    def reports(self, storage: Path) -> dict[Path, list[RunSpec]]:
        """Report folder -> the runs it compares: one per season sequence and option set of the reported products."""
        root = self.report_dir(storage)
        if len(self.main) == 1:
            return {root: next(iter(self.main.values()))}
        return {root / (group or "default"): runs for group, runs in self.main.items()}

    def _runs(self, product: Product) -> dict[str, list[RunSpec]]:
        """The runs of one product, by report group (sequence name and option set), seed-major within a group."""
        sequences: dict[str | None, list[str] | None] = {None: None}
        if product.seasons:
            sequences = {name: seasons for name, seasons in product.seasons.items()}
        groups: dict[str, list[RunSpec]] = {}
        for sequence, seasons in sequences.items():
            for options in product.options:
                group = (f"{sequence}" if sequence else "") + option_suffix(options)
                runs = groups.setdefault(group.lstrip("-"), [])
                for seed in product.seeds:
                    for method in product.methods:
                        name = run_name(method, seed, options, sequence)
                        set_up = {**self.model.method_options.get(method, {}), **options}
                        try:
                            runs.append(run_spec(name, method, seed, self.base, self.model.config, set_up, seasons))
                        except ConfigError as error:  # the run's own message, and where it comes from
                            raise ConfigError(f"{error} (run {name} of {self.path})") from None
        return groups


def _unique(runs: list[RunSpec], path: Path) -> list[RunSpec]:
    """Each run once (products may overlap); two different configs under one name are refused."""
    seen: dict[str, RunSpec] = {}
    for run in runs:
        if run.name in seen and seen[run.name].config != run.config:
            raise ConfigError(f"two runs of {path} are both named {run.name} with different configs; name the sequences apart")
        seen.setdefault(run.name, run)
    return list(seen.values())


def load_grid(path: str | Path) -> Grid:
    """Read and check a grid file, resolving every run's config; :class:`ConfigError` naming the file and the problem."""
    path = Path(path)
    try:
        data = read_yaml(path, "grid file")
    except ValueError as error:
        raise ConfigError(str(error)) from None
    if not isinstance(data, dict):
        raise ConfigError(f"grid file {path} must hold a mapping of keys: {', '.join(GRID_KEYS)}")
    try:
        model = GridModel.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_one_line(error, path)) from None
    if model.base and not (path.parent / model.base).is_file():
        raise ConfigError(f"base config {path.parent / model.base} (base: in {path}) does not exist; give a config file")
    return Grid(path, model)
