# Amparo — the two commands: `make demo` and `make check` (`make test` runs only the suite).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
PORT ?= 8000

.PHONY: demo test install check lint format messages serve clean lock

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Every package comes pinned and hashed from a lock file (`make lock` writes them); the project
# itself is installed editable on top, without dependencies: pip cannot hash an editable install.
$(STAMP): $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(TEST_STAMP): $(STAMP) requirements-test.lock
	$(BIN)/pip install --quiet --require-hashes -r requirements-test.lock
	touch $@

install: $(STAMP)

## make demo: install, create the embedded SQLite instance under var/, load demo data, serve
demo: $(STAMP)
	$(BIN)/amparo demo
	$(BIN)/amparo serve --port $(PORT)

## make test: the whole suite (SQLite by default; PostgreSQL when DATABASE_URL is set)
test: $(TEST_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(TEST_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## make check: what CI runs — lint, format, import layers, types, migrations, then the suite
check: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make messages: refresh the Spanish/English catalogs (needs GNU gettext; users don't)
messages: $(STAMP)
	cd amparo && ../$(BIN)/django-admin makemessages -l es -l en --no-obsolete --no-location --settings=amparo.settings --pythonpath=..
	cd amparo && ../$(BIN)/django-admin compilemessages --settings=amparo.settings --pythonpath=..

## make lock: pin pyproject.toml's dependencies, with hashes, into requirements.lock (the app and
## its build backend) and requirements-test.lock (the app and the `test` extra). Pins already in
## the files are kept; LOCK_ARGS=--upgrade (or --upgrade-package NAME) moves them. Needs PyPI.
LOCK_TOOLS := $(VENV)/lock-tools
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_TOOLS)/bin/pip-compile --quiet \
	--generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links

$(LOCK_TOOLS)/bin/pip-compile:
	$(PYTHON) -m venv $(LOCK_TOOLS)
	$(LOCK_TOOLS)/bin/pip install --quiet pip-tools==7.6.2

lock: $(LOCK_TOOLS)/bin/pip-compile
	$(PIP_COMPILE) $(LOCK_ARGS) --extra test -o requirements-test.lock pyproject.toml
	$(PIP_COMPILE) $(LOCK_ARGS) --build-deps-for editable -c requirements-test.lock \
		-o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) var .pytest_cache
