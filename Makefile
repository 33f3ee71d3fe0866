# Two commands on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
PY := $(VENV)/bin/python

.PHONY: install chromium serve lint test test-fast test-postgres postgresql bench clean

# Re-install only when the package metadata changes.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,postgres]'
	# Speaker labels' voice-encoder weights ship inside this wheel; its dependencies (torch,
	# librosa, webrtcvad) are never imported, so they are not installed.
	$(PY) -m pip install -q --no-deps resemblyzer==0.1.4
	touch $(STAMP)

# The AWS SDK for JavaScript v3, which the tests drive too (Node.js and npm from the system).
JS_STAMP := tests/js/node_modules/.installed
$(JS_STAMP): tests/js/package-lock.json
	cd tests/js && npm ci --no-audit --no-fund --loglevel=error
	touch $(JS_STAMP)

install: $(STAMP)

# The console's browser tests drive Debian's Chromium through Playwright (no browser download).
# apt-get only when chromium is missing, so `make test` stays fast on a machine that has it (sudo when not root).
chromium:
	@command -v chromium >/dev/null 2>&1 || { SUDO=$$([ "$$(id -u)" -ne 0 ] && echo sudo); \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

serve: install
	$(VENV)/bin/jargonaut serve

# PostgreSQL server binaries for the multi-node tests' throwaway clusters (Debian package).
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || { \
	    SUDO=$$([ "$$(id -u)" -ne 0 ] && echo sudo); \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql; }

# Lint and type checks (settings in pyproject.toml), then the suite.
lint: install
	$(PY) -m ruff check jargonaut bench tests
	$(PY) -m mypy

test: install chromium lint $(JS_STAMP) postgresql
	$(PY) -m pytest -q -rs

test-fast: install
	$(PY) -m pytest -q -m "not slow"

# The shared-state suites against PostgreSQL: a throwaway cluster of their own, or the server in
# DATABASE_URL (make test-postgres DATABASE_URL=postgresql+psycopg://user@host/db).
PG_SUITES := tests/api/test_jobs.py tests/api/test_auth.py tests/api/test_language_models.py tests/api/test_job_settings.py -m "not slow" -k "not upgrade"
test-postgres: install postgresql
ifeq ($(DATABASE_URL),)
	$(PY) -m tests.support.postgres $(PY) -m pytest -q $(PG_SUITES)
else
	JARGONAUT_DATABASE_URL=$(DATABASE_URL) $(PY) -m pytest -q $(PG_SUITES)
endif

# Every benchmark prints a table with its peer in the same run (long: about an hour on 2 cores).
bench: install
	$(PY) -m pip install -q -e '.[test,bench]'
	$(PY) -m bench.batch_rtf --long
	$(PY) -m bench.api_latency
	$(PY) -m bench.service_wer
	$(PY) -m bench.lm_train
	$(PY) -m bench.clm_wer --set biomed
	$(PY) -m bench.clm_wer --set devops
	$(PY) -m bench.clm_wer --set medical --max-seconds 120
	$(PY) -m bench.clm_wer --set general
	$(PY) -m bench.clm_speed
	$(PY) -m bench.stream_latency
	$(PY) -m bench.stream_vad
	$(PY) -m bench.engine_ladder --medical 3 --max-seconds 120

clean:
	rm -rf $(VENV) .pytest_cache
