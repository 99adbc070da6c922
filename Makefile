# Two commands set everything up on a fresh machine with Python 3.11 and Node.js 20+:
#   make run   - the service and its web client on an embedded PostgreSQL, demo data seeded,
#                on http://127.0.0.1:8000
#   make test  - the backend suite against a real PostgreSQL (embedded unless CRM_TEST_DATABASE_URL),
#                then the web client's checks: API types, type check, unit tests, browser tests

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: run test test-api test-web web lint format openapi bench clean help

help:
	@echo "make run | test | test-api | test-web | web | lint | format | openapi | bench | clean"

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

# The web client (frontend/): npm ci when the lock file changed, vite build when a source changed.
WEB         := frontend
WEB_SOURCES := $(shell find $(WEB)/src $(WEB)/public -type f 2>/dev/null) \
               $(addprefix $(WEB)/,index.html vite.config.ts tsconfig.json package.json)

$(WEB)/node_modules/.installed: $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund
	@touch $@

$(WEB)/dist/index.html: $(WEB)/node_modules/.installed $(WEB_SOURCES)
	cd $(WEB) && npm run build
	@touch $@

web: $(WEB)/dist/index.html

# Without npm the API still runs, without its web client.
run: $(VENV)/.run-deps
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory web; \
	else echo "npm not found: serving the API without the web client (install Node.js 20+)"; fi
	$(BIN)/crm serve --migrate --seed-demo

test: test-api
	$(MAKE) --no-print-directory test-web

# The Python suite alone (the API, the domain, the database, the worker).
test-api: $(VENV)/.dev-deps
	$(BIN)/pytest $(PYTEST_ARGS)

# Stale API types, type check, unit tests, then the browser tests (their own server, chromium
# installed when missing).
test-web: $(VENV)/.dev-deps $(WEB)/dist/index.html
	cd $(WEB) && npm run check:api
	cd $(WEB) && npm run format:check
	cd $(WEB) && npm run typecheck
	cd $(WEB) && npm test
	cd $(WEB) && npm run e2e

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
	rm -rf $(VENV) .crm .pytest_cache .mypy_cache .ruff_cache $(WEB)/node_modules $(WEB)/dist $(WEB)/e2e-artifacts
