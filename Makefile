# RareCare: two commands do everything on a fresh machine.
#   make run    venv + install + migrate + knowledge + demo data + serve on http://127.0.0.1:8000
#   make test   the whole suite (lint, types, SQLite, PostgreSQL, browser)
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
RC := $(BIN)/rarecare
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint format check-env browser postgres clean knowledge bench

install: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (Python 3.11+)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: install
	RARECARE_DEMO=$${RARECARE_DEMO:-true} $(RC) db upgrade
	RARECARE_DEMO=$${RARECARE_DEMO:-true} $(RC) demo load
	RARECARE_DEMO=$${RARECARE_DEMO:-true} $(RC) serve --host $(HOST) --port $(PORT)

postgres:
	@scripts/ensure-postgres.sh

browser:
	@scripts/install-chromium.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install postgres browser lint
	$(BIN)/pytest -n $${PYTEST_WORKERS:-2} $(PYTEST_ARGS)

knowledge: install
	$(BIN)/python scripts/build_knowledge.py

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
