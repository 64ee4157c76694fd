# Deep Python: make serve | make test | make build | make bench | make post TITLE="..."
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1
export KERAS_BACKEND := torch
export PYTHONHASHSEED := 0
# Notebooks run on tools/jupyter's kernel spec: ipykernel's own, minus its start-up log lines.
export JUPYTER_PATH := $(CURDIR)/tools/jupyter

.PHONY: serve build test lint fix bench post lock clean browser-deps

# The virtual environment is rebuilt whenever the pinned requirements change.
$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11, 5), "Python 3.11.5 or newer is needed, found " + sys.version.split()[0]'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# No retries: where PyTorch's CPU index cannot be reached (an offline mirror, a firewall),
	# pip would otherwise wait about 8 s per package before it falls back to the other indexes.
	# pip byte-compiles what it installs on one core (50 s here); compileall
	# does the same on every core and skips the packages' own test suites, which
	# nothing here imports (22 s). Files it cannot compile (templates, Python 2
	# examples in some wheels) are skipped, as pip skips them.
	$(BIN)/python -m pip install --quiet --retries 0 --no-compile -r requirements.txt
	$(BIN)/python -c "import compileall, re, sys; compileall.compile_dir(sys.argv[1], quiet=2, workers=0, rx=re.compile('/tests/'))" $(VENV)/lib
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# No .pyc files: a build imports snippets/, and new bytecode there would trigger a rebuild.
# --dirty renders again only what changed (a post edit shows in about a second); a change
# under snippets/ renders every page again. The blog index and the navigation catch up with
# a changed title on the next start.
serve: $(STAMP)
	PYTHONDONTWRITEBYTECODE=1 $(BIN)/mkdocs serve --dirty --dev-addr 127.0.0.1:8000 --livereload

build: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fix: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Debian's Chromium for the browser tests (tests/browser/): apt-get as root or via sudo -n.
browser-deps: $(STAMP)
	$(BIN)/python -m tools.browser_setup

# One worker per core (pytest-xdist). --dist loadfile keeps each file's tests on one worker:
# a page's code blocks run together, in page order, in one namespace.
test: lint build browser-deps
	$(BIN)/python -m pytest -n auto --dist loadfile

bench: $(STAMP)
	$(BIN)/python -m benchmarks

post: $(STAMP)
	@test -n "$(TITLE)" || { echo 'usage: make post TITLE="My post title"'; exit 2; }
	$(BIN)/python -m tools.new_post "$(TITLE)"

# Re-pin every dependency for Linux, macOS and Windows after editing requirements.in (uv).
lock: $(STAMP)
	$(BIN)/python -m tools.lock $(LOCK_OPTIONS)

clean:
	rm -rf site .cache .pytest_cache .ruff_cache
