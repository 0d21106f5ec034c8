# The two commands: `make run` (the app with demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app

.PHONY: run test lint format bench lock audit clean
# requirements.txt (run) and requirements-dev.txt (run + dev) pin every package, dependencies of
# dependencies included, with hashes: CI, `make run`/`make test` and Heroku's build install exactly
# those files. After changing dependencies in pyproject.toml, run `make lock`.
PIP_TOOLS := pip-tools==7.6.2
PIP_AUDIT := pip-audit==2.10.1
COMPILE := --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-find-links

# `make test` runs the suite in two phases: first on TEST_WORKERS pytest-xdist processes (each
# its own database and Redis database, see tests/workers.py; most tests wait on PostgreSQL or on
# processes they start, so one worker more than cores pays: 3 beat both 2 and 4 on two cores),
# then the `serial` suites (chaos run, browser, Procfile, worker crashes: they time real
# processes) side by side in SERIAL_LANES lanes, each lane's tests in order in one process
# (tests/workers.py: LANES). Last, the time it all took (targets: the first phase within 60 s,
# everything within 3 minutes on two cores).
TEST_WORKERS ?= 3
SERIAL_LANES := 5
# The files of the lanes' tests: the serial phase collects only these (tests/foundation/
# test_lanes.py checks they hold every lane's tests).
SERIAL_PATHS := tests/chaos tests/deploy tests/e2e tests/org/test_picker_browser.py
TEST_STARTED := $(VENV)/.test-started
# pytest rewrites every test module's asserts (~7 s of CPU) unless it may cache the result as
# bytecode: let it, whatever the environment says, and fill that cache once (--collect-only)
# before the workers start, rather than in each of them.
test: export PYTHONDONTWRITEBYTECODE :=

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-run: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/flask db upgrade
	$(BIN)/flask demo seed
	@echo ""
	@echo "  Cezanne HR with the Lever integration: http://127.0.0.1:5000"
	@echo "  Lever simulator:                      http://127.0.0.1:5000/lever-sandbox/"
	@echo "  Sign in with the Administrator shown above."
	@echo ""
	$(BIN)/flask run --host 127.0.0.1 --port 5000

test: $(VENV)/.installed-dev
	@date +%s > $(TEST_STARTED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@out=$$($(BIN)/pytest -q --collect-only 2>&1) || { echo "$$out"; exit 1; }
	$(BIN)/pytest -n $(TEST_WORKERS) -m "not serial"
	$(BIN)/pytest -n $(SERIAL_LANES) --dist loadgroup -m serial $(SERIAL_PATHS)
	@echo "make test: $$(( $$(date +%s) - $$(cat $(TEST_STARTED)) )) s in all (target: 180 s)"

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks

lock: | $(BIN)/python
	$(BIN)/pip install --quiet $(PIP_TOOLS)
	$(BIN)/pip-compile $(COMPILE) -o requirements.txt pyproject.toml
	$(BIN)/pip-compile $(COMPILE) --extra dev -o requirements-dev.txt pyproject.toml

# Needs a vulnerability database (PyPI's advisory service, OSV): not reachable from CI here.
audit: | $(BIN)/python
	$(BIN)/pip install --quiet $(PIP_AUDIT)
	$(BIN)/pip-audit --require-hashes --disable-pip -r requirements.txt
	$(BIN)/pip-audit --require-hashes --disable-pip -r requirements-dev.txt

clean:
	rm -rf $(VENV) instance/lever_cezanne.db
