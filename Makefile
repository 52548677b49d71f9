# Kotopolku: `make run` runs the whole system on one machine; `make test` runs the test suite;
# `make faults` runs it through broker, database, Temporal and process failures (docs/faults.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install run test test-fast faults benchmark benchmark-processes benchmark-backfill clean

install: $(INSTALLED)

$(INSTALLED): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(INSTALLED)

run: install
	deploy/local/ensure-rabbitmq.sh
	$(BIN)/kotopolku run

# The AsyncAPI parser that checks docs/asyncapi.yaml (tests/unit/test_asyncapi.py), from npm.
ASYNCAPI_PARSER := deploy/asyncapi/node_modules/@asyncapi/parser/package.json
$(ASYNCAPI_PARSER): deploy/asyncapi/package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix deploy/asyncapi --no-audit --no-fund --silent; \
	else echo "npm is missing (apt-get install npm): the AsyncAPI document's check will fail"; fi

test: install $(ASYNCAPI_PARSER)
	eval "$$(deploy/local/test-services.sh)" && $(BIN)/python -m pytest $(PYTEST_ARGS)

# Everything that needs neither RabbitMQ nor a Temporal server (PostgreSQL is used when it runs).
test-fast: install $(ASYNCAPI_PARSER)
	eval "$$(deploy/local/test-services.sh)" && $(BIN)/python -m pytest -m "not broker and not temporal" $(PYTEST_ARGS)

# Starts its own RabbitMQ node, PostgreSQL cluster and Temporal server (never the machine's shared ones).
faults: install
	$(BIN)/python tests/faults/run.py $(FAULTS_ARGS)

# Kotopolku on the `make run` defaults beside raw RabbitMQ and Temporal; one table, JSON in var/benchmark.json.
benchmark: install
	eval "$$(deploy/local/test-services.sh)" && $(BIN)/python tests/benchmarks/benchmark.py $(BENCHMARK_ARGS)

# The services as separate serve/worker processes on PostgreSQL, 1, 2 and 4 workers per task queue.
benchmark-processes: install
	eval "$$(deploy/local/test-services.sh)" && $(BIN)/python tests/benchmarks/processes.py $(BENCHMARK_ARGS)

# 10,000 registrations in one burst into `kotopolku run`: time and memory at every 1,000.
benchmark-backfill: install
	eval "$$(deploy/local/test-services.sh)" && $(BIN)/python tests/benchmarks/backfill.py $(BENCHMARK_ARGS)

clean:
	rm -rf var .pytest_cache
