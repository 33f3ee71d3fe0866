# Two commands on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
PY := $(VENV)/bin/python

.PHONY: install serve test test-fast test-postgres bench clean

# Re-install only when the package metadata changes.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

serve: install
	$(VENV)/bin/jargonaut serve

test: install
	$(PY) -m pytest -q -rs

test-fast: install
	$(PY) -m pytest -q -m "not slow"

# The shared-state suites against a PostgreSQL server: make test-postgres DATABASE_URL=postgresql+psycopg://user@host/db
test-postgres: install
	$(PY) -m pip install -q -e '.[test,postgres]'
	JARGONAUT_DATABASE_URL=$(DATABASE_URL) $(PY) -m pytest -q tests/api/test_jobs.py tests/api/test_auth.py \
	    tests/api/test_language_models.py -m "not slow" -k "not upgrade"

bench: install
	$(PY) -m bench.batch_rtf
	$(PY) -m bench.api_latency

clean:
	rm -rf $(VENV) .pytest_cache
