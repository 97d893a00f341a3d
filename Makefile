# Mesa: `make run` serves the portal on http://localhost:8501 (and the REST API on :8502), `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
PYTEST_ARGS ?=

.PHONY: run test test-fast install install-dev migrate demo lint screenshots clean bench lock upgrade

# Dependencies: the ranges are in pyproject.toml ([project] dependencies, and the `dev` extra); the exact versions,
# with their hashes, in requirements.lock (runtime) and requirements-dev.lock (runtime + dev), both committed.
# pip install checks every download against those hashes (the hashes come from the files themselves, so the local
# file indexes in pip's configuration give the same ones as PyPI).
# The lock files are written by pip-compile (pip-tools, a dev dependency) rather than `uv pip compile`: pip-compile
# resolves with pip itself and reads pip's own configuration (the machine's extra local indexes, find-links and
# constraints) with no extra flags, and it is installed into .venv from the same lock file, with no separate binary.
# It resolves for the Python running it (python3, 3.11 here). The dev lock is constrained by requirements.lock, so
# the runtime packages have the same versions in both.
# `make lock` after changing pyproject.toml (keeps every pin it can); `make upgrade` moves everything to the newest
# versions the ranges allow, reinstalls and runs the suite.
PIP_COMPILE = $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

lock: install-dev
	$(PIP_COMPILE) $(LOCK_ARGS) -o requirements.lock pyproject.toml
	$(PIP_COMPILE) $(LOCK_ARGS) --extra dev -c requirements.lock -o requirements-dev.lock pyproject.toml

upgrade: install-dev
	$(MAKE) lock LOCK_ARGS=--upgrade
	$(BIN)/pip-sync --quiet requirements-dev.lock
	touch $(VENV)/.installed-dev
	$(MAKE) test

# `make run PORT=8601` serves on port 8601, and the links in the emails it sends point there too: MESA_BASE_URL is
# set to http://localhost:$(PORT) for the demo data and the server, unless MESA_BASE_URL is set in the environment or
# in .env (core/config.py reads both; the environment would win over .env, so .env is looked at here).
ifeq ($(MESA_BASE_URL)$(shell grep -isE '^[[:space:]]*(export[[:space:]]+)?MESA_BASE_URL[[:space:]]*=' .env 2>/dev/null),)
RUN_ENV = MESA_BASE_URL=http://localhost:$(PORT)
endif

migrate: install
	$(BIN)/python -m core migrate

demo: migrate
	$(RUN_ENV) $(BIN)/python -m core seed-demo --if-empty

# The REST API (python -m core api, MESA_API_PORT, default 8502) runs beside the portal, in the background, and is
# stopped with it (Ctrl+C or the portal ending).
run: demo
	$(RUN_ENV) $(BIN)/python -m core api & api=$$!; trap 'kill $$api 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(BIN)/python -m streamlit run Home.py --server.port $(PORT)

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Quick feedback: everything but the tests marked slow (browser journeys, faults, load, benchmarks, single tests over
# ~10 s): about 260 s of CPU, so 2-3 minutes on two idle cores. `make test` (and CI) still runs them all.
test-fast: install-dev
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

# Scale benchmarks (docs/benchmarks.md): make bench BENCH_ARGS="--tickets 100000 --repeat 20"
BENCH_ARGS ?= --tickets 10000
bench: install-dev
	$(BIN)/python -m bench $(BENCH_ARGS)

screenshots: install-dev  # the journeys in Chromium, saving desktop and phone screenshots to docs/screenshots
	MESA_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -n0 tests/e2e/test_journeys.py tests/e2e/test_guards.py tests/e2e/test_workspace.py \
		tests/e2e/test_knowledge.py tests/e2e/test_reports.py

lint: install-dev
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
