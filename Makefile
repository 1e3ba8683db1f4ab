# Two commands do all set-up on a fresh machine (see README):
#   make run    the app on the embedded default (SQLite under data/ + bundled demo returns)
#   make test   lint, types and the whole test suite (installs what the tests need)
# Both create or update the virtual environment in .venv first.

PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
PORT    ?= 8501
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test venv system-deps lint bench demo-data

# The venv comes from the standard library (Debian: python3-venv), uv from PyPI into it: no
# pip install into the system Python, which Debian refuses (externally managed).
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV) || { \
		echo "make: cannot create $(VENV); on Debian: apt-get install python3-venv" >&2; \
		rm -rf $(VENV); exit 1; }
	@test -x $(BIN)/uv || { $(BIN)/python -m pip --version >/dev/null 2>&1 \
		|| $(BIN)/python -m ensurepip --default-pip >/dev/null; \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check uv; }
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

# The demo returns are loaded before the server starts (into the default database only, see
# `ntm demo`), so the first visitor does not wait for them on an empty page.
run: $(STAMP)
	@bash scripts/system-deps.sh --run
	@$(BIN)/ntm demo >/dev/null
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.headless true \
		--client.toolbarMode minimal --browser.gatherUsageStats false \
		--server.fileWatcherType none

system-deps:
	@bash scripts/system-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: $(STAMP) system-deps lint
	$(BIN)/python -m pytest -n 2 --dist loadfile; code=$$?; \
	if [ $$code -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$code

bench: $(STAMP)
	$(BIN)/python bench/run.py

demo-data: $(STAMP)
	$(BIN)/python scripts/make_demo_data.py

bench-quick: $(STAMP)
	$(BIN)/python bench/run.py --quick
