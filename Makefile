# Muscle Weakness Guide: every developer task, each one building what it needs first.
# On a fresh machine with only python3 and make, `make chat` and `make test` both just work.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
LOCALE ?= en-US
EVENT  ?= events/launch.json

.DEFAULT_GOAL := help
.PHONY: help install chat ask invoke test lint format model eval clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# The venv is rebuilt only when a requirements file or pyproject.toml changes.
$(STAMP): lambda/requirements.txt requirements-dev.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

install: $(STAMP) ## create .venv with the pinned runtime and development dependencies

chat: $(STAMP) ## talk to the skill offline (LOCALE=en-GB to change locale)
	$(BIN)/muscle-guide chat --locale $(LOCALE)

ask: $(STAMP) ## one question: make ask Q="what causes muscle weakness"
	@test -n "$(Q)" || { echo 'usage: make ask Q="what is muscle weakness"'; exit 2; }
	$(BIN)/muscle-guide ask --locale $(LOCALE) "$(Q)"

invoke: $(STAMP) ## run lambda_handler on an event: make invoke EVENT=events/help.json
	$(BIN)/muscle-guide invoke $(EVENT)

test: $(STAMP) ## run the whole test suite
	$(PY) -m pytest

lint: $(STAMP) ## ruff checks and formatting check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## apply ruff formatting and safe fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

model: $(STAMP) ## regenerate skill-package/interactionModels from interaction_model/
	$(PY) interaction_model/generate.py

eval: $(STAMP) ## accuracy of free spoken questions on tests/data/questions.yaml
	$(PY) tests/evaluate.py

clean: ## remove the venv and build output
	rm -rf $(VENV) build .pytest_cache .ruff_cache
