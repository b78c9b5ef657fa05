# Every target creates .venv/ on first use; `make chat` and `make test` are the two
# quick-start commands in the README.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup ingest chat test test-fast lint clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

ingest: setup
	$(BIN)/factcheck ingest seeds

chat: ingest
	$(BIN)/factcheck chat

test: setup
	$(BIN)/python -m pytest -q

test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow and not browser and not llm"

lint: setup
	$(BIN)/ruff check rag ui eval tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) data
