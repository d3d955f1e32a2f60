PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip

.PHONY: demo test lint typecheck unit bench clean browser

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
	$(BIN)/databorder audit src/databorder/samples --out out/demo --format html --format sarif --format md

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

unit: $(VENV)/.installed-dev browser
	$(BIN)/pytest -n 2 -q

# Headless Chromium for the browser tests (tests/browser.py): Debian's package, never a download
# by Playwright. Installed when missing and apt-get is usable as root; otherwise a notice, and
# the browser tests skip with the reason (they fail under DATABORDER_REQUIRE_BROWSER_TESTS=1).
CHROMIUM ?= /usr/bin/chromium
browser:
	@if [ -x "$(CHROMIUM)" ]; then \
	  echo "browser: $(CHROMIUM) is installed"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "browser: installing Debian's chromium with apt-get"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null \
	    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive \
	         apt-get install -y -q chromium >/dev/null; } \
	    || echo "browser: NOTICE apt-get could not install chromium; browser tests will skip"; \
	else \
	  echo "browser: NOTICE no $(CHROMIUM), and apt-get as root is not available:" \
	       "browser tests will skip (install it with: sudo apt-get install chromium)"; \
	fi

test: lint typecheck unit

bench: $(VENV)/.installed-dev
	$(PIP) install -q -e '.[bench]'
	$(BIN)/python bench/accuracy.py
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/logs.py
	$(BIN)/python bench/detectors.py
	$(BIN)/python bench/memory.py

clean:
	rm -rf $(VENV) out .mypy_cache .ruff_cache .pytest_cache
