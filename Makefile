# Two entry points a new user needs: `make run` (set up, then run the default scenario)
# and `make test` (set up, then lint and run the test suite). Both create .venv on first use.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup lint bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/escalade run levant-2024 --runs 20000

lint: $(STAMP)
	$(BIN)/ruff check escalade tests

test: $(STAMP) lint
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/escalade bench

clean:
	rm -rf $(VENV) build *.egg-info
