# Two commands for a newcomer: `make run` serves the demo borough, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: install run test lint clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "resettle needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
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

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) node_modules resettle/static/dist
