"""A throwaway PostgreSQL cluster from the Debian packages, in a temporary directory on a free
loopback port; stopped (and removed) afterwards. Root cannot run postgres, so as root the cluster
belongs to the `postgres` system user the package creates.

Also a command wrapper: `python -m tests.support.postgres CMD...` runs CMD with
JARGONAUT_DATABASE_URL pointing at a fresh cluster (`make test-postgres`).
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from tests.support.server import free_port

SUPERUSER = "postgres"


def initdb_path() -> Path | None:
    found = shutil.which("initdb") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)), None)
    return Path(found) if found else None


def _as_owner(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class Cluster:
    def __init__(self, port: int) -> None:
        self.port = port

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; its SQLAlchemy URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname=postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    initdb = initdb_path()
    if initdb is None:
        raise FileNotFoundError("PostgreSQL is not installed (make test installs the Debian package postgresql)")
    bin_dir = initdb.parent
    root = Path(tempfile.mkdtemp(prefix="jargonaut-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    port = free_port()
    try:
        subprocess.run(_as_owner([str(initdb), "-D", str(data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
                                  "--no-sync"]), check=True, capture_output=True)
        options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={root} -c fsync=off"
        subprocess.run(_as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-t", "60",
                                  "-o", options, "start"]), check=True, capture_output=True)
        try:
            yield Cluster(port)
        finally:
            subprocess.run(_as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                           capture_output=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    with throwaway_cluster() as cluster:
        env = dict(os.environ, JARGONAUT_DATABASE_URL=cluster.new_database())
        sys.exit(subprocess.run(sys.argv[1:], env=env).returncode)
