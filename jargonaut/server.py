"""`jargonaut serve`: Hypercorn with plain HTTP and TLS (HTTP/1.1 + HTTP/2) binds."""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

from hypercorn.asyncio import serve
from hypercorn.config import Config

from jargonaut.api.app import create_app
from jargonaut.service.app_services import build_services
from jargonaut.settings import Settings
from jargonaut.stream import h2_goaway
from jargonaut.tls import ensure_self_signed

log = logging.getLogger("jargonaut")


def _hypercorn_config(settings: Settings, cert: Path, key: Path) -> Config:
    config = Config()
    config.bind = [f"{settings.host}:{settings.tls_port}"]
    config.insecure_bind = [f"{settings.host}:{settings.port}"]
    config.certfile, config.keyfile = str(cert), str(key)
    config.alpn_protocols = ["h2", "http/1.1"]
    config.h2_max_concurrent_streams = 1000  # default 100 hangs extra streams silently
    config.accesslog = None
    # Through our root handler once (Hypercorn's own handler would print "Running on" twice).
    config.errorlog = logging.getLogger("hypercorn.error")
    config.graceful_timeout = 2
    # A client that stops sending (headers or part of a body, then nothing) loses its connection.
    config.read_timeout = settings.read_timeout
    return config


def _shell_hint(settings: Settings) -> str:
    """How a second shell gets `aws`, `jargonaut` and these credentials (installed into a venv)."""
    data_dir = "" if settings.data_dir == Path("data").resolve() else f" --data-dir {settings.data_dir}"
    env = f'eval "$(jargonaut env{data_dir})"'
    venv = Path(sys.prefix)
    if venv == Path(sys.base_prefix):
        return f"  shell setup    : {env}\n"
    try:
        venv = venv.relative_to(Path.cwd())
    except ValueError:
        pass
    return f"  shell setup    : . {venv}/bin/activate && {env}\n"


def run_server(settings: Settings) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # One line per job, model and stream comes from our services; not one per decode call.
    logging.getLogger("faster_whisper").setLevel(logging.WARNING)
    services = build_services(settings)
    principal, created = services.accounts.ensure_default(settings.data_dir / "credentials.json")
    if settings.tls_cert:
        cert, key = Path(settings.tls_cert), Path(settings.tls_key)
    else:
        cert, key = ensure_self_signed(settings.data_dir / "tls", [settings.host])
    resumed_jobs, resumed_models = services.recover()
    app = create_app(services)
    h2_goaway.install()  # the JavaScript SDK's early GOAWAY must not end its stream
    print(
        f"Jargonaut is serving on http://{settings.host}:{settings.port} and https://{settings.host}:{settings.tls_port}\n"
        f"  data directory : {settings.data_dir}\n"
        f"  account        : {principal.account_id}{' (new)' if created else ''}\n"
        f"  credentials    : AWS_ACCESS_KEY_ID={principal.access_key_id} "
        f"AWS_SECRET_ACCESS_KEY={principal.secret_access_key} AWS_DEFAULT_REGION={settings.region}\n"
        f"  endpoint       : aws --endpoint-url http://{settings.host}:{settings.port} transcribe ...\n"
        f"{_shell_hint(settings)}"
        f"  TLS trust      : export SSL_CERT_FILE={cert}\n"
        f"  resumed        : {resumed_jobs} transcription job(s), {resumed_models} language model training(s)",
        flush=True,
    )
    shutdown = asyncio.Event()

    def _stop(sig: signal.Signals) -> None:
        log.info("%s received: shutting down", sig.name)
        shutdown.set()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, _stop, sig)
        await serve(app, _hypercorn_config(settings, cert, key), shutdown_trigger=shutdown.wait)

    try:
        asyncio.run(main())
    finally:
        running = services.jobs.running()
        services.close()
        log.info("Jargonaut stopped%s", f"; {running} unfinished job(s) resume on the next start" if running else "")
    # Don't wait for a running job: its state is committed, and the next start resumes it.
    logging.shutdown()
    os._exit(0)
