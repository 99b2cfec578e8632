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
.PHONY: help install chat ask invoke test lint format model index eval review clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# The venv is rebuilt only when a lock or pyproject.toml changes. The locks are installed as
# they are: every file pip picks must match one of their hashes, and nothing else comes in.
$(STAMP): lambda/requirements.txt requirements-dev.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
	    -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

install: $(STAMP) ## create .venv with the hash-locked runtime and development dependencies

# The locks: lambda/requirements.txt (what ships, for Python 3.13 on arm64, without the boto3
# the Lambda runtime provides) and requirements-dev.txt (everything, for Python 3.11 and later),
# compiled with hashes from the *.in files. Existing pins are kept unless UPGRADE=1.
.PHONY: lock
LOCK_FLAGS = --generate-hashes --custom-compile-command "make lock" --quiet \
    $(if $(filter-out 0 false no,$(UPGRADE)),--upgrade)
lock: $(STAMP) ## refresh the hash-locked requirements from lambda/requirements.in, requirements-dev.in
	$(BIN)/uv pip compile lambda/requirements.in $(LOCK_FLAGS) \
	    --python-version 3.13 --python-platform aarch64-manylinux_2_17 \
	    --no-emit-package boto3 --no-emit-package botocore \
	    --no-emit-package s3transfer --no-emit-package jmespath \
	    -o lambda/requirements.txt
	$(BIN)/uv pip compile requirements-dev.in $(LOCK_FLAGS) --python-version 3.11 \
	    -o requirements-dev.txt

chat: $(STAMP) ## talk to the skill offline (LOCALE=en-GB to change locale)
	$(BIN)/muscle-guide chat --locale $(LOCALE)

ask: $(STAMP) ## one question: make ask Q="what causes muscle weakness"
	@test -n "$(Q)" || { echo 'usage: make ask Q="what is muscle weakness"'; exit 2; }
	$(BIN)/muscle-guide ask --locale $(LOCALE) "$(Q)"

invoke: $(STAMP) ## run lambda_handler on an event: make invoke EVENT=events/help.json
	$(BIN)/muscle-guide invoke $(EVENT)

test: $(STAMP) ## run the whole test suite
	$(PY) -m pytest

lint: $(STAMP) ## ruff checks, formatting check, and mypy (strict on the skill package)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP) ## apply ruff formatting and safe fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

model: $(STAMP) ## regenerate the interaction models, the search index and the topic model
	$(PY) -m muscle_guide_tools.model_generate
	$(PY) -m muscle_guide_tools.red_flag_anchors
	$(PY) -m muscle_guide.retrieval
	$(PY) -m muscle_guide_tools.topic_classifier

index: $(STAMP) ## rebuild the search index and the topic model after editing the knowledge
	$(PY) -m muscle_guide.retrieval
	$(PY) -m muscle_guide_tools.topic_classifier

review: $(STAMP) ## write build/review.pdf, the clinician review packet (LOCALE=en-GB to change)
	$(PY) -m muscle_guide_tools.review --locale $(LOCALE)

eval: $(STAMP) ## accuracy of free spoken questions on tests/data/questions.yaml
	$(PY) -m muscle_guide_tools.evaluate

# Deployment (README, "Deploy"): the Lambda artifact, the skill's icons, and AWS itself.
.PHONY: build build-SkillFunction icons deploy destroy
DEPLOY_FLAGS = $(if $(filter-out 0 false no,$(DRY_RUN)),--dry-run)

build: $(STAMP) ## the Lambda artifact build/skill.zip (Python 3.13, arm64, precompiled)
	$(PY) scripts/build_artifact.py

# `sam build` runs this (template.yaml: BuildMethod makefile), with ARTIFACTS_DIR set.
build-SkillFunction: $(STAMP)
	$(PY) scripts/build_artifact.py --dir "$(ARTIFACTS_DIR)"

icons: $(STAMP) ## redraw skill-package/assets/images (108 and 512 pixel PNGs)
	$(PY) scripts/make_icons.py

deploy: $(STAMP) ## deploy with SAM in two stages (DRY_RUN=1 prints the plan only)
	$(PY) scripts/deploy.py deploy $(DEPLOY_FLAGS)

destroy: $(STAMP) ## delete the stack, the skill and the table (DRY_RUN=1 prints the plan)
	$(PY) scripts/deploy.py destroy $(DEPLOY_FLAGS)

# The ASK CLI next to SAM (README, "Deploy", "The ASK CLI"): pinned in tools/ask-cli, with an
# npm override for antlr4ts (its latest tag is a broken dev build) and ask-smapi-model 1.23.0
# (1.24.0 dropped the utterance-conflict commands make cloud-check uses).
.PHONY: ask-cli ask-link cloud-check dialogs dialogs-live
ASK_CLI_DIR := tools/ask-cli
ASK         := $(ASK_CLI_DIR)/node_modules/.bin/ask

$(ASK): $(ASK_CLI_DIR)/package.json $(ASK_CLI_DIR)/package-lock.json
	cd $(ASK_CLI_DIR) && npm ci --no-audit --no-fund
	@touch $(ASK)

ask-cli: $(ASK) ## install the pinned ASK CLI into tools/ask-cli and check that it starts
	$(ASK) --version

ask-link: $(STAMP) ## point the ASK CLI project at the deployed skill (.ask/, build/ask/)
	$(PY) scripts/ask_project.py $(DEPLOY_FLAGS)

cloud-check: $(STAMP) ## Amazon's checks of the live skill: conflicts, NLU evaluation, validation
	$(PY) scripts/cloud_check.py $(DEPLOY_FLAGS)

dialogs: $(STAMP) ## regenerate tests/dialogs (ask dialog --replay files) from the conversations
	$(PY) scripts/dialogs.py generate

dialogs-live: $(STAMP) ## replay tests/dialogs against the live skill with ask dialog
	$(PY) scripts/dialogs.py live $(DEPLOY_FLAGS)

# Web service (README, "Web service"): the skill over HTTP for Alexa, fuzzing and load.
.PHONY: serve fuzz load
SERVE_HOST  ?= 127.0.0.1
SERVE_PORT  ?= 5000
SERVE_ARGS  ?=
REQUESTS    ?= 5000
CONCURRENCY ?= 16
SCENARIO    ?= all

serve: $(STAMP) ## the skill as a web service, verification on, needs SKILL_ID (SERVE_ARGS=--no-verify: loopback only)
	$(BIN)/muscle-guide serve --host $(SERVE_HOST) --port $(SERVE_PORT) $(SERVE_ARGS)

fuzz: $(STAMP) ## thousands of generated hostile requests (hypothesis profile "fuzz")
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest tests/test_fuzz.py -q --hypothesis-show-statistics

load: $(STAMP) ## bounded load tests on loopback: normal, store hung, store down, slow clients (SCENARIO=)
	$(PY) -m muscle_guide_tools.load --requests $(REQUESTS) --concurrency $(CONCURRENCY) \
	    --scenario $(SCENARIO)

# Benchmarks (benchmarks/README.md): our skill against a bare ASK SDK skill, side by side.
.PHONY: bench
bench: $(STAMP) ## cold start, latency, memory, size and throughput vs a bare ASK SDK skill
	$(PY) scripts/build_artifact.py
	$(PY) benchmarks/run.py

clean: ## remove the venv and build output
	rm -rf $(VENV) build .aws-sam .pytest_cache .ruff_cache $(ASK_CLI_DIR)/node_modules
