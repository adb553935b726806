# relaudit: one command to build, one to test. Both set up .venv/ first.
SHELL := /bin/bash
.DEFAULT_GOAL := report

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.relaudit-installed
CORES ?= all
PYTEST_ARGS ?=

export PATH := $(CURDIR)/$(BIN):$(PATH)
# Deterministic builds: no timestamps from matplotlib or Typst, no hash seeds.
export SOURCE_DATE_EPOCH := 0
export PYTHONHASHSEED := 0
export MPLBACKEND := Agg

.PHONY: setup report report-council demo-data-council test test-unit test-integration test-backtests audit lint format bench demo-data lock clean help

help:
	@echo "make report     set up .venv/ and build every pack and the annex from data/raw"
	@echo "make report-council  build the council partner survey's report from data/council-partners"
	@echo "                into results/council-partners (config/programmes/council-partners.yaml)"
	@echo "make test       set up .venv/ and run the whole test suite"
	@echo "make test-unit         only tests/unit (functions and modules on small inputs)"
	@echo "make test-integration  only tests/integration (Snakemake runs, documents, browsers)"
	@echo "make test-backtests    only tests/backtests (the demo build against the published figures)"
	@echo "make audit      build, then write the Snakemake report results/report.html"
	@echo "make lint       ruff, snakefmt and snakemake --lint"
	@echo "make bench      run the benchmarks (writes benchmarks/RESULTS.md)"
	@echo "make demo-data  regenerate the committed demo exports in data/raw/"

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "relaudit needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install -qq --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

setup: $(STAMP)

report: setup
	$(BIN)/snakemake --cores $(CORES)

# A second programme (layout: populations): its file is the --configfile, on top
# of config/config.yaml, and writes to its own results_dir.
COUNCIL_PROGRAMME := config/programmes/council-partners.yaml
report-council: setup
	$(BIN)/snakemake --cores $(CORES) --configfile $(COUNCIL_PROGRAMME)

# pytest exits 5 when it collects no tests: treat that as a failure. The
# test-* targets select one kind of test by its marker (set by tests/conftest.py).
test-unit: PYTEST_MARK := unit
test-integration: PYTEST_MARK := integration
test-backtests: PYTEST_MARK := backtest
test test-unit test-integration test-backtests: setup
	@$(BIN)/python -m pytest $(if $(PYTEST_MARK),-m $(PYTEST_MARK)) $(PYTEST_ARGS); status=$$?; \
	  if [ $$status -eq 5 ]; then echo "make $@: no tests were collected" >&2; exit 1; fi; \
	  exit $$status

audit: report
	$(BIN)/snakemake --cores $(CORES) --report results/report.html

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/snakefmt --check Snakefile workflow/rules
	$(BIN)/snakemake --lint

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/snakefmt Snakefile workflow/rules

bench: setup
	$(BIN)/python benchmarks/run.py

demo-data: setup
	rm -rf data/raw
	PYTHONPATH=dev $(BIN)/python -m relaudit_dev.demo --out data/raw --seed 2018

lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet -r requirements.in
	{ echo "# Pinned dependencies for relaudit (the lock file). Installed by 'make setup'."; \
	  echo "# Regenerate: make lock (fresh venv, pip install -r requirements.in, pip freeze)."; \
	  .venv-lock/bin/pip freeze --all | grep -v '^pip=='; } > requirements.lock
	rm -rf .venv-lock

clean:
	rm -rf results .snakemake

# The council programme's demo data (dev/relaudit_dev/council_demo.py, seed 2019).
demo-data-council: setup
	PYTHONPATH=dev $(BIN)/python -m relaudit_dev.council_demo --out data/council-partners --seed 2019
