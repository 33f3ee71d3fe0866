"""Hypothesis strategies for Transcribe requests, built from botocore's service model.

Each value is mostly plausible for its shape (enums, patterns, lengths, ranges) and sometimes
wrong on purpose: another JSON type, an empty or huge string, an out-of-range number, an
unknown member, nested junk. Plausible values reach the services; wrong ones test validation.
"""
from __future__ import annotations

import base64
import re
import string
from typing import Any

from botocore.model import OperationModel, Shape
from hypothesis import strategies as st

MAX_DEPTH = 8
SAFE_TEXT = string.ascii_letters + string.digits + "._-"

# Nested junk of every JSON type (what a confused or hostile client sends).
junk: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
huge_text = st.sampled_from(["x", "é", "\u2603", "\x00", "/.."]).flatmap(
    lambda unit: st.integers(1_000, 200_000).map(lambda n: unit * (n // len(unit)))
)
plausible_uri = st.sampled_from([
    "s3://media/jfk.flac", "s3://media/", "s3://no-such-bucket/a.wav", "s3://media/../../etc/passwd",
    "s3:///key", "https://example.com/a.wav", "file:///etc/passwd", "s3://media/%00.wav",
])


def _pattern_text(shape: Shape) -> st.SearchStrategy[str] | None:
    pattern = shape.metadata.get("pattern")
    if not pattern:
        return None
    try:
        re.compile(pattern)
    except re.error:
        return None  # a Java-only regex: fall back to plain text
    low, high = shape.metadata.get("min", 0), shape.metadata.get("max", 200)
    return st.from_regex(pattern, fullmatch=True).filter(lambda s: low <= len(s) <= high)


def _string(shape: Shape, member: str) -> st.SearchStrategy[str]:
    if shape.enum:
        return st.sampled_from(list(shape.enum))
    if "Uri" in member:
        return plausible_uri
    low = shape.metadata.get("min", 0)
    text = st.text(SAFE_TEXT, min_size=low, max_size=min(shape.metadata.get("max", 64), low + 64))
    by_pattern = _pattern_text(shape)
    return text if by_pattern is None else by_pattern


def plausible(shape: Shape, member: str = "", depth: int = 0) -> st.SearchStrategy[Any]:
    """A value the model allows (services may still refuse it: unknown names, missing media)."""
    kind = shape.type_name
    if kind == "structure":
        if depth > MAX_DEPTH:
            return st.just({})
        required = set(shape.required_members)
        members = {n: plausible(m, n, depth + 1) for n, m in shape.members.items()}
        optional = sorted(set(members) - required)
        # A few optional members at a time: the combinations clients send (and services accept).
        chosen = st.sets(st.sampled_from(optional), max_size=3) if optional else st.just(set())
        return chosen.flatmap(lambda names: st.fixed_dictionaries(
            {n: v for n, v in members.items() if n in required or n in names}
        ))
    if kind == "list":
        low = shape.metadata.get("min", 0)
        return st.lists(plausible(shape.member, member, depth + 1), min_size=low, max_size=low + 2)
    if kind == "map":
        return st.dictionaries(plausible(shape.key, member, depth + 1), plausible(shape.value, member, depth + 1), max_size=2)
    if kind == "string":
        return _string(shape, member)
    if kind in ("integer", "long"):
        return st.integers(shape.metadata.get("min", 0), shape.metadata.get("max", 2**31 - 1))
    if kind == "boolean":
        return st.booleans()
    if kind in ("float", "double"):
        return st.floats(0, 1e6)
    if kind == "timestamp":
        return st.floats(0, 4e9)
    if kind == "blob":
        return st.binary(max_size=64).map(lambda b: base64.b64encode(b).decode())
    return junk


def broken(shape: Shape, member: str = "", depth: int = 0) -> st.SearchStrategy[Any]:
    """A value wrong for its shape: in one member of a structure, or the value itself."""
    kind = shape.type_name
    if kind == "structure" and shape.members and depth <= MAX_DEPTH:
        def one_bad(name: str) -> st.SearchStrategy[dict[str, Any]]:
            return st.tuples(plausible(shape, member, depth), broken(shape.members[name], name, depth + 1)).map(
                lambda pair: {**pair[0], name: pair[1]}
            )

        unknown = st.dictionaries(st.text(min_size=1, max_size=12).filter(lambda k: k not in shape.members), junk,
                                  min_size=1, max_size=2)
        with_unknown = st.tuples(plausible(shape, member, depth), unknown).map(lambda pair: {**pair[1], **pair[0]})
        return st.sampled_from(sorted(shape.members)).flatmap(one_bad) | with_unknown | junk
    if kind == "list":
        low, high = shape.metadata.get("min", 0), shape.metadata.get("max", 50)
        item = plausible(shape.member, member, depth + 1)
        bad_item = st.lists(broken(shape.member, member, depth + 1), min_size=1, max_size=2)
        too_long = st.lists(item, min_size=high + 1, max_size=high + 1) if high < 200 else st.nothing()
        too_short = st.just([]) if low > 0 else st.nothing()
        return bad_item | too_long | too_short | junk
    if kind in ("integer", "long"):
        low, high = shape.metadata.get("min", 0), shape.metadata.get("max", 2**31 - 1)
        return st.sampled_from([low - 1, high + 1, 2**63, -(2**63) - 1, 10**30, 1.5, "7", True]) | junk
    if kind == "string":
        return st.just("") | huge_text | st.text(max_size=30) | junk
    return junk


def request_params(op: OperationModel) -> st.SearchStrategy[Any]:
    """A JSON request body's value for `op`: mostly plausible, else wrong in one place, or junk."""
    if op.input_shape is None:
        return st.just({}) | junk
    whole = plausible(op.input_shape)
    return st.one_of(whole, whole, broken(op.input_shape), junk)
