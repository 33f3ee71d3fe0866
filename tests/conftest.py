from __future__ import annotations

import pytest
from moto.server import ThreadedMotoServer

from tests.support.postgres import initdb_path, throwaway_cluster
from tests.support.server import EVAL, RunningServer, free_port, make_server


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


@pytest.fixture
def s3_endpoint():
    """A real S3 endpoint on loopback: moto's standalone server, stopped afterwards."""
    port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    moto.start()
    yield f"http://127.0.0.1:{port}"
    moto.stop()


@pytest.fixture(scope="module")
def postgres():
    """A throwaway PostgreSQL cluster (Debian's server binaries) for one test module."""
    if initdb_path() is None:
        pytest.skip("PostgreSQL is not installed: `make test` installs the Debian package postgresql")
    with throwaway_cluster() as cluster:
        yield cluster
