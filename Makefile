# Two entry points for a fresh machine that only has Python 3:
#   make demo  — installs into .venv, builds a fresh demo workspace, opens the app
#   make test  — installs into .venv (with test tools) and runs the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_WS := $(CURDIR)/.demo-workspace

.PHONY: demo test lint bench clean

$(BIN)/assises: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(BIN)/assises

demo: $(BIN)/assises
	$(BIN)/assises demo --workspace "$(DEMO_WS)"

test: $(BIN)/assises
	$(BIN)/python -m pytest -q

lint: $(BIN)/assises
	$(BIN)/ruff check assises_tui tests benchmarks

bench: $(BIN)/assises
	$(BIN)/python -m benchmarks.run_all

clean:
	rm -rf $(VENV) $(DEMO_WS)
