# Set-up and everyday commands. `make serve` and `make test` work on a fresh machine.
VENV := .venv
PY   := $(VENV)/bin/python
export NO_MKDOCS_2_WARNING := 1
# The Python 3.11 that .venv is made with: `make PYTHON=/path/to/python3.11`, else found by
# scripts/find-python.sh (python3.11, then python3). Only consulted when .venv must be made.
export PYTHON

.PHONY: install install-browser serve serve-zh build test accept bench bench-reader screenshots clean FORCE

# The Python version .venv runs, if it runs; one made by another version is made again.
VENV_VERSION := $(shell $(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
VENV_OK := $(filter 3.11,$(VENV_VERSION))
# Expanded only in the recipe that makes .venv: the interpreter's path, or stop with the
# script's one-line reason (which says what to install).
# (Make before 4.4 does not pass its exported variables to $(shell): PYTHON is given explicitly.)
HOST_PYTHON = $(call path_or_stop,$(shell PYTHON='$(PYTHON)' sh scripts/find-python.sh 2>&1))
path_or_stop = $(if $(filter /%,$(firstword $(1))),$(1),$(error $(1)))

# Python packages (pinned in requirements.lock) and MathJax (pinned in package-lock.json).
install: $(VENV)/.installed node_modules/.installed
$(VENV)/.installed: pyproject.toml requirements.lock scripts/install-python-deps.sh $(if $(VENV_OK),,FORCE)
	$(if $(VENV_OK),,$(if $(VENV_VERSION),@echo "$(VENV) runs Python $(VENV_VERSION) instead of 3.11: making it again"))
	$(if $(VENV_OK),,$(HOST_PYTHON) -m venv --clear $(VENV))
	sh scripts/install-python-deps.sh $(PY) requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# A Chromium for the browser tests, and a CJK font so that screenshots of the Chinese pages
# show characters: apt-get installs them as root on Debian; elsewhere this says what to install.
install-browser:
	@sh scripts/check-browser.sh

serve: install  ## the English site with live reload; `make serve-zh` for Chinese
	$(VENV)/bin/mkdocs serve
serve-zh: install
	$(VENV)/bin/mkdocs serve -f mkdocs.zh.yml -a 127.0.0.1:8001

build: install  ## both languages, strict, into site/
	$(PY) -m execdocs build

test: install install-browser  ## the whole test suite, as CI runs it
	$(PY) -m pytest

accept: install  ## record the snippets' current outputs as the expected ones
	$(PY) -m pytest tests/test_outputs.py --update-outputs

screenshots: install install-browser  ## full-page PNGs of every page, both languages, into screenshots/
	$(PY) tests/browser/screenshots.py --out screenshots

bench: install  ## build times, then the serve loop (an edit until the page shows it)
	$(PY) bench/build_speed.py
	$(PY) bench/serve_loop.py

bench-reader: install install-browser  ## what a reader waits for: the site before build-time math against now
	$(PY) bench/reader_speed.py

clean:
	rm -rf site .cache

.PHONY: offline preview
offline: install  ## both languages as one zip that works opened from disk: site/cross-entropy-executed-offline.zip
	$(PYTHON) tools/offline_archive.py

preview: install  ## build exactly what is published (site/, offline zip included) and serve it on 127.0.0.1:8000
	$(PYTHON) tools/publish.py preview
