# Reintegra — the commands of DESIGN.md §8.
#   make run     set up, migrate, load the demo programme, serve on 127.0.0.1:$${PORT:-8000}
#   make test    set up, run the test suite (SQLite; PostgreSQL when DATABASE_URL is set)
#   make e2e     browser journeys (Playwright driving /usr/bin/chromium)
#   make lint    ruff, mypy, import-linter, missing migrations
#   make messages  extract and compile the French translation

SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python
VENV := .venv
MANAGE := $(VENV)/bin/python manage.py
PYTEST_ARGS ?=
PORT ?= 8000

.PHONY: help setup run test e2e lint format messages

help:
	@echo "Targets: setup run test e2e lint format messages"
	echo "  make run [PORT=8000]        demo programme on http://127.0.0.1:$(PORT)/"
	echo "  make test [PYTEST_ARGS=…]   test suite (DATABASE_URL=postgres://… for PostgreSQL)"

# Idempotent: safe to run on every command.
setup:
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv sync --frozen --quiet
	if ! command -v msgfmt >/dev/null 2>&1; then
	  echo "Installing gettext (msgfmt) for translations…"
	  export DEBIAN_FRONTEND=noninteractive
	  apt-get install -y -qq gettext >/dev/null 2>&1 \
	    || { apt-get update -qq && apt-get install -y -qq gettext >/dev/null; }
	fi
	if [ -n "$$(find locale reintegra -name '*.po' -print -quit 2>/dev/null || true)" ]; then
	  REINTEGRA_ALLOW_INSECURE_KEY=1 $(MANAGE) compilemessages --ignore=.venv --ignore=var \
	    --ignore=node_modules -v 0
	fi

run: setup
	@export REINTEGRA_DEMO=1
	mkdir -p "$${REINTEGRA_DATA_DIR:-var}"
	$(MANAGE) migrate --noinput
	$(MANAGE) demo load
	$(MANAGE) collectstatic --noinput -v 0
	echo "Reintegra demo on http://127.0.0.1:$${PORT:-8000}/ (password for every persona: reintegra-demo)"
	exec $(MANAGE) runserver "127.0.0.1:$${PORT:-8000}" --noreload

test: setup
	@unset REINTEGRA_DEMO
	export REINTEGRA_ALLOW_INSECURE_KEY=1
	$(VENV)/bin/pytest -m "not e2e" $(PYTEST_ARGS)

e2e: setup
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }
	unset REINTEGRA_DEMO
	export REINTEGRA_ALLOW_INSECURE_KEY=1
	$(VENV)/bin/pytest e2e $(PYTEST_ARGS)

lint: setup
	@export REINTEGRA_ALLOW_INSECURE_KEY=1
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy reintegra config
	$(VENV)/bin/lint-imports
	$(MANAGE) makemigrations --check --dry-run

format: setup
	@$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: setup
	@export REINTEGRA_ALLOW_INSECURE_KEY=1
	mkdir -p locale
	$(MANAGE) makemessages -l fr --ignore=.venv --ignore=var --ignore=e2e --ignore=bench \
	  --ignore=node_modules --ignore=static/vendor
	$(MANAGE) compilemessages --ignore=.venv --ignore=var --ignore=node_modules
