"""One settings object: environment variables over an optional TOML file over embedded defaults."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    tls_port: int = 8443
    data_dir: Path = Path("data")
    # The region the banner and local tools suggest; requests may be signed for any region below
    region: str = "us-east-1"
    # Regions requests may be signed for, comma-separated; empty means every AWS region
    regions: str = ""
    # SQLAlchemy URL; empty means SQLite at DATA_DIR/jargonaut.db
    database_url: str = ""
    # Transcription worker threads (each runs one job at a time)
    workers: int = 1
    # TLS certificate; empty means a self-signed one in DATA_DIR/tls/
    tls_cert: str = ""
    tls_key: str = ""
    # S3 backend: when set, s3:// URIs go to this endpoint instead of file buckets
    s3_endpoint_url: str = ""
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    s3_region: str = "us-east-1"
    # Jobs one account may have QUEUED or IN_PROGRESS at once (LimitExceededException beyond)
    max_pending_jobs: int = 250
    # Real-time streams one account may run at once (LimitExceededException beyond)
    max_streams_per_account: int = 4
    # Threads decoding streams (plus one that only takes final results)
    stream_decoders: int = 2
    # Allowed clock skew for SigV4 requests, seconds
    max_clock_skew: int = 300
    # Lifetime of pre-signed transcript URLs, seconds
    presign_expiry: int = 900
    # Largest request body on the JSON API, bytes (Transcribe's largest request is a few KB);
    # larger ones are refused by Content-Length before they are read
    max_request_bytes: int = 1048576
    # Seconds a client has to send a whole request body before the request is dropped
    request_body_timeout: int = 20
    # Seconds a connection may send nothing before it is closed (streams send audio all along)
    read_timeout: int = 60
    # web console: seconds a signed-in session lasts (sign in again afterwards)
    console_session_seconds: int = 3600
    extra: dict = field(default_factory=dict)

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'jargonaut.db'}"

    @classmethod
    def load(cls, **overrides: object) -> "Settings":
        """TOML file (JARGONAUT_CONFIG), then JARGONAUT_<FIELD> variables, then explicit overrides."""
        values: dict[str, object] = {}
        config_file = os.environ.get("JARGONAUT_CONFIG")
        if config_file:
            with open(config_file, "rb") as handle:
                values.update(tomllib.load(handle))
        for f in fields(cls):
            env = os.environ.get(f"JARGONAUT_{f.name.upper()}")
            if env is not None:
                values[f.name] = env
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls()
        for f in fields(cls):
            if f.name in values and f.name != "extra":
                setattr(settings, f.name, _coerce(f.type, values[f.name]))
        settings.data_dir = Path(settings.data_dir).resolve()
        return settings


def _coerce(type_name: object, value: object) -> object:
    if type_name in ("int", int):
        return int(value)  # type: ignore[arg-type]
    if type_name in ("Path", Path):
        return Path(str(value))
    return str(value) if type_name in ("str", str) else value
