"""Scratch directories for jobs and training live in the data directory, not /tmp, so that
what a crash (SIGKILL) leaves behind is found and removed on the next start; and failure
messages never show where the server keeps things."""
from __future__ import annotations

import logging
import re
import shutil
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

JOB_PREFIX = "jargonaut-job-"
TRAINING_PREFIX = "jargonaut-clm-"


def work_dir(data_dir: Path, prefix: str, node_id: str = "local") -> tempfile.TemporaryDirectory[str]:
    # Cleanup errors ignored: a node stalled past its lease may find its scratch removed by others.
    return tempfile.TemporaryDirectory(prefix=f"{prefix}{node_tag(node_id)}-", dir=data_dir, ignore_cleanup_errors=True)


def node_tag(node_id: str) -> str:
    """The node in scratch and pin names: nodes sharing a data dir clean only their own leftovers."""
    return re.sub(r"[^A-Za-z0-9.]+", "_", node_id)


def remove_work_dirs(data_dir: Path, node_id: str = "local") -> int:
    """Remove this node's scratch directories; only call before any of its jobs or trainings run."""
    removed = 0
    for prefix in (JOB_PREFIX, TRAINING_PREFIX):
        for path in data_dir.glob(f"{prefix}{node_tag(node_id)}-*"):
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    if removed:
        log.info("removed %d scratch director%s left by an interrupted run", removed, "y" if removed == 1 else "ies")
    return removed


def remove_work_dirs_except(data_dir: Path, live_tags: set[str]) -> int:
    """Remove the scratch directories of every node whose tag is not in `live_tags` (nodes that
    are gone: their leases lapsed, so none of their work can be running)."""
    removed = 0
    for prefix in (JOB_PREFIX, TRAINING_PREFIX):
        for path in data_dir.glob(f"{prefix}*"):
            tag = path.name[len(prefix):].rsplit("-", 1)[0]  # tags have no '-': see node_tag
            if tag not in live_tags:
                shutil.rmtree(path, ignore_errors=True)
                removed += 1
    if removed:
        log.info("removed %d scratch director%s of nodes that are gone", removed, "y" if removed == 1 else "ies")
    return removed


def without_paths(message: str, data_dir: Path) -> str:
    """A user-facing message with server paths (data dir, temp dir) replaced by a neutral word."""
    for root in sorted({str(data_dir), str(data_dir.resolve()), tempfile.gettempdir()}, key=len, reverse=True):
        if len(root) > 1:
            # A whole path that starts at the root; "s3://bucket/tmp/x" is a key, not a path.
            pattern = r"(?<![\w.:/-])" + re.escape(root) + r"(?=[/\s'\")\]]|$)[^\s'\"]*"
            message = re.sub(pattern, "(a server file)", message)
    return message
