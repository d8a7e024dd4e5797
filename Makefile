# Two commands set everything up on a fresh machine with Python 3.11 and make:
#   make demo   simulate the example journeys locally (moto, virtual clock)
#   make test   run the whole test suite (ruff, lint-infra, every tier), as CI does
#   make unit   the unit tier only: pure logic, no moto, no network, no sam (well under a minute)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test unit lint lock lock-upgrade bench clean

# Locked dependencies (requirements/*.txt, with hashes), installed by uv, which the Makefile
# fetches itself (pinned) into .uv/. `make lock` after editing dependencies in pyproject.toml;
# `make lock-upgrade` (or `make lock-upgrade PACKAGE=boto3`) for newer versions. See README.
UV_VERSION := 0.13.9
UV         := .uv/bin/uv
LOCK       := requirements/dev.txt
LAYER_LOCK := requirements/layer.txt
MODEL_LOCK := requirements/model.txt
LAMBDA     := --python-version 3.12 --python-platform aarch64-manylinux_2_28
COMPILE     = $(UV) pip compile --quiet --generate-hashes $(UPGRADE)

$(UV):
	$(PYTHON) -m pip install --quiet --target .uv uv==$(UV_VERSION)

$(STAMP): pyproject.toml $(LOCK) | $(UV)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(UV) pip sync --quiet --python $(BIN)/python $(LOCK)
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

# The dev lock is universal (any OS, Python >= 3.11); the Lambda locks (TactLayer, the model
# function) are for arm64 CPython 3.12 and take the dev lock's versions.
lock: | $(UV)
	$(COMPILE) pyproject.toml --extra dev --universal --python-version 3.11 -o $(LOCK)
	$(COMPILE) pyproject.toml $(LAMBDA) -c $(LOCK) -o $(LAYER_LOCK)
	$(COMPILE) functions/model/requirements.txt $(LAMBDA) -c $(LOCK) -o $(MODEL_LOCK)

lock-upgrade:
	$(MAKE) lock UPGRADE="$(if $(PACKAGE),--upgrade-package $(PACKAGE),--upgrade)"

EXAMPLES := welcome abandoned_cart post_purchase winback checkout_reminder

demo: $(STAMP)
	$(BIN)/tact validate journeys
	$(BIN)/tact simulate --store moto --events journeys/examples/abandoned_cart.events.jsonl
	$(BIN)/tact validate journeys/examples
	@for example in $(EXAMPLES); do \
		echo; echo "== journeys/examples: $$example"; \
		history=journeys/examples/$$example.history.jsonl; \
		$(BIN)/tact simulate --store moto --journeys journeys/examples \
			--events journeys/examples/$$example.events.jsonl \
			$$( [ -f $$history ] && echo --history $$history ) || exit 1; \
	done
	@echo; echo "== journeys/examples: broadcast autumn_range (10:00 on each customer's clock)"
	$(BIN)/tact broadcast plan autumn_range --journeys journeys/examples \
		--events journeys/examples/autumn_range.events.jsonl
	$(BIN)/tact simulate --store moto --journeys journeys/examples \
		--events journeys/examples/autumn_range.events.jsonl

# Tests by tier, then feature: tests/unit (pure logic), tests/integration (moto or the local
# executor), tests/e2e (simulate and the CLI end to end), tests/infra (template, sam build).
test: lint lint-infra
	$(BIN)/python -m pytest -n 2

# One process: the tier is ~15 s of CPU, and each xdist worker would import and collect all of
# it again (~6 s of CPU each), which on a shared two-core machine costs more than it saves.
unit: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/unit

# ruff, and mypy on shared/tact and functions/ (settings in pyproject.toml): zero errors.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .uv .pytest_cache .ruff_cache .mypy_cache

include infra.mk
include bench.mk
