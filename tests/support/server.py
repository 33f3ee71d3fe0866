"""Start and stop a real `jargonaut serve` process on free loopback ports."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import boto3
from botocore.config import Config

REPO = Path(__file__).resolve().parents[2]
EVAL = REPO.parent / "shared" / "eval"
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PortTaken(RuntimeError):
    """The server could not bind its port: another process took it after `free_port` chose it."""


@dataclass
class RunningServer:
    data_dir: Path
    port: int
    tls_port: int
    env: dict[str, str]
    process: subprocess.Popen | None = None
    log_path: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    _buckets: set[tuple[str, str]] = field(default_factory=set)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def credentials(self) -> dict[str, str]:
        return json.loads((self.data_dir / "credentials.json").read_text())

    def client(self, credentials: dict[str, str] | None = None, service: str = "transcribe", validate: bool = True,
               region: str = REGION):
        creds = credentials or self.credentials
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id=creds["access_key_id"],
            aws_secret_access_key=creds["secret_access_key"],
            config=Config(retries={"max_attempts": 1}, parameter_validation=validate),
        )

    def bucket(self, name: str, account: str | None = None) -> Path:
        """A file bucket owned by `account` (default: the server's first account), made with
        `jargonaut buckets create` as a user would; repeating it for the same owner is harmless."""
        owner = account or self.credentials["account_id"]
        if (name, owner) not in self._buckets:
            subprocess.run(
                [sys.executable, "-m", "jargonaut.cli", "buckets", "--data-dir", str(self.data_dir), "create",
                 "--name", name, "--account", owner],
                env=self.env, cwd=REPO, check=True, capture_output=True, text=True,
            )
            self._buckets.add((name, owner))
        return self.data_dir / "buckets" / name

    def start(self, timeout: float = 60, attempts: int = 3) -> "RunningServer":
        """Start the server and wait until it answers. `free_port` only finds a port that was
        free a moment ago: another process may take it before the server binds it, so a server
        that exits with its port in use is started again on fresh ports."""
        for _ in range(attempts - 1):
            try:
                return self._start_once(timeout)
            except PortTaken:
                self.port, self.tls_port = free_port(), free_port()
        return self._start_once(timeout)

    def _start_once(self, timeout: float) -> "RunningServer":
        self.log_path = self.data_dir.parent / f"server-{self.port}.log"
        with open(self.log_path, "ab") as log:  # the child keeps its own copy of the handle
            self.process = subprocess.Popen(
                [sys.executable, "-m", "jargonaut.cli", "serve", "--data-dir", str(self.data_dir),
                 "--port", str(self.port), "--tls-port", str(self.tls_port)],
                env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                text = self.log_path.read_text(errors="replace")
                if "Address already in use" in text:
                    raise PortTaken(f"port {self.port} or {self.tls_port} taken")
                raise RuntimeError(f"server exited: {text[-3000:]}")
            try:
                urllib.request.urlopen(f"{self.endpoint}/healthz", timeout=1).read()
                return self
            except OSError:
                time.sleep(0.2)
        self.stop()  # a server that never answered is not left running
        raise RuntimeError(f"server did not start in {timeout:g} s: {self.log_text()[-3000:]}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def another_node(self, **extra_env: str) -> "RunningServer":
        """A second `jargonaut serve` on the same data dir and database (not started): another
        node of the same service, on its own ports."""
        return RunningServer(data_dir=self.data_dir, port=free_port(), tls_port=free_port(),
                             env={**self.env, **extra_env})

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path and self.log_path.exists() else ""

    def wait_for_job(self, client, name: str, timeout: float = 180) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = client.get_transcription_job(TranscriptionJobName=name)["TranscriptionJob"]
            if job["TranscriptionJobStatus"] in ("COMPLETED", "FAILED"):
                return job
            time.sleep(0.3)
        raise TimeoutError(f"job {name} did not finish")


def make_server(tmp_path: Path, **extra_env: str) -> RunningServer:
    env = dict(os.environ)
    env.update({"JARGONAUT_WORKERS": "1", "PYTHONUNBUFFERED": "1", **extra_env})
    env.pop("JARGONAUT_CONFIG", None)
    data_dir = tmp_path / "data"
    return RunningServer(data_dir=data_dir, port=free_port(), tls_port=free_port(), env=env)
