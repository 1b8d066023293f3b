# CityPocket — set-up, run, test. `make run` and `make test` are all a new machine needs.
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help run test test-sqlite test-postgres lint check venv lock messages openapi contract clean bench-ingest bench-mobility bench-participation bench-opendata bench-opendata-harvest bench-cityinfo bench-series profile-reads bench-alerts screenshots

help:
	@echo "make run    - install, migrate, load the demo cities and start web + worker + ingest on http://$(HOST):$(PORT)"
	@echo "make test   - run the whole test suite (SQLite by default; set DATABASE_URL for PostgreSQL)"
	@echo "make lint   - ruff, Django system checks, missing migrations"
	@echo "make lock   - re-resolve requirements.lock from pyproject.toml"
	@echo "make screenshots - README screenshots at phone size, from a running make run"
	@echo "make contract - schemathesis over every API operation against a live server on PostgreSQL (docs/api.md)"

# The virtual environment is rebuilt whenever the lockfile changes.
$(STAMP): requirements.lock pyproject.toml
	@PYTHON_BIN=$$(scripts/find-python.sh) || exit 1; \
	 echo "Using $$PYTHON_BIN"; \
	 if [ ! -x $(PY) ]; then "$$PYTHON_BIN" -m venv $(VENV) || exit 1; fi
	@echo "Installing the locked dependencies into $(VENV) (one to two minutes the first time)..."
	$(PY) -m pip install --quiet --upgrade pip
	set -o pipefail; $(PY) -m pip install --progress-bar on --require-hashes -r requirements.lock | { grep -E '^(Collecting|Successfully)' || true; } | sed -E 's/^Collecting ([^ ]+).*/  + \1/'
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/citypocket run --host $(HOST) --port $(PORT)

# README screenshots at phone size, from a running `make run` (BASE_URL to point elsewhere).
BASE_URL ?= http://$(HOST):$(PORT)
screenshots: $(STAMP)
	@scripts/need-chromium.sh
	$(PY) scripts/screenshots.py $(BASE_URL)

test: $(STAMP)
	@scripts/need-chromium.sh
	SIMULATOR=off $(BIN)/pytest $(PYTEST_ARGS)

test-sqlite: $(STAMP)
	@scripts/need-chromium.sh
	DATABASE_URL= SIMULATOR=off $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: $(STAMP)
	@scripts/need-chromium.sh
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/citypocket} SIMULATOR=off $(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/citypocket check --fail-level WARNING
	$(BIN)/citypocket makemigrations --check --dry-run

lock:
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.12 --generate-hashes -o requirements.lock

messages: $(STAMP)
	cd citypocket && ../$(BIN)/citypocket makemessages -l fr -l en --ignore "*/tests/*" && ../$(BIN)/citypocket makemessages -d djangojs -l fr -l en
	$(BIN)/citypocket compilemessages

openapi: $(STAMP)
	$(BIN)/citypocket export_openapi_schema --api citypocket.core.api.api --indent 2 --sorted > docs/openapi.json.new
	mv docs/openapi.json.new docs/openapi.json

# The API contract: the live server against docs/openapi.json (scripts/contract.py; the database is dropped and made anew).
CONTRACT_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/citypocket_contract

contract: $(STAMP)
	$(PY) scripts/contract.py --database-url $(CONTRACT_DATABASE_URL)

# Benchmarks (results and machine description go to docs/benchmarks.md).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/citypocket_bench
BENCH_MQTT_URL ?= mqtt://127.0.0.1:1883

bench-ingest: $(STAMP)
	$(PY) bench/ingest.py --database-url $(BENCH_DATABASE_URL) --mqtt-url $(BENCH_MQTT_URL)

bench-mobility: $(STAMP)
	$(PY) bench/mobility.py --database-url $(BENCH_DATABASE_URL)

# Where the time of each hot read goes without the edge cache (queries and cProfile; run bench-mobility once before).
profile-reads: $(STAMP)
	$(PY) bench/profile_reads.py --database-url $(BENCH_DATABASE_URL)

bench-participation: $(STAMP)
	$(PY) bench/participation.py --database-url $(BENCH_DATABASE_URL)

# A city alert to 100 000 web-push subscriptions, one then two workers (BENCH_ALERTS_SUBSCRIBERS=2000 for a quick check).
BENCH_ALERTS_SUBSCRIBERS ?= 100000

bench-alerts: $(STAMP)
	$(PY) bench/alerts.py --database-url $(BENCH_DATABASE_URL) --subscribers $(BENCH_ALERTS_SUBSCRIBERS)

bench-opendata-harvest: $(STAMP)
	$(PY) bench/opendata_harvest.py --database-url $(BENCH_DATABASE_URL)

# A database of its own: bench/opendata.py drops and makes it anew (1 000 000 observations).
BENCH_OPENDATA_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/citypocket_bench_opendata
# The server's shared cache, as in production (docs/configuration.md); empty for the database cache.
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/15

bench-opendata: $(STAMP)
	$(PY) bench/opendata.py --database-url $(BENCH_OPENDATA_DATABASE_URL) --redis-url $(BENCH_REDIS_URL)

# Series at scale: its own database, the observations replaced at each scale (docs/sensors.md).
BENCH_SERIES_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/citypocket_bench_series
SERIES_SCALES ?= 10000,10000000

bench-series: $(STAMP)
	$(PY) bench/series.py --database-url $(BENCH_SERIES_DATABASE_URL) --scales $(SERIES_SCALES)

bench-cityinfo: $(STAMP)
	$(PY) bench/cityinfo.py --database-url $(BENCH_DATABASE_URL)

clean:
	rm -rf $(VENV) staticfiles var
