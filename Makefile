# Two commands set everything up on a fresh machine with Python 3.11 and make:
#   make demo   simulate the example journeys locally (moto, virtual clock)
#   make test   run the whole test suite (ruff, lint-infra, every tier), as CI does
#   make unit   the unit tier only: pure logic, no moto, no network, no sam (well under a minute)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test unit lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

EXAMPLES := welcome abandoned_cart post_purchase winback

demo: $(STAMP)
	$(BIN)/tact validate journeys
	$(BIN)/tact simulate --events journeys/examples/abandoned_cart.events.jsonl
	$(BIN)/tact validate journeys/examples
	@for example in $(EXAMPLES); do \
		echo; echo "== journeys/examples: $$example"; \
		history=journeys/examples/$$example.history.jsonl; \
		$(BIN)/tact simulate --journeys journeys/examples \
			--events journeys/examples/$$example.events.jsonl \
			$$( [ -f $$history ] && echo --history $$history ) || exit 1; \
	done

# Tests by tier, then feature: tests/unit (pure logic), tests/integration (moto or the local
# executor), tests/e2e (simulate and the CLI end to end), tests/infra (template, sam build).
test: $(STAMP) lint-infra
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2

unit: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q -p no:cacheprovider tests/unit

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

include infra.mk
include bench.mk
