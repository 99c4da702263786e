# Amparo — the two commands: `make demo` and `make check` (`make test` runs only the suite).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
PORT ?= 8000

.PHONY: demo test install check lint format messages serve clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
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
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make messages: refresh the Spanish/English catalogs (needs GNU gettext; users don't)
messages: $(STAMP)
	cd amparo && ../$(BIN)/django-admin makemessages -l es -l en --no-obsolete --no-location --settings=amparo.settings --pythonpath=..
	cd amparo && ../$(BIN)/django-admin compilemessages --settings=amparo.settings --pythonpath=..

clean:
	rm -rf $(VENV) var .pytest_cache
