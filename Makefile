# Rollbook: `make demo` and `make test` are the two commands a newcomer runs.
SHELL := /bin/bash
MODEL := data/models/SmolLM2-135M-Instruct.Q4_1.gguf
SWIFT ?= swift
BUILD_FLAGS := -c release
ROLLBOOK := .build/release/rollbook

.PHONY: demo test deps test-deps model build bench bench-compare fixtures clean grader-compare fuzz

# The main job: sample, analyse and render the quickstart notebook into reports/quickstart/
# (index.html, report.pdf, figures/), then the two-run comparison into reports/compare/ (its
# few-shot run is the quickstart's L = 0 cells, so only the chat run is generated). Rollouts
# are cached in data/rollbook.sqlite, so a second run only re-renders.
demo: deps model build
	$(ROLLBOOK) render notebooks/quickstart.md
	$(ROLLBOOK) bundle notebooks/quickstart.md --out reports/quickstart/quickstart.rollbook
	$(ROLLBOOK) render notebooks/compare.md
	$(ROLLBOOK) bundle notebooks/compare.md --out reports/compare/compare.rollbook
	@echo "open reports/quickstart/index.html and reports/compare/index.html (or report.pdf); share reports/*/*.rollbook"

test: test-deps model
	$(SWIFT) build $(BUILD_FLAGS)
	$(SWIFT) test $(BUILD_FLAGS)

# The fuzz suite (Tests/FuzzTests) with a large budget; `make test` runs it with a small one.
# ROLLBOOK_FUZZ_SEED=N tries another sequence of inputs.
FUZZ_ITERATIONS ?= 20000
fuzz: deps model
	$(SWIFT) build $(BUILD_FLAGS) --build-tests
	ROLLBOOK_FUZZ_ITERATIONS=$(FUZZ_ITERATIONS) $(SWIFT) test $(BUILD_FLAGS) --skip-build --filter FuzzTests

deps:
	@scripts/install-deps.sh runtime

# Test dependencies: Debian packages, and llama.cpp's server (the remote tests' peer).
test-deps:
	@scripts/install-deps.sh test
	@scripts/install-llama-server.sh
	@scripts/fetch-vocab-tests.sh

model: $(MODEL)

$(MODEL):
	@scripts/fetch-model.sh $(MODEL)

build:
	$(SWIFT) build $(BUILD_FLAGS)

bench: deps model build
	$(ROLLBOOK) bench

# Same-run comparison with llama.cpp's own native tools (llama-bench, llama-batched-bench),
# built once from the llama-cpp-python 0.3.36 sdist's llama.cpp tree (~10 min on 2 cores the
# first time, cached in .tools/). BENCH_FLAGS="--formats Q4_K_M,Q6_K,Q8_0" adds re-quantised copies.
BENCH_FLAGS ?=
bench-compare: deps model build
	@scripts/build-llamacpp-tools.sh >/dev/null
	python3 scripts/bench_compare.py $(BENCH_FLAGS)

# Regenerates the golden fixtures from independent implementations.
fixtures: model
	@scripts/install-python-tools.sh
	python3 scripts/make_gguf_fixtures.py
	python3 scripts/make_llama_fixtures.py
	python3 scripts/make_arch_fixtures.py
	@scripts/fetch-vocab-tests.sh
	python3 scripts/make_chat_fixtures.py

clean:
	rm -rf .build reports/*/

# The grader against Hugging Face's Math-Verify on the committed grader table (same pairs, same run).
grader-compare: build
	@test -x .venv-mathverify/bin/python || (python3 -m venv .venv-mathverify && .venv-mathverify/bin/pip install --quiet math-verify==0.9.0)
	.venv-mathverify/bin/python scripts/compare_math_verify.py
