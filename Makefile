# boardpapers: the two commands of the README's quick start are `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INDEX ?= index
SHARED ?= ../shared
# Accuracy floors for `make eval`: they only ever rise.
SEEDS_FLOOR ?= 99
REAL_FLOOR ?= 99
REAL2_FLOOR ?= 94

.PHONY: setup demo serve test lint eval clean

$(BIN)/boardpapers: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,data,notebooks,web,cluster]'
	touch $@

setup: $(BIN)/boardpapers

# Set up, ingest the sample corpus into ./index and run a search that prints hits.
demo: setup
	$(BIN)/boardpapers ingest corpus/ --index $(INDEX)
	$(BIN)/boardpapers search '"foster carers"' --index $(INDEX)
	$(BIN)/boardpapers search performance --section recommendations --from 2017-01-01 --index $(INDEX)

# The archive in a browser at http://127.0.0.1:8000/ (after `make demo`; Ctrl-C stops it).
serve: setup
	$(BIN)/boardpapers serve --index $(INDEX)

# Run the test suite.
test: setup
	$(BIN)/python -m pytest -q

# Lint, format and types: ruff and mypy, clean.
lint: setup
	$(BIN)/ruff check pipeline tests benchmarks
	$(BIN)/ruff format --check pipeline tests benchmarks
	$(BIN)/mypy

# Parser accuracy against the labelled papers (real papers only where ../shared exists):
# the samples, real-dev (three authorities) and real-dev2 (nine authorities the rules were not written for).
eval: setup
	$(BIN)/boardpapers eval tests/data/seeds.jsonl corpus/ --min $(SEEDS_FLOOR) --no-misses
	@if [ -d "$(SHARED)/labels" ]; then \
	  $(BIN)/boardpapers eval $(SHARED)/labels/real-dev.jsonl $(SHARED)/corpus/real --min $(REAL_FLOOR) --no-misses; \
	else echo "no $(SHARED)/labels: real-paper evaluation skipped"; fi
	@if [ -f "$(SHARED)/labels/real-dev2.jsonl" ]; then \
	  $(BIN)/boardpapers eval $(SHARED)/labels/real-dev2.jsonl $(SHARED)/corpus/real2 --min $(REAL2_FLOOR) --no-misses; \
	else echo "no $(SHARED)/labels/real-dev2.jsonl: real-dev2 evaluation skipped"; fi

clean:
	rm -rf $(VENV) $(INDEX)/_* $(INDEX)/*.toc $(INDEX)/*.seg $(INDEX)/*.json \
	  $(INDEX)/ledger.sqlite* $(INDEX)/ingest.lock $(INDEX)/*_WRITELOCK $(INDEX)/tantivy_v*
