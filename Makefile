# Two commands on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
PY := $(VENV)/bin/python

.PHONY: install serve test test-fast bench clean

# Re-install only when the package metadata changes.
$(STAMP): pyproject.toml
	@command -v ffmpeg >/dev/null 2>&1 || true
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

bench: install
	$(PY) -m bench.batch_rtf
	$(PY) -m bench.api_latency

clean:
	rm -rf $(VENV) .pytest_cache
