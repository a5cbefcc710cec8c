# Two entry points, each setting everything up first in a project-local virtualenv:
#   make demo   the main job: the quick preset (train six methods, compare, render the final agents)
#   make test   lint, format check, type check, import layers and the test suite (what CI runs)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Where a machine keeps local wheels (the CPU build of torch here), use them first.
FIND_LINKS := $(if $(wildcard /opt/wheels),--find-links /opt/wheels)

.PHONY: setup demo test typecheck pytest lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] >= (3, 11), "Python 3.11+ is required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# requirements.lock pins every package (torch to the CPU build 2.13.0).
	$(BIN)/python -m pip install --quiet $(FIND_LINKS) -c requirements.lock -e ".[dev]"
	touch $(STAMP)

demo: setup
	OMP_NUM_THREADS=1 $(BIN)/python -m experiments.quick

# mypy (one process, ~45 s cold) and pytest (two pytest-xdist workers; an idle one steals tests from the
# other) run side by side: mypy fills the gaps the workers leave, and `make test` ends with the longer.
# tests/test_architecture.py checks the import layers (import-linter) and that no import cycle exists.
test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MAKE) --no-print-directory -j2 typecheck pytest

typecheck: setup
	$(BIN)/mypy

pytest: setup
	OMP_NUM_THREADS=1 PYTHONHASHSEED=0 $(BIN)/python -m pytest -q -n 2 --dist worksteal

lint:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
