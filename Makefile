# Two commands on a fresh clone: `make site` builds site/, `make test` runs every test.
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
NODE := node_modules/.installed
CMS_PORT ?= 8081

.PHONY: site test serve check cms admin-sums clean

site: $(VENV)/.installed $(NODE)
	$(PY) build.py

test: $(VENV)/.installed $(NODE)
	$(PY) -m pytest

serve: $(VENV)/.installed
	$(PY) build.py serve

check: $(VENV)/.installed
	$(PY) build.py check

# The browser editor on this machine: decap-server writes what is saved at http://127.0.0.1:8000/admin/
# straight into this working copy (content/, registry/departments/); `serve` shows the result.
cms: $(VENV)/.installed $(NODE)
	@trap 'kill $$server 2>/dev/null' EXIT INT TERM; \
	PORT=$(CMS_PORT) BIND_HOST=127.0.0.1 GIT_REPO_DIRECTORY=$(CURDIR) node node_modules/decap-server/dist/index.js & \
	server=$$!; \
	DECAP_SERVER_PORT=$(CMS_PORT) $(PY) build.py serve --no-index

# After changing the Decap version in package.json and running `npm install`: record the new files' sums.
admin-sums: $(VENV)/.installed $(NODE)
	$(PY) -c "from archive.admin import sums, SUMS; SUMS.write_text(sums())"

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $@

# Exactly what package-lock.json pins, each package checked against its recorded sha512.
$(NODE): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

clean:
	rm -rf site $(VENV) node_modules
