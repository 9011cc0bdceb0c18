# Two commands on a fresh machine:  `make start` (students) and `make test` (everything tested).
PYTHON ?= python3
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)

.PHONY: start test venv sandbox release execute bench lint grade review

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

venv: $(VENV)/.installed

# Bubblewrap confines student code during autograding (README, "Threat model").
sandbox:
	@command -v bwrap >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  (apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null) ; } || \
	  echo "warning: bubblewrap not installed; autograding will run unconfined"

start: venv
	$(BIN)/jupyter lab --ServerApp.root_dir=release/initialization

test: venv sandbox
	$(BIN)/python -m pytest

release: venv
	$(BIN)/python -m coursetools release

execute: venv
	$(BIN)/python -m coursetools execute

bench: venv
	$(BIN)/python -m coursetools bench

lint: venv
	$(BIN)/ruff check .
