"""`jargonaut roles ...` (data access roles), `jargonaut buckets ...` (bucket ownership and
policies) and `jargonaut models retrain|report` (CLMs on a server)."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from jargonaut.cli_client import add_server_options
from jargonaut.cli_client import report as client_report
from jargonaut.cli_common import data_dir_parent
from jargonaut.settings import Settings


def _default_account(settings: Settings) -> str:
    credentials = settings.data_dir / "credentials.json"
    if not credentials.exists():
        raise SystemExit(f"jargonaut: error: no --account given and no {credentials}; start the server once or pass --account.")
    return json.loads(credentials.read_text())["account_id"]


def _roles(args: argparse.Namespace) -> int:
    from jargonaut.errors import JargonautError
    from jargonaut.service.roles import Roles
    from jargonaut.store.database import open_engine

    settings = Settings.load(data_dir=args.data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    roles = Roles(open_engine(settings.database, settings.region))
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
        raise SystemExit(f"jargonaut: error: {exc.message}") from None
    return 0


def _buckets(args: argparse.Namespace) -> int:
    from jargonaut.errors import JargonautError
    from jargonaut.service.buckets import Buckets
    from jargonaut.storage import open_object_store, reserved_buckets
    from jargonaut.store.database import open_engine

    settings = Settings.load(data_dir=args.data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    buckets = Buckets(open_engine(settings.database, settings.region), open_object_store(settings),
                      reserved_buckets(settings))
    command = args.buckets_command
    account = getattr(args, "account", None)
    try:
        if command == "list":
            for bucket in buckets.list(account):
                shared = "\tpolicy" if bucket.policy else ""
                print(f"{bucket.name}\t{bucket.account_id or '(no owner)'}{shared}")
            return 0
        account = account or _default_account(settings)
        if command == "create":
            created = buckets.create(account, args.name)
            print(f"created {args.name}" if created else f"{args.name} is already owned by {account}")
        elif command == "delete":
            buckets.delete(account, args.name)
            print(f"deleted {args.name}")
        elif args.delete:
            buckets.delete_policy(account, args.name)
            print(f"deleted the policy of {args.name}")
        elif args.set:
            buckets.put_policy(account, args.name, Path(args.set).read_text())
            print(f"set the policy of {args.name}")
        else:
            print(json.dumps(buckets.get_policy(account, args.name), indent=2))
    except JargonautError as exc:
        raise SystemExit(f"jargonaut: error: {exc.message}") from None
    return 0


def _retrain(args: argparse.Namespace) -> int:
    """Ask a running server to retrain a CLM on the newest base model (SigV4-signed request)."""
    from jargonaut.cli_client import signed_call

    print(json.dumps(signed_call(args, "POST", f"/jargonaut/language-models/{args.name}/retrain")))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    roles = sub.add_parser("roles", help="data access roles for custom language model training")
    roles.add_argument("--data-dir", default=None)
    roles_sub = roles.add_subparsers(dest="roles_command", required=True)
    create = roles_sub.add_parser("create", help="create a role from IAM JSON documents; prints its ARN",
                                  parents=[data_dir_parent()])
    create.add_argument("--name", required=True)
    create.add_argument("--trust-policy", required=True, help="trust policy JSON file (must allow transcribe.amazonaws.com)")
    create.add_argument("--policy", action="append", required=True, help="permission policy JSON file (repeatable)")
    create.add_argument("--account", default=None, help="account id (default: the one in credentials.json)")
    create.add_argument("--s3-access-key-id", default=None, help="storage key the role reads with (S3 backend)")
    create.add_argument("--s3-secret-access-key", default=None)
    for command in ("list", "delete"):
        parser = roles_sub.add_parser(command, help=f"{command} roles", parents=[data_dir_parent()])
        parser.add_argument("--account", default=None)
        if command == "delete":
            parser.add_argument("--name", required=True)
    roles.set_defaults(func=_roles)

    buckets = sub.add_parser("buckets", help="buckets: create them for an account, share them with a bucket policy")
    buckets.add_argument("--data-dir", default=None)
    buckets_sub = buckets.add_subparsers(dest="buckets_command", required=True)
    helps = {
        "create": "create a bucket owned by an account (or assign an existing unowned one)",
        "list": "list buckets and their owners (all, or one account's)",
        "delete": "delete an empty bucket",
        "policy": "show, set (--set FILE) or delete (--delete) a bucket's policy",
    }
    for command, text in helps.items():
        parser = buckets_sub.add_parser(command, help=text, parents=[data_dir_parent()])
        parser.add_argument("--account", default=None, help="owning account id (default: the one in credentials.json)")
        if command != "list":
            parser.add_argument("--name", required=True, help="bucket name")
        if command == "policy":
            action = parser.add_mutually_exclusive_group()
            action.add_argument("--set", default=None, help="bucket policy JSON file")
            action.add_argument("--delete", action="store_true", help="remove the bucket policy")
    buckets.set_defaults(func=_buckets)

    models = sub.add_parser("models", help="custom language model maintenance on a running server")
    models_sub = models.add_subparsers(dest="models_command", required=True)
    retrain = models_sub.add_parser("retrain", help="retrain a CLM on the newest base model from its own input data")
    retrain.add_argument("name")
    add_server_options(retrain)
    retrain.set_defaults(func=_retrain)
    report = models_sub.add_parser("report", help="a CLM's full training report: data, order, domain terms, spellings")
    report.add_argument("name")
    report.add_argument("--terms", type=int, default=50, help="domain terms to show (most salient first)")
    report.add_argument("--all", action="store_true", help="show every domain term")
    report.add_argument("--json", action="store_true", help="the report as JSON")
    add_server_options(report)
    report.set_defaults(func=client_report)
