# Two commands set everything up on a fresh machine with Python 3.11:
#   make run   - the service on an embedded PostgreSQL, demo data seeded, on http://127.0.0.1:8000
#   make test  - the whole suite against a real PostgreSQL (embedded unless CRM_TEST_DATABASE_URL)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: run test lint format openapi bench clean help

help:
	@echo "make run | test | lint | format | openapi | bench | clean"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Stamps record which requirement files the venv was last installed from.
$(VENV)/.run-deps: requirements.txt pyproject.toml | $(BIN)/python
	$(PIP) install -r requirements.txt
	$(PIP) install --no-deps -e .
	@touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt pyproject.toml | $(BIN)/python
	$(PIP) install -r requirements-dev.txt
	$(PIP) install --no-deps -e .
	@touch $@ $(VENV)/.run-deps

run: $(VENV)/.run-deps
	$(BIN)/crm serve --migrate --seed-demo

test: $(VENV)/.dev-deps
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev-deps
	$(BIN)/ruff check app tests bench migrations
	$(BIN)/ruff format --check app tests bench migrations
	$(BIN)/mypy

format: $(VENV)/.dev-deps
	$(BIN)/ruff check --fix app tests bench migrations
	$(BIN)/ruff format app tests bench migrations

openapi: $(VENV)/.run-deps
	$(BIN)/crm openapi

bench: $(VENV)/.dev-deps
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .crm .pytest_cache .mypy_cache .ruff_cache
