# Mesa: `make run` serves the portal on http://localhost:8501, `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
PYTEST_ARGS ?=

.PHONY: run test install install-dev migrate demo lint screenshots clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python -m core migrate

demo: migrate
	$(BIN)/python -m core seed-demo --if-empty

run: demo
	$(BIN)/python -m streamlit run Home.py --server.port $(PORT)

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Scale benchmarks (docs/benchmarks.md): make bench BENCH_ARGS="--tickets 100000 --repeat 20"
BENCH_ARGS ?= --tickets 10000
bench: install-dev
	$(BIN)/python -m bench $(BENCH_ARGS)

screenshots: install-dev  # the journeys in Chromium, saving desktop and phone screenshots to docs/screenshots
	MESA_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -n0 tests/e2e/test_journeys.py tests/e2e/test_guards.py

lint: install-dev
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
