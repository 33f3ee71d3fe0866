"""`jargonaut roles ...` (data access roles) and `jargonaut models retrain` (upgrade a CLM)."""
from __future__ import annotations

import argparse
import json
import urllib.error
import urllib.request
from pathlib import Path

from jargonaut.settings import ClientEnvironment, Settings


def _default_account(settings: Settings) -> str:
    credentials = settings.data_dir / "credentials.json"
    if not credentials.exists():
        raise SystemExit(f"No --account given and no {credentials}; start the server once or pass --account.")
    return json.loads(credentials.read_text())["account_id"]


def _roles(args: argparse.Namespace) -> int:
    from jargonaut.errors import JargonautError
    from jargonaut.service.roles import Roles
    from jargonaut.store.database import open_engine

    settings = Settings.load(data_dir=args.data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    roles = Roles(open_engine(settings.database))
    try:
        if args.roles_command == "create":
            role = roles.create(
                args.account or _default_account(settings), args.name, Path(args.trust_policy).read_text(),
                [Path(p).read_text() for p in args.policy], args.s3_access_key_id, args.s3_secret_access_key,
            )
            print(role.arn)
        elif args.roles_command == "list":
            for role in roles.list(args.account):
                print(role.arn)
        else:
            roles.delete(args.account or _default_account(settings), args.name)
            print(f"deleted {args.name}")
    except JargonautError as exc:
        raise SystemExit(f"error: {exc.message}") from None
    return 0


def _retrain(args: argparse.Namespace) -> int:
    """Ask a running server to retrain a CLM on the newest base model (SigV4-signed request)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    settings = Settings.load(data_dir=args.data_dir)
    creds_file = settings.data_dir / "credentials.json"
    client = ClientEnvironment.load()
    key, secret = client.access_key_id, client.secret_access_key
    if not (key and secret):
        stored = json.loads(creds_file.read_text())
        key, secret = stored["access_key_id"], stored["secret_access_key"]
    url = f"{args.endpoint_url.rstrip('/')}/jargonaut/language-models/{args.name}/retrain"
    request = AWSRequest(method="POST", url=url, data=b"")
    SigV4Auth(Credentials(key, secret), "transcribe", client.region or settings.region).add_auth(request)
    prepared = request.prepare()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=b"", headers=dict(prepared.headers), method="POST")) as r:
            print(r.read().decode())
    except urllib.error.HTTPError as err:
        raise SystemExit(f"error: {err.read().decode()}") from None
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    roles = sub.add_parser("roles", help="data access roles for custom language model training")
    roles.add_argument("--data-dir", default=None)
    roles_sub = roles.add_subparsers(dest="roles_command", required=True)
    create = roles_sub.add_parser("create", help="create a role from IAM JSON documents; prints its ARN")
    create.add_argument("--name", required=True)
    create.add_argument("--trust-policy", required=True, help="trust policy JSON file (must allow transcribe.amazonaws.com)")
    create.add_argument("--policy", action="append", required=True, help="permission policy JSON file (repeatable)")
    create.add_argument("--account", default=None, help="account id (default: the one in credentials.json)")
    create.add_argument("--s3-access-key-id", default=None, help="storage key the role reads with (S3 backend)")
    create.add_argument("--s3-secret-access-key", default=None)
    for command in ("list", "delete"):
        parser = roles_sub.add_parser(command, help=f"{command} roles")
        parser.add_argument("--account", default=None)
        if command == "delete":
            parser.add_argument("--name", required=True)
    for parser in [create] + [roles_sub.choices["list"], roles_sub.choices["delete"]]:
        parser.add_argument("--data-dir", default=argparse.SUPPRESS)
    roles.set_defaults(func=_roles)

    models = sub.add_parser("models", help="custom language model maintenance on a running server")
    models_sub = models.add_subparsers(dest="models_command", required=True)
    retrain = models_sub.add_parser("retrain", help="retrain a CLM on the newest base model from its own input data")
    retrain.add_argument("name")
    retrain.add_argument("--endpoint-url", default="http://127.0.0.1:8080")
    retrain.add_argument("--data-dir", default=None)
    retrain.set_defaults(func=_retrain)
