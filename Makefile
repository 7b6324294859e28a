# Two commands for a newcomer: `make run` serves the demo borough, `make test` runs the whole suite.
# Also: `make test-fast` (no browser tests), `make lint` (ruff, formatting, mypy, import contracts), `make lock`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: install run test test-fast lint lock clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "resettle needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Installs the exact versions in the lock file, each checked against its hash.
$(VENV)/.installed: requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

resettle/static/dist/.built: node_modules/.installed scripts/build-assets.mjs $(wildcard resettle/static/scss/*.scss) resettle/static/favicon.svg
	npm run --silent build
	touch $@

install: $(VENV)/.installed resettle/static/dist/.built

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo --if-empty
	@echo "Serving Resettle on http://127.0.0.1:5000 (Ctrl+C to stop)"
	RUN_QUEUE_IN_PROCESS=1 $(BIN)/flask run --host 127.0.0.1 --port 5000

# Two worker processes (pytest-xdist): each gets a database of its own, SQLite in memory or PostgreSQL.
TEST_WORKERS ?= 2

test: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

# The inner loop: everything but the browser tests, in parallel.
test-fast: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not browser"

# Needs only the Python tools (not the front-end build).
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Recompile the lock files from requirements*.txt, keeping every pin that still fits its range (so adding one
# dependency changes only what it brings). `make lock LOCK_ARGS=--upgrade` moves everything to the newest versions.
PIP_COMPILE = $(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links --no-emit-trusted-host $(LOCK_ARGS)

lock: | $(BIN)/python
	$(BIN)/pip install --quiet "pip-tools>=7.4"
	$(PIP_COMPILE) --output-file requirements.lock requirements.txt
	$(PIP_COMPILE) --constraint requirements.lock --output-file requirements-dev.lock requirements-dev.txt

clean:
	rm -rf $(VENV) node_modules resettle/static/dist
