# The interface for people and CI alike: make run, make test, make lint, make bench.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export IPFLEET_DATABASE_URL ?= sqlite:///./var/ipfleet.db

.PHONY: run test lint typecheck bench clean schemathesis reliability

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[postgres]'
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[postgres,dev]'
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/ipfleet db upgrade
	$(BIN)/ipfleet demo
	$(BIN)/ipfleet serve

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

# Fuzz /v3 with schemathesis against its own /v3/openapi.json, on a fresh seeded server per
# backend: no server errors, no schema violations (tests/e2e/v3/test_schemathesis.py).
schemathesis: $(VENV)/.installed-dev
	$(BIN)/python -m pytest tests/e2e/v3/test_schemathesis.py $(PYTEST_ARGS)

# The reliability harness at full length on both backends (docs/reliability.md): needs
# IPFLEET_TEST_POSTGRES_URL, writes the figures to var/reliability/figures.json.
# `make test` runs the short version of the same tests.
reliability: $(VENV)/.installed-dev
	IPFLEET_RELIABILITY=long IPFLEET_TEST_REQUIRE_POSTGRES=1 \
	IPFLEET_RELIABILITY_FIGURES=var/reliability/figures.json \
	$(BIN)/python -m pytest tests/reliability $(PYTEST_ARGS)

# wrk is the load generator (a Debian package): installed here when we are root, else asked for.
bench: $(VENV)/.installed-dev
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq wrk; } \
		|| { echo "make bench needs wrk: sudo apt-get install wrk" >&2; exit 1; }
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
