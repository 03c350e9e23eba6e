# The two commands of the README: `make run` and `make test`. Both set themselves up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## set up, migrate the database and run the app (Socket Mode or HTTP, by the settings)
run: $(STAMP)
	$(BIN)/hiyoko run

## set up and run the checks: ruff (lint and format), mypy, then the test suite on SQLite and on PostgreSQL
## (the PostgreSQL half starts the local server when it can, else says why it is skipped)
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	HIYOKO_TEST_POSTGRES_URL="$$(scripts/postgres-url)" $(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

bench: $(STAMP)
	$(BIN)/python -m bench.submit_burst
	$(BIN)/python -m bench.submit_burst --slack-latency 2 --acks-only
	$(BIN)/python -m bench.backlog_drain
	$(BIN)/python -m bench.delivery_drills
	$(BIN)/python -m bench.jobs_100k
	$(BIN)/python -m bench.routing
	$(BIN)/python -m bench.readback
	$(BIN)/python -m bench.hearing
	$(BIN)/python -m bench.crm

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
