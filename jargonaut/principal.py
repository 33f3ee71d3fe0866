"""Who is calling: an account and the access key it signed with. The accounts service makes
them and the wire layer's signature check returns them, so the type belongs to neither."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    account_id: str
    access_key_id: str
    secret_access_key: str
