# Kuzet: the two set-up commands are `make demo` and `make test`.
# Each does the whole set-up idempotently: system packages, virtualenv, Python
# dependencies, model pack; then starts the demo or runs the whole suite.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# pytest arguments, e.g. `make test PYTEST_ARGS="-k tracker"`
PYTEST_ARGS ?=

.PHONY: demo test test-slow setup system venv models web lint typecheck bench clean

demo: setup
	$(BIN)/kuzet demo

# The main tier; the slower tier (fault injection, fuzzing, and the contract tests on
# the scale-out engines PostgreSQL, NATS and S3) is `make test-slow`. CI (.ci/run)
# runs both.
test: setup
	$(BIN)/python -m pytest -m "not faults and not fuzz and not scaleout" $(PYTEST_ARGS)

test-slow: setup
	$(BIN)/python -m pytest -m "faults or fuzz or scaleout" $(PYTEST_ARGS)

setup: system venv models web

system:
	@bash scripts/install-system.sh

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	# rapidocr and trackeval pin the GUI build of OpenCV; their real needs are in pyproject.toml
	$(BIN)/python -m pip install -q --no-deps 'rapidocr-onnxruntime==1.4.4' 'trackeval==1.3.0'
	touch $(STAMP)

models: venv
	$(BIN)/kuzet models install

# The console's browser libraries (npm registry, pinned and hash-checked).
web: system
	@bash scripts/install-web-assets.sh

lint: venv
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python scripts/check_sizes.py

typecheck: venv
	$(BIN)/mypy

bench: setup
	for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
