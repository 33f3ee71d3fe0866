"""Data access roles, configured locally: ARN, trust policy, permission policies, storage keys."""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, and_, delete, insert, select
from sqlalchemy.exc import IntegrityError

from jargonaut.errors import BadRequestError, ConflictError, NotFoundError
from jargonaut.service.iam import parse_policy
from jargonaut.store.tables import roles

_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/(?:[\w+=,.@/-]*/)?([\w+=,.@-]{1,64})$")


@dataclass(frozen=True)
class Role:
    account_id: str
    name: str
    arn: str
    trust_policy: dict[str, Any]
    policies: list[dict[str, Any]]
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None


class Roles:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(
        self, account_id: str, name: str, trust_policy: str, policies: list[str],
        s3_access_key_id: str | None = None, s3_secret_access_key: str | None = None,
    ) -> Role:
        if not _ROLE_NAME.match(name):
            raise BadRequestError(f"The role name {name!r} is not valid (1-64 of letters, digits and +=,.@_-).")
        trust = parse_policy(trust_policy, "trust policy")
        documents = [parse_policy(p, "permission policy") for p in policies]
        arn = f"arn:aws:iam::{account_id}:role/{name}"
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(roles).values(
                    account_id=account_id, name=name, arn=arn, trust_policy=json.dumps(trust),
                    policies=json.dumps(documents), s3_access_key_id=s3_access_key_id,
                    s3_secret_access_key=s3_secret_access_key, created_at=time.time(),
                ))
        except IntegrityError as exc:
            raise ConflictError(f"The role {name} already exists in account {account_id}.") from exc
        return Role(account_id, name, arn, trust, documents, s3_access_key_id, s3_secret_access_key)

    def list(self, account_id: str | None = None) -> list[Role]:
        query = select(roles).order_by(roles.c.account_id, roles.c.name)
        if account_id:
            query = query.where(roles.c.account_id == account_id)
        with self.engine.connect() as conn:
            return [_role(row) for row in conn.execute(query)]

    def delete(self, account_id: str, name: str) -> None:
        with self.engine.begin() as conn:
            if not conn.execute(delete(roles).where(and_(roles.c.account_id == account_id, roles.c.name == name))).rowcount:
                raise NotFoundError(f"The role {name} does not exist in account {account_id}.")

    def by_arn(self, account_id: str, arn: str) -> Role:
        """The caller's role with this ARN; roles are per account, so another account's is unknown."""
        match = _ROLE_ARN.match(arn)
        if not match:
            raise BadRequestError(f"The DataAccessRoleArn {arn} is not a valid IAM role ARN.")
        with self.engine.connect() as conn:
            row = conn.execute(select(roles).where(and_(roles.c.account_id == account_id, roles.c.arn == arn))).first()
        if row is None:
            raise BadRequestError(
                f"The data access role {arn} doesn't exist in your account. Create it with "
                "'jargonaut roles create' and use the ARN it prints."
            )
        return _role(row)


def _role(row: Any) -> Role:
    return Role(row.account_id, row.name, row.arn, json.loads(row.trust_policy), json.loads(row.policies),
                row.s3_access_key_id, row.s3_secret_access_key)
