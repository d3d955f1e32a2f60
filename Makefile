PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip

.PHONY: demo test lint typecheck unit bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.installed: $(BIN)/activate pyproject.toml
	$(PIP) install -q -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/activate pyproject.toml
	$(PIP) install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/databorder scan src/databorder/samples --json out/demo-inventory.json

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

unit: $(VENV)/.installed-dev
	$(BIN)/pytest -n 2 -q

test: lint typecheck unit

bench: $(VENV)/.installed-dev
	$(PIP) install -q -e '.[bench]'
	$(BIN)/python bench/accuracy.py
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/detectors.py
	$(BIN)/python bench/memory.py

clean:
	rm -rf $(VENV) out .mypy_cache .ruff_cache .pytest_cache
