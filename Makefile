# Two commands do everything on a fresh machine:
#   make run    set up, then ingest → build → check → dashboard on the sample data in data/raw
#   make test   set up, then lint and run the whole test suite (what CI runs)
#   make test-fast   the unit tier alone (parsing, values, doctests): about a minute
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
DB     ?= data/warehouse.duckdb
JOBS   ?= auto

.PHONY: setup browser libreoffice run lint test test-fast screenshot clean

# The virtualenv is refreshed whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

# Exit 1 says the samples hold report errors new to this warehouse: the run's product, not a failure of make.
run: setup
	@$(BIN)/xxgk run --db $(DB) || [ $$? -eq 1 ]

# The dashboard tests render pages in Debian's headless Chromium (with CJK fonts).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk; \
	  else echo "browser tests need Debian's chromium and fonts-noto-cjk: sudo apt-get install chromium fonts-noto-cjk"; fi; }

# .doc/.wps reports are converted by LibreOffice headless (Debian's Writer without a GUI).
libreoffice:
	@command -v soffice >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui; \
	  else echo ".doc/.wps tests need LibreOffice: sudo apt-get install libreoffice-writer-nogui"; fi; }

# ruff over the Python, sqlfluff over the dbt project (.sqlfluff: DuckDB, rendered without dbt or a warehouse).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/macros dbt_project/tests --processes 1 --nocolor --format github-annotation-native

# One pytest worker per core (pytest-xdist), a test file each: a file's module fixtures are built once.
test: setup browser libreoffice lint
	$(BIN)/pytest -q -n $(JOBS) --dist loadfile

# The unit tier (tests/conftest.py): no dbt, GX, command line or browser.
test-fast: setup
	$(BIN)/pytest -q -m unit

# Regenerates docs/dashboard.png, the screenshot in the README.
screenshot: run browser
	$(BIN)/python -m xxgk.dashboard.screenshot $(DB).site/index.html docs/dashboard.png

clean:
	rm -rf $(VENV) $(DB) $(DB).wal $(DB).site $(DB).dbt $(DB).log $(DB).export target dbt_project/target dbt_project/logs
