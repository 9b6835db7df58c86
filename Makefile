# Two commands on a fresh clone: `make site` builds site/, `make test` runs every test.
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: site test serve check install clean

site: $(VENV)/.installed
	$(PY) build.py

test: install
	$(PY) -m pytest

serve: $(VENV)/.installed
	$(PY) build.py serve

check: $(VENV)/.installed
	$(PY) build.py check

# Python for the build and tests; axe-core (package-lock.json) for tests/test_accessibility.py only.
install: $(VENV)/.installed node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $@

clean:
	rm -rf site $(VENV) node_modules
