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


def work_dir(data_dir: Path, prefix: str) -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix=prefix, dir=data_dir)


def remove_work_dirs(data_dir: Path) -> int:
    """Remove every scratch directory; only call before any job or training runs."""
    removed = 0
    for prefix in (JOB_PREFIX, TRAINING_PREFIX):
        for path in data_dir.glob(f"{prefix}*"):
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    if removed:
        log.info("removed %d scratch director%s left by an interrupted run", removed, "y" if removed == 1 else "ies")
    return removed


def without_paths(message: str, data_dir: Path) -> str:
    """A user-facing message with server paths (data dir, temp dir) replaced by a neutral word."""
    for root in sorted({str(data_dir), str(data_dir.resolve()), tempfile.gettempdir()}, key=len, reverse=True):
        if len(root) > 1:
            # A whole path that starts at the root; "s3://bucket/tmp/x" is a key, not a path.
            pattern = r"(?<![\w.:/-])" + re.escape(root) + r"(?=[/\s'\")\]]|$)[^\s'\"]*"
            message = re.sub(pattern, "(a server file)", message)
    return message
