"""Fusion settings changed from the command line, FIELD=VALUE or biasing.FIELD=VALUE
(`bench.domain_suite --set`, `bench.clm_wer --setting`), so a tuning run names what it changes."""
from __future__ import annotations

import ast
import dataclasses

from jargonaut.asr.options import FusionSettings


def with_overrides(fusion: FusionSettings, overrides: list[str]) -> FusionSettings:
    """`fusion` with each "FIELD=VALUE" or "biasing.FIELD=VALUE" applied."""
    for item in overrides:
        name, sep, literal = item.partition("=")
        target, _, field_name = name.rpartition(".")
        if not sep or target not in ("", "biasing"):
            raise SystemExit(f"a setting is FIELD=VALUE or biasing.FIELD=VALUE, not {item!r}")
        try:
            value = ast.literal_eval(literal)
        except (ValueError, SyntaxError):
            raise SystemExit(f"{item}: the value must be a Python literal (0.5, None, True)") from None
        owner = fusion.biasing if target else fusion
        if field_name not in {f.name for f in dataclasses.fields(owner)}:
            raise SystemExit(f"{item}: {type(owner).__name__} has no field {field_name!r}")
        if field_name == "token_alpha" and not target:  # every recording's, a clip's too (NarrowBand)
            fusion = fusion.with_token_alpha(value)
            continue
        changed = dataclasses.replace(owner, **{field_name: value})
        fusion = dataclasses.replace(fusion, biasing=changed) if target else changed
    return fusion
