# Two commands set everything up on a fresh machine with Python 3.11 and make:
#   make demo   simulate the example journeys locally (moto, virtual clock)
#   make test   run the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench clean

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
		$(BIN)/tact simulate --journeys journeys/examples \
			--events journeys/examples/$$example.events.jsonl || exit 1; \
	done

test: $(STAMP) lint-infra
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

include infra.mk
include bench.mk
