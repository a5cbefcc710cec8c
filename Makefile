# Two entry points, each setting everything up first in a project-local virtualenv:
#   make demo   the main job: the quick preset (train six methods, compare, render the final agents)
#   make test   lint, format check and the test suite (what CI runs)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Where a machine keeps local wheels (the CPU build of torch here), use them first.
FIND_LINKS := $(if $(wildcard /opt/wheels),--find-links /opt/wheels)

.PHONY: setup demo test lint clean

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

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	OMP_NUM_THREADS=1 PYTHONHASHSEED=0 $(BIN)/python -m pytest -q

lint:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
