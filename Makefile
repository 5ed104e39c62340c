# evodash — the two commands that matter: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
FRONTEND := frontend
HAS_FRONTEND := $(wildcard $(FRONTEND)/package.json)

.PHONY: help
help: ## Show the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS=":.*?## "}; {printf "  %-18s %s\n", $$1, $$2}'

# ---------------------------------------------------------------- install
$(VENV)/.installed: pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

.PHONY: install
install: $(VENV)/.installed $(if $(HAS_FRONTEND),$(FRONTEND)/node_modules/.installed) ## Install Python and Node dependencies

$(FRONTEND)/node_modules/.installed: $(FRONTEND)/package.json $(FRONTEND)/package-lock.json
	cd $(FRONTEND) && npm ci --no-audit --no-fund
	@touch $@

# ---------------------------------------------------------------- run
.PHONY: build
build: install ## Build the web app (frontend/dist)
ifneq ($(HAS_FRONTEND),)
	cd $(FRONTEND) && npm run build
endif

.PHONY: run
run: build ## Migrate SQLite, build the SPA and serve everything on http://127.0.0.1:8000
	$(BIN)/evodash run

.PHONY: demo
demo: build ## The dashboard + a simulated Evolution server with demo data, on http://127.0.0.1:8000
	$(BIN)/evodash demo

.PHONY: migrate
migrate: install ## Apply database migrations
	$(BIN)/evodash migrate

# ---------------------------------------------------------------- test
.PHONY: lint
lint: install ## Ruff (lint + format check)
	$(BIN)/ruff check backend bench scripts
	$(BIN)/ruff format --check backend bench scripts

.PHONY: typecheck
typecheck: install ## mypy --strict
	$(BIN)/mypy

# pytest-xdist workers, each with a database of its own: one per core and one more. A
# test spends about a fifth of its time waiting (a server process starting, a command
# run, a timeout under test), and the extra worker fills the cores meanwhile: the SQLite
# pass on 2 cores took 127 s with 2 workers and 111 s with 3.
# Bytecode on: each worker otherwise rewrites and compiles every test module again (pytest's
# assertion rewriting caches them in __pycache__), 5 s of CPU per worker.
PYTEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print(len(os.sched_getaffinity(0)) + 1 if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1) + 1)')
# Work stealing: xdist's default scheduler hands out tests in chunks (up to half of what is
# left per worker), so near the end one worker could be left with a long chunk (the CLI
# tests, each starting processes) while the others sat idle: a tail of up to 23 s in a 105 s
# SQLite pass. With --dist worksteal an idle worker takes half of a busy one's queue.
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest -q -p no:cacheprovider \
  -n $(PYTEST_WORKERS) --dist worksteal --durations=5

.PHONY: test-backend
test-backend: install ## Backend tests on SQLite (those that use a database on PostgreSQL too when TEST_DATABASE_URL is set)
	$(PYTEST)

.PHONY: migrations-check
migrations-check: install ## alembic upgrade head + check (SQLite, and PostgreSQL when set)
	$(PY) -m evodash.core.migrate_check

.PHONY: client
client: install ## Regenerate the SPA's API client from the backend's OpenAPI document
	$(BIN)/evodash openapi > $(FRONTEND)/openapi.json
	cd $(FRONTEND) && npm run generate-client

.PHONY: check-client
check-client: install ## Fail when the SPA's API client is stale (run `make client`)
	@$(BIN)/evodash openapi | diff -q - $(FRONTEND)/openapi.json >/dev/null \
	  || { echo "frontend/openapi.json is stale: run 'make client'" >&2; exit 1; }
	cd $(FRONTEND) && npm run check-client

.PHONY: test-frontend
test-frontend: install ## Frontend lint, types, client freshness and unit tests
ifneq ($(HAS_FRONTEND),)
	$(MAKE) check-client
	cd $(FRONTEND) && npm run lint && npm run test
endif

# Playwright shards run at once, each against a stack of its own (scripts/e2e.sh).
E2E_SHARDS ?= 1

.PHONY: e2e
e2e: build ## Browser end-to-end tests (Playwright + Chromium, real backend + simulator)
ifneq ($(wildcard $(FRONTEND)/playwright.config.ts),)
	cd $(FRONTEND) && npm run size
	E2E_SHARDS=$(E2E_SHARDS) bash scripts/e2e.sh
endif

.PHONY: schemathesis
schemathesis: install ## Schemathesis over every operation of the running app (fresh SQLite, simulator)
	$(PY) scripts/schemathesis_run.py --checks all,upstream_errors_name_evolution --workers 1 \
	  $(SCHEMATHESIS_ARGS)

.PHONY: check-compose
check-compose: ## Validate docker-compose.yml and deploy/Caddyfile (Debian's docker-compose, caddy; skipped without them)
	@if command -v docker-compose >/dev/null; then \
	  SECRET_KEY=check EVOLUTION_API_KEY=check docker-compose -f docker-compose.yml config -q \
	  && echo "docker-compose.yml is valid"; \
	else echo "docker-compose not installed: skipping the compose check"; fi
	@if command -v caddy >/dev/null; then \
	  caddy validate --config deploy/Caddyfile --adapter caddyfile 2>/dev/null \
	  && echo "deploy/Caddyfile is valid"; \
	else echo "caddy not installed: skipping the Caddyfile check"; fi

.PHONY: test
test: ## Run every test: two lanes at once (scripts/test.sh); TEST_LANES=1 one step after another
	bash scripts/test.sh

# ---------------------------------------------------------------- bench
.PHONY: bench
bench: install ## Run every benchmark of bench/ (slow, not tests) and record docs/benchmarks.md
	@status=0; \
	for b in dashboard webhook_ingest status_sync login_burst reports retention; do $(PY) -m bench.$$b || status=1; done; \
	$(PY) -m bench.jobs_throughput --write || status=1; \
	exit $$status

.PHONY: clean
clean: ## Remove build output and caches (keeps ./data)
	rm -rf $(FRONTEND)/dist .mypy_cache .ruff_cache .pytest_cache
