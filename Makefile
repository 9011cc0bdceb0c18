# Two commands on a fresh machine:  `make start` (students) and `make test` (everything tested).
PYTHON ?= python3
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)

.PHONY: start test fast check venv system release execute bench bench-grading lint

# jupyter/overrides.json: the course's JupyterLab defaults (no news pop-up, no update check: nothing fetched from the
# network), installed where the environment's JupyterLab reads them, for `make start` and the TA's `jupyter lab`.
$(VENV)/.installed: requirements.txt jupyter/overrides.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp jupyter/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	touch $@

venv: $(VENV)/.installed

# System packages, installed when missing and we are root with apt-get: bubblewrap confines student
# code during autograding (README, "Threat model"); Chromium runs the JupyterLab browser test.
system:
	@missing=""; command -v bwrap >/dev/null || missing="bubblewrap"; \
	 command -v chromium >/dev/null || missing="$$missing chromium"; \
	 if [ -n "$$missing" ]; then \
	   if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	     apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	   else echo "warning: not installed: $$missing (autograding unconfined / browser test skipped)"; fi; \
	 fi

# Students' view: JupyterLab in the release folder (as root, e.g. in a container, --allow-root is needed).
start: venv
	cd release/initialization && $(BIN)/jupyter lab $$([ "$$(id -u)" = 0 ] && echo --allow-root)

test: venv system
	$(BIN)/python -m pytest

# The test tiers (tests/conftest.py): `make fast` the kernel-free tests (unit tests, hidden-test variants: seconds,
# for the edit-test loop); `make check` adds those that start one kernel, run one notebook or one nbgrader command
# (nbval included: a few minutes); `make test` runs them all (whole classes graded, Dask, JupyterLab, Chromium).
fast: venv
	$(BIN)/python -m pytest -m fast -q

check: venv
	$(BIN)/python -m pytest -m "fast or kernel" -q

release: venv
	$(BIN)/python -m coursetools release

execute: venv
	$(BIN)/python -m coursetools execute

bench: venv
	$(BIN)/python -m coursetools bench

# Time grading a synthetic class (N=40 by default): make bench-grading N=200
bench-grading: venv
	$(BIN)/python -m coursetools bench-grading --students $(or $(N),40)

lint: venv
	$(BIN)/ruff check .
