# Deployment: `make build` (sam build) and `make lint-infra` (sam validate --lint, cfn-lint,
# checkov). Included from the Makefile. The tools live in their own venv, .venv-infra.
INFRA_VENV  := .venv-infra
INFRA_BIN   := $(INFRA_VENV)/bin
INFRA_STAMP := $(INFRA_VENV)/.installed
# The Lambda runtime is python3.12: `sam build` wants that interpreter on PATH. The infra venv
# is made with it, and its bin/ goes first on PATH for sam (pyenv's shim would refuse).
# Without any Python 3.12 the tools still install (linting works); sam build then says why.
PYTHON312   ?= $(firstword $(wildcard $(or $(PYENV_ROOT),$(HOME)/.pyenv)/versions/3.12*/bin/python3.12) \
                 $(shell python3.12 -c 'import sys; print(sys.executable)' 2>/dev/null) python3)
INFRA_ENV   := PATH="$(abspath $(INFRA_BIN)):$$PATH" SAM_CLI_TELEMETRY=0 \
               AWS_DEFAULT_REGION="$${AWS_DEFAULT_REGION:-us-east-1}"
INFRA_TEMPLATES := template.yaml infra/generated/journeys.template.json

.PHONY: build sam-build lint-infra generated

$(INFRA_STAMP): infra/tools-requirements.txt
	$(PYTHON312) -m venv $(INFRA_VENV)
	$(INFRA_BIN)/python -m pip install --quiet --upgrade pip
	$(INFRA_BIN)/python -m pip install --quiet -r infra/tools-requirements.txt
	touch $(INFRA_STAMP)

# State machine definitions, bundle.json and the journeys' nested stack, from journeys/.
generated: $(STAMP)
	$(BIN)/tact build --out infra/generated

build: generated
	$(MAKE) sam-build

# sam build alone, from the committed infra/generated (what tests/infra/sam/test_infra_build.py runs).
sam-build: $(INFRA_STAMP)
	$(INFRA_ENV) $(INFRA_BIN)/sam build --template template.yaml

lint-infra: $(INFRA_STAMP) $(STAMP)
	$(BIN)/tact build --check --out infra/generated
	$(foreach t,$(INFRA_TEMPLATES),$(INFRA_ENV) $(INFRA_BIN)/sam validate --lint --template $(t) &&) true
	$(INFRA_ENV) $(INFRA_BIN)/cfn-lint $(INFRA_TEMPLATES)
	$(INFRA_ENV) $(INFRA_BIN)/checkov --quiet --compact --skip-download --framework cloudformation \
		$(foreach t,$(INFRA_TEMPLATES),-f $(t))
