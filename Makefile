# The interface for people and CI alike: make run, make test, make lint, make bench.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export IPFLEET_DATABASE_URL ?= sqlite:///./var/ipfleet.db

# The dependency sets, pinned with hashes (`make lock` writes them from pyproject.toml).
RUN_LOCK := requirements/run.lock
DEV_LOCK := requirements/dev.lock
# uv resolves the locks (pip-tools resolves only for the Python and OS that run it; uv's
# --universal writes one lock, with markers, that holds on any OS and any Python >= 3.11).
# Only `make lock` needs uv, kept apart from the project's packages in $(VENV)/uv;
# installs use plain pip, so `make run` and `make test` need nothing but Python and make.
UV_VERSION := 0.13.9
UV := $(VENV)/uv/bin/uv
UV_STAMP := $(VENV)/uv/.uv-$(UV_VERSION)
LOCK_FLAGS := --universal --python-version 3.11 --generate-hashes --quiet \
	--custom-compile-command 'make lock' --annotation-style line

.PHONY: run test lint typecheck bench clean schemathesis reliability lock lock-upgrade screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Exactly the locked versions (pip checks every hash), then ipfleet itself, editable.
$(VENV)/.installed-run: pyproject.toml $(RUN_LOCK) | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r $(RUN_LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(DEV_LOCK) | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.installed-run

$(UV_STAMP): | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade --target $(VENV)/uv 'uv==$(UV_VERSION)'
	touch $@

# Re-resolve after editing the dependencies in pyproject.toml, keeping every pin that
# still fits; `make lock-upgrade` moves everything to the newest allowed versions. The run
# set is resolved under the dev set's pins, so both locks agree on every shared package.
lock: $(UV_STAMP)
	$(UV) pip compile pyproject.toml --extra postgres --extra dev $(LOCK_FLAGS) $(LOCK_ARGS) \
		-o $(DEV_LOCK)
	$(UV) pip compile pyproject.toml --extra postgres -c $(DEV_LOCK) $(LOCK_FLAGS) \
		-o $(RUN_LOCK)

lock-upgrade:
	$(MAKE) lock LOCK_ARGS=--upgrade

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

# Every dashboard page at 1280x800 and at 390 px wide, from Debian's Chromium, into
# docs/screenshots/ (shown in docs/dashboard.md).
screenshots: $(VENV)/.installed-dev
	$(BIN)/python -m tests.e2e.ui.screenshots docs/screenshots

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
