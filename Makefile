# The two commands a person needs: `make run` and `make test`. Everything they need is installed here.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Django 6.1 needs Python 3.12; pyenv's shim picks it through .python-version.
PYTHON ?= $(shell command -v python3.12 2>/dev/null || ls /root/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null | head -1)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# Mailed links, calendar files and feeds point at the address `make run` serves (make run PORT=8101),
# unless SITE_URL is set in the environment or on the command line.
SITE_URL ?= http://$(HOST):$(PORT)
RUN_ENV = DEBUG=true SITE_URL=$(SITE_URL)

.PHONY: help run test test-fast test-browser lint check assets messages translations worker beat bench bench-tools clean

help:
	@echo "make run           install everything, migrate, load demo data, serve on http://$(HOST):$(PORT) (HOST=, PORT=)"
	@echo "make test          install everything and run the whole test suite"
	@echo "make test-browser  run only the browser tests (tests_e2e/, needs Chromium)"
	@echo "make lint          ruff (lint and format check) and the migration check"
	@echo "make worker|beat   run a Celery worker or beat (needs REDIS_URL)"
	@echo "make bench         measure every page against a bare view, quick mode (bench/pages.py --quick)"

$(PY):
	@test -n "$(PYTHON)" || { echo "Python 3.12 is needed (python3.12 not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(PY)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Front-end assets: Bootstrap and Chart.js from npm (served by the portal itself), then the Dutch catalogue.
assets: node_modules/.installed translations

translations: $(VENV)/.installed
	cd $(CURDIR) && DEBUG=true $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

install: $(VENV)/.installed assets

run: install
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py seed_demo
	$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test-fast: install
	$(VENV)/bin/pytest -m "not browser" $(PYTEST_ARGS)

test-browser: install
	$(VENV)/bin/pytest tests_e2e $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

# Update the Dutch catalogue after changing strings (then translate the new entries).
messages: $(VENV)/.installed
	DEBUG=true $(PY) manage.py makemessages -l nl --ignore=.venv --ignore=node_modules --ignore=var --no-obsolete

worker: install
	SITE_URL=$(SITE_URL) $(VENV)/bin/celery -A coalition worker --loglevel=INFO

beat: install
	SITE_URL=$(SITE_URL) $(VENV)/bin/celery -A coalition beat --loglevel=INFO --schedule=var/celerybeat-schedule

# The page benchmark in its quick mode (1,000 members, main pages, 2 s runs; README, "Benchmarks"). It needs
# PostgreSQL (DATABASE_URL's server, default postgres://postgres@127.0.0.1:5432); the other benches in bench/
# run on their own (python bench/<name>.py, see the README).
bench: install bench-tools
	$(PY) bench/pages.py --quick

# wrk, the load generator of bench/pages.py (it falls back to a Python client without it).
bench-tools:
	@command -v wrk >/dev/null || { command -v apt-get >/dev/null && apt-get install -y wrk; } || \
		echo "wrk is not installed: bench/pages.py uses its Python load client"

clean:
	rm -rf $(VENV) node_modules var
