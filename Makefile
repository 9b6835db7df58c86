# Two commands on a fresh clone: `make site` builds site/, `make test` runs every test.
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: site test serve check clean

site: $(VENV)/.installed
	$(PY) build.py

test: $(VENV)/.installed
	$(PY) -m pytest

serve: $(VENV)/.installed
	$(PY) build.py serve

check: $(VENV)/.installed
	$(PY) build.py check

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $@

clean:
	rm -rf site $(VENV)
