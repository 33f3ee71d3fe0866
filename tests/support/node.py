"""Run the AWS SDK for JavaScript v3 flows in tests/js (installed by `make install`: npm ci)."""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.support.server import REPO, RunningServer

JS_DIR = REPO / "tests" / "js"


def ensure_node_packages() -> Path:
    """tests/js/node_modules from the lock file; installs it when a test runs outside `make test`."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("Node.js is required for the JavaScript SDK tests (apt-get install nodejs npm).")
    with open(JS_DIR / "package-lock.json") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel test sessions share one install
        if not (JS_DIR / "node_modules" / "@aws-sdk" / "client-transcribe-streaming").is_dir():
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS_DIR, check=True, capture_output=True,
                           timeout=600)
    return JS_DIR


def run_flow(server: RunningServer, command: str, spec: dict[str, Any], timeout: float = 600) -> dict[str, Any]:
    creds = server.credentials
    full = {"endpoint": server.endpoint, "tls_endpoint": f"https://127.0.0.1:{server.tls_port}",
            "access_key_id": creds["access_key_id"], "secret_access_key": creds["secret_access_key"],
            "account_id": creds["account_id"], "region": "us-east-1", **spec}
    env = dict(os.environ, NODE_EXTRA_CA_CERTS=str(server.data_dir / "tls" / "cert.pem"),
               AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    result = subprocess.run(["node", "flows.mjs", command, json.dumps(full)], cwd=ensure_node_packages(), env=env,
                            capture_output=True, text=True, timeout=timeout)
    lines = result.stdout.strip().splitlines()
    if not lines:
        raise AssertionError(f"node {command} printed nothing (rc {result.returncode}): {result.stderr[-3000:]}")
    return json.loads(lines[-1])
