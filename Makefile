# SayPro Interaction Desk — `make run` and `make test` are all a new machine needs (Python 3.11).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# uv is bootstrapped with pip into its own venv, so every machine uses the same uv.
UV := $(VENV)-uv/bin/uv

.PHONY: install run test lint fmt typecheck e2e bench bench-smoke seed clean

$(UV):
	$(PYTHON) -m venv $(VENV)-uv && $(VENV)-uv/bin/pip install --quiet --disable-pip-version-check "uv>=0.9,<1"

install: $(UV)  ## create .venv and install the locked dependencies
	$(UV) sync --frozen --python $(PYTHON) --quiet

run: install  ## migrate, load demo data once, then web + worker + beat (Ctrl-C stops all): scripts/run_all.sh
	PORT=$(PORT) bash scripts/run_all.sh

lint: install  ## ruff, and the import contracts of pyproject.toml (lint-imports)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install
	$(BIN)/mypy .

test: install lint typecheck  ## lint, static and deployment checks, the whole test suite
	$(BIN)/python manage.py makemigrations --check --dry-run
	bash scripts/check_deploy.sh
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null
	$(BIN)/pytest

e2e: install  ## browser tests in Debian's Chromium; screenshots in tests/e2e/screenshots/
	$(BIN)/pytest tests/e2e -p no:cacheprovider --override-ini addopts="-ra"

bench: install  ## benchmarks on PostgreSQL (DATABASE_URL); results in bench/results/
	$(BIN)/python -m bench $(BENCH_ARGS)

bench-smoke: install  ## every benchmark at a small size (part of .ci/run)
	$(BIN)/python -m bench --smoke

clean:
	rm -rf $(VENV) $(VENV)-uv var
