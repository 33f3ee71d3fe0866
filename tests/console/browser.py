"""Headless Chromium from Debian driven by Playwright for Python (no Playwright browser download)."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from playwright.sync_api import Browser, Page, Playwright

from tests.support.server import REPO

ARTIFACTS = REPO / "test-artifacts" / "console"


def chromium_path() -> str:
    for candidate in (os.environ.get("JARGONAUT_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    raise RuntimeError("Chromium is missing: `make test` installs it (apt-get install chromium).")


def launch(playwright: Playwright, *args: str) -> Browser:
    # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
    return playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox", *args])


def sign_in(page: Page, base: str, credentials: dict[str, str]) -> None:
    page.goto(base + "/")
    page.get_by_label("Access key ID").fill(credentials["access_key_id"])
    page.get_by_label("Secret access key").fill(credentials["secret_access_key"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")


def save_screenshots(pages: list[Page], test_name: str) -> list[Path]:
    """Every open page of a failed test, for the CI artefacts."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    saved = []
    for i, page in enumerate(pages):
        if page.is_closed():
            continue
        path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', test_name)}-{i}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
            saved.append(path)
        except Exception:  # noqa: BLE001 - a screenshot must never hide the real failure
            pass
    return saved
