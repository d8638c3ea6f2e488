# The README's commands. `make run` and `make test` each set up what they need on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CONFIG ?= $(if $(wildcard monitor.yaml),monitor.yaml,)
CONFIG_FLAG := $(if $(CONFIG),--config $(CONFIG),)
# pytest-xdist workers for `make pytest` (one per core); PYTEST_WORKERS=0 runs the suite in one process.
PYTEST_WORKERS ?= auto

.PHONY: run test check lint typecheck contract pytest bench install install-dev clean

run: $(VENV)/.installed  ## create .venv, install, migrate the database and start the daemon
	$(BIN)/monitor $(CONFIG_FLAG) db upgrade
	$(BIN)/monitor $(CONFIG_FLAG) run

test: check pytest  ## install the dev tools, then lint, type-check and run the whole suite

check: lint typecheck contract

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

contract: $(VENV)/.installed-dev  ## the layering (tests/test_import_contract.py): a wrong import fails the build
	$(BIN)/pytest -q -p no:cacheprovider tests/test_import_contract.py

pytest: $(VENV)/.installed-dev
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench match
	$(BIN)/python -m bench rescore
	$(BIN)/python -m bench digest
	$(BIN)/python -m bench stories
	$(BIN)/python -m bench ingest

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is needed; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
