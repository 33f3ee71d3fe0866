"""Command line: `jargonaut serve`, account management, and local CLM tools."""
from __future__ import annotations

import argparse
import importlib
import json
import sys

from jargonaut.cli_common import data_dir_parent, run_command
from jargonaut.settings import Settings

# Subcommand groups that live beside the code they drive; each module offers register(subparsers).
_PLUGINS = ("jargonaut.cli_admin", "jargonaut.cli_client", "jargonaut.lm.cli", "jargonaut.evaluate.cli")


def _serve(args: argparse.Namespace) -> int:
    from jargonaut.server import run_server

    settings = Settings.load(host=args.host, port=args.port, tls_port=args.tls_port, data_dir=args.data_dir, workers=args.workers)
    run_server(settings)
    return 0


def _accounts(args: argparse.Namespace) -> int:
    from jargonaut.service.accounts import Accounts
    from jargonaut.store.database import open_engine

    settings = Settings.load(data_dir=args.data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    accounts = Accounts(open_engine(settings.database))
    if args.accounts_command == "create":
        p = accounts.create(args.account_id)
        print(json.dumps({"account_id": p.account_id, "access_key_id": p.access_key_id, "secret_access_key": p.secret_access_key}, indent=2))
    else:
        for p in accounts.all():
            print(f"{p.account_id}\t{p.access_key_id}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jargonaut", description="Self-hosted speech-to-text with custom language models.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the API server (embedded defaults)")
    serve.add_argument("--host", default=None, help="bind address (JARGONAUT_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="plain HTTP port (JARGONAUT_PORT, default 8080)")
    serve.add_argument("--tls-port", type=int, default=None, help="HTTPS/HTTP2 port (JARGONAUT_TLS_PORT, default 8443)")
    serve.add_argument("--data-dir", default=None, help="where everything is kept (JARGONAUT_DATA_DIR, default ./data)")
    serve.add_argument("--workers", type=int, default=None, help="concurrent transcription jobs (JARGONAUT_WORKERS)")
    serve.set_defaults(func=_serve)

    accounts = sub.add_parser("accounts", help="manage accounts and access keys")
    accounts.add_argument("--data-dir", default=None)
    acc_sub = accounts.add_subparsers(dest="accounts_command", required=True)
    create = acc_sub.add_parser("create", help="create an account with a new access key", parents=[data_dir_parent()])
    create.add_argument("--account-id", default=None)
    acc_sub.add_parser("list", help="list accounts", parents=[data_dir_parent()])
    accounts.set_defaults(func=_accounts)

    for module_name in _PLUGINS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue  # that part is not built yet
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_command(args.func, args)


if __name__ == "__main__":
    sys.exit(main())
