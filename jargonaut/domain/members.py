"""Domain objects ↔ dictionaries with Transcribe's member names, derived from the dataclasses.

A field's member is its name in PascalCase (`media_format` → `MediaFormat`) unless the field says
otherwise with `member("...")`; a dotted member (`"Media.MediaFileUri"`) flattens a one-field AWS
structure into a plain field. Absent and None are the same; an empty tuple stays an empty list
(AWS tells "absent" from "empty"). Fields typed `dict`/`list`/`Any` carry the value as given.
"""
from __future__ import annotations

import dataclasses
import types
import typing
from functools import lru_cache
from typing import Any, TypeVar, Union

from jargonaut.errors import BadRequestError

T = TypeVar("T")
_MEMBER = "member"


def member(name: str) -> dict[str, str]:
    """Field metadata naming the Transcribe member (e.g. `field(metadata=member("ModelName"))`)."""
    return {_MEMBER: name}


def member_path(field: dataclasses.Field) -> tuple[str, ...]:
    name = field.metadata.get(_MEMBER) or "".join(part[:1].upper() + part[1:] for part in field.name.split("_"))
    return tuple(name.split("."))


@lru_cache(maxsize=None)
def _fields(cls: type) -> tuple[tuple[dataclasses.Field, tuple[str, ...], Any], ...]:
    hints = typing.get_type_hints(cls)
    return tuple((f, member_path(f), hints[f.name]) for f in dataclasses.fields(cls))


def to_members(obj: Any) -> Any:
    """A domain object as a JSON-ready dictionary keyed by member names (None members left out)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {}
        for field, path, _ in _fields(type(obj)):
            value = getattr(obj, field.name)
            if value is None:
                continue
            target = out
            for key in path[:-1]:
                target = target.setdefault(key, {})
            target[path[-1]] = to_members(value)
        return out
    if isinstance(obj, (tuple, list)):
        return [to_members(item) for item in obj]
    if isinstance(obj, dict):
        return {key: to_members(value) for key, value in obj.items()}
    return obj


def from_members(cls: type[T], data: dict[str, Any]) -> T:
    """The domain object `cls` from a dictionary keyed by member names (unmapped members ignored)."""
    values: dict[str, Any] = {}
    for field, path, hint in _fields(typing.cast(Any, cls)):
        value: Any = data
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if value is not None:
            values[field.name] = _convert(hint, value)
    try:
        return cls(**values)
    except TypeError as exc:  # a required member missing (the wire validates first; this is the backstop)
        raise BadRequestError(f"The request is incomplete for {cls.__name__}: {exc}.") from None


def _convert(hint: Any, value: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        inner = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _convert(inner[0], value) if len(inner) == 1 else value
    if origin is tuple:
        item = typing.get_args(hint)[0]
        return tuple(_convert(item, v) for v in value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return from_members(hint, value)
    return value  # str, int, bool, float, and values carried as given (dict, list, Any)
