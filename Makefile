# crimegraph: `make demo` runs everything from nothing; `make test` runs the tests.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
CRIMEGRAPH := $(VENV)/bin/crimegraph
# uv uses the machine's Python (3.11+) and never downloads one.
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never

.PHONY: venv web neo4j demo test lint bench clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --extra spark  # the Spark backend is an extra; its tests need it
	touch $@

## venv: the virtualenv with the locked dependencies (uv.lock), and the web pages built
venv: $(VENV)/.synced web

## web: the map and review pages bundled offline into web/dist (skipped when up to date)
web: web/dist/.built

web/dist/.built: web/package.json web/package-lock.json web/build.mjs $(wildcard web/src/*)
	cd web && npm ci --no-audit --no-fund && npm run build
	touch $@

## neo4j: assemble (first time) and start the local Neo4j + GDS
neo4j: venv
	$(CRIMEGRAPH) neo4j start

## demo: Neo4j up, the Welsh 2025 crimes ingested and loaded, API at http://127.0.0.1:8000/graphql
demo: venv
	$(CRIMEGRAPH) demo

## test: lint, then unit and integration tests (they start their own Neo4j instance)
test: venv lint
	$(CRIMEGRAPH) neo4j provision
	$(VENV)/bin/pytest

## lint: ruff check and format check; the import contracts (pyproject.toml: layers one way, no cycles)
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

## bench: benchmarks; figures written to var/bench/
bench: venv
	test -f var/warehouse.duckdb || $(CRIMEGRAPH) demo --no-serve  # the graph and API benchmarks use the demo data
	$(VENV)/bin/python -m benchmarks

## clean: remove the virtualenvs and local data (var/), keeping nothing
clean:
	-$(CRIMEGRAPH) neo4j stop
	rm -rf $(VENV) $(TOOLS) var docker/neo4j/target docker/neo4j/*/target
