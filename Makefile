# Set-up and everyday commands. `make serve` and `make test` work on a fresh machine.
VENV   := .venv
PYTHON := $(VENV)/bin/python
export NO_MKDOCS_2_WARNING := 1

.PHONY: install install-browser serve serve-zh build test accept bench screenshots clean

# Python packages (pinned in requirements.lock) and MathJax (pinned in package-lock.json).
install: $(VENV)/.installed node_modules/.installed
$(VENV)/.installed: pyproject.toml requirements.lock
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet -r requirements.lock
	$(PYTHON) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Debian's Chromium for the browser tests (Playwright cannot download browsers here),
# with a CJK font so that screenshots of the Chinese pages show characters.
install-browser:
	dpkg -s chromium fonts-noto-cjk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk)

serve: install  ## the English site with live reload; `make serve-zh` for Chinese
	$(VENV)/bin/mkdocs serve
serve-zh: install
	$(VENV)/bin/mkdocs serve -f mkdocs.zh.yml -a 127.0.0.1:8001

build: install  ## both languages, strict, into site/
	$(PYTHON) -m execdocs build

test: install install-browser  ## the whole test suite, as CI runs it
	$(PYTHON) -m pytest

accept: install  ## record the snippets' current outputs as the expected ones
	$(PYTHON) -m pytest tests/test_outputs.py --update-outputs

screenshots: install install-browser  ## full-page PNGs of every page, both languages, into screenshots/
	$(PYTHON) tests/browser/screenshots.py --out screenshots

bench: install
	$(PYTHON) bench/build_speed.py

clean:
	rm -rf site .cache

.PHONY: offline preview
offline: install  ## both languages as one zip that works opened from disk: site/cross-entropy-executed-offline.zip
	$(PYTHON) tools/offline_archive.py

preview: install  ## build exactly what is published (site/, offline zip included) and serve it on 127.0.0.1:8000
	$(PYTHON) tools/publish.py preview
