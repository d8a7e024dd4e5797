# Figures and long property runs; neither is part of `make test` (included by the Makefile).
#   make bench   one line per figure (see benchmarks/run.py); `make bench BENCH=imports` for one
#   make soak    property and fault tests with the long hypothesis profile
.PHONY: bench soak

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH)

soak: $(STAMP)
	HYPOTHESIS_PROFILE=soak $(BIN)/python -m pytest -p no:cacheprovider -q \
		tests/integration/invariants/test_properties.py \
		tests/integration/invariants/test_faults.py tests/integration/ingest/test_bad_input.py \
		tests/integration/consent/test_consent_properties.py
