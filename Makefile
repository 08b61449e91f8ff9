# The README's two commands: `make run` and `make test`. Everything else serves them.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
MODELS := var/models
APT_INSTALL := apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq

.PHONY: run test venv services browser models lint format clean

run: venv services models
	$(BIN)/vitrina run

test: venv services browser models
	$(BIN)/python -m pytest

venv: $(STAMP)

# torch first and pinned: that exact version is a local CPU build here; another would
# pull gigabytes of CUDA wheels. Then everything: the CPU worker (onnxruntime), the embedded
# MongoDB-protocol server and the test tools (pyproject.toml's extras).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[worker,embedded,dev]'
	touch $@

# The embedded Redis comes from Debian's package; installed when missing and root.
# docker-compose (Debian's) only validates docker-compose.yml in the tests.
services:
	@command -v redis-server >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then $(APT_INSTALL) redis-server; else \
	    echo "redis-server is missing: run 'sudo apt-get install redis-server' or set REDIS_URL"; \
	    exit 1; \
	  fi; }
	@command -v docker-compose >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || \
	  { $(APT_INSTALL) docker-compose || true; }

# The panel's browser tests drive Debian's Chromium through Playwright (never a downloaded
# browser); installed when missing and root, otherwise those tests are skipped.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then $(APT_INSTALL) chromium; else \
	    echo "chromium is missing: the browser tests are skipped (sudo apt-get install chromium)"; \
	  fi; }

# A missing model is not fatal: the worker says so and uses its classical fallback.
models: venv
	@$(BIN)/python -m inference.segmentation.fetch_u2netp $(MODELS) || true

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
