"""Bucket ownership and bucket policies: which account may read, list and write which bucket.

Every bucket has one owning account (a row in `buckets`, for file buckets and S3 alike). The
owner may do anything its bucket policy doesn't explicitly deny; another account (or one of its
data access roles) needs an Allow in the bucket policy whose Principal names it, as on Amazon.
A bucket the backend has but the database doesn't (a directory made with `mkdir` before
ownership existed, or an S3 bucket made outside Jargonaut) is claimed by the only account of a
single-account install; with several accounts nobody may use it until `jargonaut buckets create`
assigns it, so no account ever gets another's data by guessing a name.
"""
from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from jargonaut.errors import BadRequestError, ConflictError, NotFoundError
from jargonaut.service.iam import evaluate, parse_policy, principal_matches, s3_bucket_arn, s3_object_arn
from jargonaut.storage.objects import (
    BucketNotEmpty,
    ObjectAccessDenied,
    ObjectInfo,
    ObjectNotFound,
    ObjectRef,
    ObjectStore,
)
from jargonaut.store.tables import accounts
from jargonaut.store.tables import buckets as bucket_rows

log = logging.getLogger(__name__)

_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")
# The bucket actions a policy may grant here (what jobs and CLM training perform).
_BUCKET_ACTIONS = ("s3:GetObject", "s3:ListBucket", "s3:PutObject")


@dataclass(frozen=True)
class Caller:
    """Who touches a bucket: an account (its API keys act as the account root) or one of its roles."""

    account_id: str
    arn: str

    @classmethod
    def account(cls, account_id: str) -> Caller:
        return cls(account_id, f"arn:aws:iam::{account_id}:root")


@dataclass(frozen=True)
class Bucket:
    name: str
    account_id: str | None  # None: on the backend, but not assigned to any account yet
    policy: dict[str, Any] | None


class Buckets:
    def __init__(self, engine: Engine, store: ObjectStore, reserved: frozenset[str] = frozenset()) -> None:
        self.engine = engine
        self.store = store
        self.reserved = reserved  # the service's own bucket: never an account's

    # ---- administration (`jargonaut buckets ...`) ------------------------------------------
    def create(self, account_id: str, name: str) -> bool:
        """Create the bucket for `account_id`, or assign an unowned existing one; False if it was
        already theirs (like CreateBucket in us-east-1)."""
        if not _BUCKET_NAME.match(name) or ".." in name:
            raise BadRequestError(
                f"The bucket name {name!r} is not valid: 3-63 lower-case letters, digits, '.' and '-', "
                "starting and ending with a letter or digit."
            )
        if name in self.reserved:
            raise BadRequestError(f"The bucket name {name} is reserved: it holds this service's own files.")
        current = self._row(name)
        if current is not None:
            if current.account_id == account_id:
                return False
            raise ConflictError(f"The bucket {name} already exists and belongs to another account.")
        self.store.create_bucket(name)
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(bucket_rows).values(name=name, account_id=account_id, created_at=time.time()))
        except IntegrityError as exc:
            raise ConflictError(f"The bucket {name} was just created by another account.") from exc
        return True

    def delete(self, account_id: str, name: str) -> None:
        self._owned(account_id, name)
        try:
            self.store.delete_bucket(name)
        except BucketNotEmpty as exc:
            raise ConflictError(f"The bucket {name} is not empty; delete its objects first.") from exc
        with self.engine.begin() as conn:
            conn.execute(delete(bucket_rows).where(bucket_rows.c.name == name))

    def list(self, account_id: str | None = None) -> list[Bucket]:
        """The account's buckets; without an account, every bucket including unowned ones."""
        with self.engine.connect() as conn:
            rows = {r.name: r for r in conn.execute(select(bucket_rows))}
        found = [Bucket(r.name, r.account_id, json.loads(r.policy) if r.policy else None) for r in rows.values()]
        if account_id is None:
            found += [Bucket(name, None, None) for name in self.store.list_buckets()
                      if name not in rows and name not in self.reserved]
        return sorted((b for b in found if account_id is None or b.account_id == account_id), key=lambda b: b.name)

    def get_policy(self, account_id: str, name: str) -> dict[str, Any] | None:
        row = self._owned(account_id, name)
        return json.loads(row.policy) if row.policy else None

    def put_policy(self, account_id: str, name: str, text: str) -> None:
        self._owned(account_id, name)
        document = _validate_bucket_policy(parse_policy(text, "bucket policy"), name)
        with self.engine.begin() as conn:
            conn.execute(update(bucket_rows).where(bucket_rows.c.name == name).values(policy=json.dumps(document)))

    def delete_policy(self, account_id: str, name: str) -> None:
        self._owned(account_id, name)
        with self.engine.begin() as conn:
            conn.execute(update(bucket_rows).where(bucket_rows.c.name == name).values(policy=None))

    # ---- access checks --------------------------------------------------------------------
    def owner(self, name: str) -> str | None:
        row = self._row(name)
        return row.account_id if row is not None else None

    def authorize(self, caller: Caller, action: str, bucket: str, key: str | None = None) -> None:
        """Raise ObjectNotFound (no such bucket) or ObjectAccessDenied unless `caller` may act."""
        if bucket in self.reserved:
            raise ObjectAccessDenied(f"the bucket {bucket} holds this service's own files")
        row = self._row(bucket)
        if row is None:
            if not self.store.bucket_exists(bucket):
                raise ObjectNotFound(f"the bucket {bucket} does not exist")
            raise ObjectAccessDenied(
                f"the bucket {bucket} has not been assigned to an account; an administrator assigns it "
                "with 'jargonaut buckets create'"
            )
        resource = s3_bucket_arn(bucket) if key is None else s3_object_arn(bucket, key)
        policy = json.loads(row.policy) if row.policy else {}
        statements = [s for s in _as_list(policy.get("Statement"))
                      if principal_matches(s, caller.account_id, caller.arn)]
        verdict = evaluate([{"Statement": statements}], action, resource,
                           {"aws:PrincipalAccount": caller.account_id, "aws:PrincipalArn": caller.arn})
        if verdict == "Deny":
            raise ObjectAccessDenied(f"the bucket policy of {bucket} denies {action} on {resource}")
        if row.account_id == caller.account_id or verdict == "Allow":
            return
        raise ObjectAccessDenied(
            f"the bucket {bucket} belongs to another account, and its bucket policy doesn't allow {action} "
            f"on {resource} for {caller.arn}"
        )

    def view(self, caller: Caller, store: ObjectStore | None = None) -> CallerObjects:
        return CallerObjects(self, caller, store or self.store)

    # ---- helpers ----------------------------------------------------------------------------
    def _row(self, name: str) -> Any:
        """The ownership row; an unowned bucket on a single-account install is claimed here."""
        if name in self.reserved:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(select(bucket_rows).where(bucket_rows.c.name == name)).first()
            if row is not None:
                return row
            owners = conn.execute(select(accounts.c.account_id).limit(2)).all()
        if len(owners) != 1 or not self.store.bucket_exists(name):
            return None
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(bucket_rows).values(name=name, account_id=owners[0].account_id, created_at=time.time()))
            log.info("bucket %s had no owner: assigned to %s, the only account", name, owners[0].account_id)
        except IntegrityError:
            pass  # claimed concurrently; read the winner
        with self.engine.connect() as conn:
            return conn.execute(select(bucket_rows).where(bucket_rows.c.name == name)).first()

    def _owned(self, account_id: str, name: str) -> Any:
        row = self._row(name)
        if row is None or row.account_id != account_id:
            raise NotFoundError(f"The bucket {name} doesn't exist in account {account_id}.")
        return row


class CallerObjects:
    """The object store as one caller sees it: every read, list and write is authorized first.
    `exists`, `delete` and the key check are the service's own bookkeeping and pass through."""

    def __init__(self, buckets: Buckets, caller: Caller, store: ObjectStore) -> None:
        self.buckets = buckets
        self.caller = caller
        self.store = store

    def download(self, ref: ObjectRef, destination: Path) -> None:
        self.buckets.authorize(self.caller, "s3:GetObject", ref.bucket, ref.key)
        self.store.download(ref, destination)

    def upload(self, ref: ObjectRef, data: bytes, content_type: str = "application/json") -> None:
        self.buckets.authorize(self.caller, "s3:PutObject", ref.bucket, ref.key)
        self.store.upload(ref, data, content_type)

    def list(self, bucket: str, prefix: str) -> Iterator[ObjectInfo]:
        self.buckets.authorize(self.caller, "s3:ListBucket", bucket)
        return self.store.list(bucket, prefix)

    def public_uri(self, ref: ObjectRef) -> str:
        return self.store.public_uri(ref)

    def exists(self, ref: ObjectRef) -> bool:
        return self.store.exists(ref)

    def delete(self, ref: ObjectRef) -> None:
        self.store.delete(ref)

    def check_writable(self, ref: ObjectRef) -> None:
        self.store.check_writable(ref)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _validate_bucket_policy(document: dict[str, Any], bucket: str) -> dict[str, Any]:
    """Amazon's rules that matter here: a Principal per statement, s3 actions, this bucket's ARNs."""
    own = (s3_bucket_arn(bucket), s3_bucket_arn(bucket) + "/")
    for statement in _as_list(document.get("Statement")):
        if "NotPrincipal" in statement or "Principal" not in statement:
            raise BadRequestError("Every statement of a bucket policy needs a Principal (NotPrincipal is not supported).")
        principal = statement["Principal"]
        if principal != "*" and not (isinstance(principal, dict) and set(principal) == {"AWS"}):
            raise BadRequestError('A bucket policy Principal is "*" or {"AWS": account ids or ARNs}.')
        actions = _as_list(statement.get("Action")) + _as_list(statement.get("NotAction"))
        if not actions or not all(str(a).lower().startswith("s3:") for a in actions):
            raise BadRequestError(f"Bucket policy actions are s3 actions ({', '.join(_BUCKET_ACTIONS)}).")
        resources = _as_list(statement.get("Resource")) + _as_list(statement.get("NotResource"))
        if not resources or not all(r == own[0] or str(r).startswith(own[1]) for r in resources):
            raise BadRequestError(f"Policy has invalid resource: every Resource must be {own[0]} or {own[0]}/....")
    return document


__all__ = ["Bucket", "Buckets", "Caller", "CallerObjects"]
