"""Types shared by several resources."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tag:
    key: str
    value: str
