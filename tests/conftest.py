from __future__ import annotations

import pytest

from tests.support.server import EVAL, RunningServer, make_server


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> RunningServer:
    """One server for the read-mostly API tests (jobs get unique names)."""
    srv = make_server(tmp_path_factory.mktemp("server")).start()
    yield srv
    srv.stop()


@pytest.fixture
def fresh_server(tmp_path) -> RunningServer:
    """A server of the test's own (restart, configuration) — stopped afterwards."""
    srv = make_server(tmp_path)
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def eval_dir():
    if not EVAL.is_dir():
        pytest.fail(f"evaluation data missing at {EVAL}")
    return EVAL
