# Two commands do everything on a fresh machine:
#   make run    set up, then ingest → build → check → dashboard on the sample data in data/raw
#   make test   set up, then run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
DB     ?= data/warehouse.duckdb

.PHONY: setup run test clean

# The virtualenv is refreshed whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

run: setup
	$(BIN)/xxgk run --db $(DB)

test: setup
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) $(DB) $(DB).wal target dbt_project/target dbt_project/logs
