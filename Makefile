# privault — one Makefile for set-up, demo, tests and benchmarks.
# Everything installs itself: a fresh machine needs only python3 and make.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
UV     := $(PYTHON) -m uv
export UV_NATIVE_TLS := 1
export UV_SYSTEM_CERTS := 1
export UV_LINK_MODE := copy

DEMO_DIR ?= .privault
export PRIVAULT_DATA_DIR ?= $(DEMO_DIR)

.PHONY: help install demo test check lint types contracts unit bench bench-peers clean system-deps

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install -q uv
	@test -x $(PY) || $(UV) venv -q $(VENV)
	$(UV) pip install -q --python $(PY) -e '.[dev]'
	@touch $@

install: $(VENV)/.installed ## create .venv and install privault with its dev tools

demo: install ## init the embedded store, load 1,000 fake customers, show them masked
	@bash scripts/demo.sh

lint: install ## ruff (lint + format) and the module size budget
	$(VENV)/bin/ruff check src tests benchmarks scripts
	$(VENV)/bin/ruff format --check src tests benchmarks scripts
	$(PY) scripts/check_module_size.py src/privault 500

types: install ## mypy --strict on the package
	$(VENV)/bin/mypy

contracts: install ## import-linter layer contracts
	$(VENV)/bin/lint-imports

check: lint types contracts ## all static checks

test: check system-deps ## static checks, then the whole suite on SQLite and PostgreSQL
	PRIVAULT_REQUIRE_PG=1 bash scripts/with-postgres.sh $(PY) -m pytest -p no:cacheprovider

system-deps: ## Debian packages the tests drive for real: Chromium, rsyslog, JDBC drivers (PostgreSQL: with-postgres.sh)
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v rsyslogd >/dev/null || missing="$$missing rsyslog"; \
	test -f /usr/share/java/postgresql.jar || missing="$$missing libpostgresql-jdbc-java"; \
	test -f /usr/share/java/sqlite-jdbc.jar || missing="$$missing libxerial-sqlite-jdbc-java"; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing (apt)…"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq >/dev/null && apt-get install -y -qq $$missing >/dev/null; \
	fi

bench: install ## run the benchmarks (results in benchmarks/results/)
	$(PY) benchmarks/vault_bench.py
	$(PY) benchmarks/detect_bench.py
	$(PY) benchmarks/deid_bench.py
	$(PY) benchmarks/audit_bench.py
	$(PY) benchmarks/scan_bench.py
	$(PY) benchmarks/impact_bench.py
	$(PY) benchmarks/spark_bench.py
	PG_DURABLE=1 bash scripts/with-postgres.sh $(PY) benchmarks/api_bench.py

bench-peers: ## side venv (.venv-peers) with Presidio, for the comparisons in make bench
	bash scripts/bench_peers.sh

clean: ## remove the venv, caches and the demo store
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(DEMO_DIR)
