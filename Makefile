# Two commands for a fresh machine: `make run` serves KSBB, `make test` runs the suite.
# Each creates its own virtual environment in .venv on first use.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: run test lint typecheck messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/ksbb up

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench scripts

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy src/ksbb/core src/ksbb/areas src/ksbb/accounts src/ksbb/donations src/ksbb/needs \
		src/ksbb/allocation src/ksbb/distribution src/ksbb/reports src/ksbb/stats src/ksbb/forum src/ksbb/privacy \
		src/ksbb/ops src/ksbb/proofs src/ksbb/verify src/ksbb/households src/ksbb/regions \
		src/ksbb/notifications

# After changing user-facing text: extract into the .po file (the only source of the
# Indonesian texts), compile, then fail on any untranslated or fuzzy entry.
messages: $(VENV)/.installed-test
	cd src/ksbb && ../../$(BIN)/ksbb makemessages -l id --no-location --no-obsolete
	cd src/ksbb && ../../$(BIN)/ksbb compilemessages -l id
	$(BIN)/python scripts/check_messages.py

bench: $(VENV)/.installed-test
	$(BIN)/python bench/allocation.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
