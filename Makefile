# Two entry points a new user needs: `make run` (set up, then run the default scenario)
# and `make test` (set up, then lint and run the test suite). Both create .venv on first use.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup lint bench browser clean fuzz

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/escalade run levant-2024 --runs 20000 --keep-paths
	$(BIN)/escalade report latest --out escalade-results/report.html

lint: $(STAMP)
	$(BIN)/ruff check escalade tests

# The report test opens pages in Debian's chromium (never a downloaded browser). Installed here
# when missing and possible (root or passwordless sudo); otherwise that one test is skipped,
# unless ESCALADE_REQUIRE_BROWSER=1 (as in CI), which makes a missing browser a failure.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then S=""; else S="sudo -n"; fi; \
	  echo "installing Debian's chromium for the browser test..."; \
	  { $$S apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$S apt-get install -y -qq chromium >/dev/null; } \
	  || echo "chromium could not be installed: the browser test will be skipped"; }

test: $(STAMP) lint browser
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/escalade bench

# 10,000 seeded mutations of the default scenario (deleted fields, wrong types, extreme numbers,
# duplicates, deep nesting, aliases, bad bytes ...): prints the tally by category and fails on any
# traceback, unclear message, hang or crash. FUZZ_CASES=... FUZZ_SEED=... to change.
FUZZ_CASES ?= 10000
FUZZ_SEED ?= 0
fuzz: $(STAMP)
	$(BIN)/python bench/fuzz.py --cases $(FUZZ_CASES) --seed $(FUZZ_SEED)

clean:
	rm -rf $(VENV) build *.egg-info
