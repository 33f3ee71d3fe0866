"""One settings object: environment variables over an optional TOML file over embedded defaults."""
from __future__ import annotations

import os
import socket
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
    # Transcription worker threads (each runs one job at a time; with Ray, each drives one speech actor)
    workers: int = 1
    # Where jobs and CLM trainings run: local (this process), ray (the Ray cluster Ray finds:
    # RAY_ADDRESS or the one `ray start` began on this machine), ray://HOST:PORT (Ray Client) or
    # HOST:PORT (the cluster's GCS address, with a Ray node on this machine)
    executor: str = "local"
    # TLS certificate; empty means a self-signed one in DATA_DIR/tls/
    tls_cert: str = ""
    tls_key: str = ""
    # S3 backend: when set, s3:// URIs go to this endpoint instead of file buckets
    s3_endpoint_url: str = ""
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    s3_region: str = "us-east-1"
    # With an S3 endpoint: the bucket that holds the service's own files (transcripts, subtitle
    # files, CLM artefacts) so every node reads the same; created if missing, never a user's
    s3_service_bucket: str = "jargonaut-service"
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
    # This node among those sharing one database; empty means host:port, which stays the same
    # across restarts, so a restarted node takes its own unfinished work back at once
    node_id: str = ""
    # Seconds a node's lease on a job, a training or a stream lasts without a heartbeat (it beats
    # every third of this); a dead node's work is taken over by another node after this long
    lease_seconds: int = 30
    # -- speech recognition (jargonaut.asr.options builds the engine's options from these) --
    # Base models: a ladder name (whisper-tiny.en, whisper-base) or a CTranslate2 Whisper
    # directory; version 0 means the ladder's own version (a directory: 1).
    wideband_model: str = "whisper-tiny.en"
    wideband_version: int = 0
    narrowband_model: str = "whisper-tiny.en"
    narrowband_version: int = 0
    # Where models run: cpu or cuda (CTranslate2 and the fused decoder's ONNX Runtime session)
    device: str = "cpu"
    compute_type: str = "int8"
    beam_size: int = 5
    cpu_threads: int = 0  # CTranslate2 threads per batch decode; 0: CTranslate2 picks
    stream_cpu_threads: int = 1  # per stream decode (multi-threaded decodes stall under contention)
    decoder_backend: str = "onnxruntime"  # the fused decoder's steps: onnxruntime or numpy (reference)
    decoder_threads: int = 0  # ONNX Runtime threads; 0: min(2, cores)
    blas_threads: int = 1  # NumPy BLAS threads around the fused search
    lead_in_s: float = 0.5  # seconds of silence Whisper reads before the audio's first sound (asr/lead_in.py); 0: off
    # CLM fusion weights; unset means the tuned defaults (jargonaut.asr.options.FusionSettings)
    clm_unit: str | None = None
    clm_alpha: float | None = None
    clm_beta: float | None = None
    clm_token_alpha: float | None = None
    clm_token_beta: float | None = None
    clm_ilm_weight: float | None = None
    clm_share: float | None = None  # the CLM's share in its mix with Whisper's internal LM
    stream_debug: bool = False  # debug logging of stream decodes
    # web console: seconds a signed-in session lasts (sign in again afterwards)
    console_session_seconds: int = 3600
    # web console sign-in limit: failed attempts allowed per access key id and per client address
    # within the window (seconds); further attempts are refused until the oldest failure ages out
    console_signin_key_attempts: int = 5
    console_signin_address_attempts: int = 20
    console_signin_window_seconds: int = 900
    # web console: largest audio file one upload may carry, bytes (streamed to the bucket in chunks)
    console_max_upload_bytes: int = 524288000
    extra: dict = field(default_factory=dict)

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'jargonaut.db'}"

    @property
    def node(self) -> str:
        return self.node_id or f"{socket.gethostname()}:{self.port}"

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


@dataclass(frozen=True)
class ClientEnvironment:
    """The standard AWS variables a command acting as a client reads (AWS CLI conventions)."""

    access_key_id: str | None
    secret_access_key: str | None
    region: str | None  # AWS_REGION, else AWS_DEFAULT_REGION
    endpoint_url: str | None  # AWS_ENDPOINT_URL_TRANSCRIBE

    @classmethod
    def load(cls) -> "ClientEnvironment":
        env = os.environ
        return cls(env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY"),
                   env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION"), env.get("AWS_ENDPOINT_URL_TRANSCRIBE"))


def _coerce(type_name: object, value: object) -> object:
    name = str(getattr(type_name, "__name__", type_name))
    if name.endswith(" | None"):
        if value in (None, ""):
            return None
        name = name[: -len(" | None")]
    if name == "int":
        return int(value)  # type: ignore[call-overload]
    if name == "float":
        return float(value)  # type: ignore[arg-type]
    if name == "bool":
        return value if isinstance(value, bool) else str(value).strip().lower() in ("1", "true", "yes", "on")
    if name == "Path":
        return Path(str(value))
    return str(value) if name == "str" else value
