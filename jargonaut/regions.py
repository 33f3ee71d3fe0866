"""AWS region names: which ones exist (botocore's partition data), which ones this server accepts."""
from __future__ import annotations

import re
from functools import lru_cache

import botocore.loaders


@lru_cache(maxsize=1)
def _partitions() -> tuple[tuple[str, re.Pattern[str], frozenset[str]], ...]:
    """(partition id, region-name pattern, known regions) from botocore's own partitions.json."""
    data = botocore.loaders.create_loader().load_data("partitions")
    return tuple(
        (p["id"], re.compile(p["regionRegex"]), frozenset(p.get("regions", {})))
        for p in data["partitions"]
    )


def partition_of(region: str) -> str | None:
    """The partition ('aws', 'aws-cn', 'aws-us-gov', ...) a region name belongs to; None if none.

    Known names first (an exact list), then each partition's name pattern so that a region
    AWS opens after this botocore was released is accepted too.
    """
    for partition, _, regions in _partitions():
        if region in regions:
            return partition
    for partition, pattern, _ in _partitions():
        if pattern.fullmatch(region):
            return partition
    return None


class AllowedRegions:
    """The regions a request may be signed for: every AWS region, or a configured allow-list."""

    def __init__(self, allow_list: str = "") -> None:
        names = [name.strip() for name in allow_list.split(",") if name.strip()]
        unknown = [name for name in names if partition_of(name) is None]
        if unknown:
            raise ValueError(f"Not AWS region names: {', '.join(unknown)}.")
        self.allow_list = frozenset(names)

    def __contains__(self, region: object) -> bool:
        if not isinstance(region, str) or partition_of(region) is None:
            return False
        return not self.allow_list or region in self.allow_list
