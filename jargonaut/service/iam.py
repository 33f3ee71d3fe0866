"""IAM-style policy evaluation for data access roles (the subset Amazon's CLM guide uses).

Explicit Deny wins, then any Allow, else implicit deny. Action and Resource accept `*` and
`?` wildcards; NotAction/NotResource and the String*/Arn* condition operators are honoured.
"""
from __future__ import annotations

import json
import re
from typing import Any

from jargonaut.errors import BadRequestError

SERVICE_PRINCIPAL = "transcribe.amazonaws.com"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _glob(pattern: str, value: str, case_sensitive: bool = True) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, 0 if case_sensitive else re.IGNORECASE) is not None


def _action_matches(patterns: list[str], action: str) -> bool:
    return any(_glob(p, action, case_sensitive=False) for p in patterns)  # actions are case-insensitive


def _resource_matches(patterns: list[str], resource: str) -> bool:
    return any(_glob(p, resource) for p in patterns)


_CONDITIONS = {
    "StringEquals": lambda want, have: have == want,
    "StringNotEquals": lambda want, have: have != want,
    "StringEqualsIgnoreCase": lambda want, have: have.lower() == want.lower(),
    "StringLike": lambda want, have: _glob(want, have),
    "StringNotLike": lambda want, have: not _glob(want, have),
    "ArnEquals": lambda want, have: have == want,
    "ArnLike": lambda want, have: _glob(want, have),
    "ArnNotEquals": lambda want, have: have != want,
    "ArnNotLike": lambda want, have: not _glob(want, have),
}


def _conditions_hold(conditions: dict[str, Any] | None, context: dict[str, str]) -> bool:
    for operator, clauses in (conditions or {}).items():
        test = _CONDITIONS.get(operator)
        if test is None:
            return False  # an operator we cannot evaluate never grants
        for key, wanted in clauses.items():
            have = next((v for k, v in context.items() if k.lower() == key.lower()), None)
            if have is None:
                return False
            negated = operator.startswith(("StringNot", "ArnNot"))
            results = [test(str(w), have) for w in _as_list(wanted)]
            if not (all(results) if negated else any(results)):
                return False
    return True


def _statement_applies(statement: dict[str, Any], action: str, resource: str, context: dict[str, str]) -> bool:
    if "Action" in statement and not _action_matches(_as_list(statement["Action"]), action):
        return False
    if "NotAction" in statement and _action_matches(_as_list(statement["NotAction"]), action):
        return False
    if "Resource" in statement and not _resource_matches(_as_list(statement["Resource"]), resource):
        return False
    if "NotResource" in statement and _resource_matches(_as_list(statement["NotResource"]), resource):
        return False
    return _conditions_hold(statement.get("Condition"), context)


def evaluate(policies: list[dict[str, Any]], action: str, resource: str, context: dict[str, str] | None = None) -> str | None:
    """"Deny" (an explicit Deny applies), "Allow" (an Allow applies, no Deny) or None (implicit deny)."""
    context = context or {}
    allowed = False
    for policy in policies:
        for statement in _as_list(policy.get("Statement")):
            if not _statement_applies(statement, action, resource, context):
                continue
            if statement.get("Effect") == "Deny":
                return "Deny"
            if statement.get("Effect") == "Allow":
                allowed = True
    return "Allow" if allowed else None


def is_allowed(policies: list[dict[str, Any]], action: str, resource: str, context: dict[str, str] | None = None) -> bool:
    return evaluate(policies, action, resource, context) == "Allow"


def principal_matches(statement: dict[str, Any], account_id: str, principal_arn: str) -> bool:
    """A resource policy statement's Principal: "*", an account id, the account's root ARN, or
    the exact principal ARN (a role). An account grant covers every principal of that account."""
    principal = statement.get("Principal")
    if principal == "*":
        return True
    names = _as_list(principal.get("AWS")) if isinstance(principal, dict) else []
    accepted = {"*", account_id, f"arn:aws:iam::{account_id}:root", principal_arn}
    return any(str(name) in accepted for name in names)


def trusts_service(trust_policy: dict[str, Any], context: dict[str, str]) -> bool:
    """Does the trust policy let transcribe.amazonaws.com call sts:AssumeRole (with this context)?"""
    for statement in _as_list(trust_policy.get("Statement")):
        principal = statement.get("Principal") or {}
        services = _as_list(principal.get("Service")) if isinstance(principal, dict) else _as_list(principal)
        if statement.get("Effect") != "Allow" or not any(s in (SERVICE_PRINCIPAL, "*") for s in services):
            continue
        if _action_matches(_as_list(statement.get("Action")), "sts:AssumeRole") and _conditions_hold(
            statement.get("Condition"), context
        ):
            return True
    return False


def parse_policy(text: str, what: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise BadRequestError(f"The {what} is not valid JSON: {exc}.") from exc
    if not isinstance(document, dict) or not _as_list(document.get("Statement")):
        raise BadRequestError(f"The {what} must be a JSON object with a Statement.")
    for statement in _as_list(document["Statement"]):
        if statement.get("Effect") not in ("Allow", "Deny"):
            raise BadRequestError(f"Every statement of the {what} needs Effect Allow or Deny.")
    return document


def s3_bucket_arn(bucket: str) -> str:
    return f"arn:aws:s3:::{bucket}"


def s3_object_arn(bucket: str, key: str) -> str:
    return f"arn:aws:s3:::{bucket}/{key}"


__all__ = ["evaluate", "is_allowed", "principal_matches", "trusts_service", "parse_policy", "s3_bucket_arn", "s3_object_arn"]
