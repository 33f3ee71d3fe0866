"""Every main page at 375 px and 1440 px: no sideways scrolling, labelled controls, keyboard reach.
Screenshots go to test-artifacts/console/pages/ (and to docs/console/ with JARGONAUT_UPDATE_DOCS=1)."""
from __future__ import annotations

import json
import os
import shutil

import pytest
from playwright.sync_api import expect

from tests.console.browser import ARTIFACTS, sign_in
from tests.console.conftest import unique
from tests.console.test_evaluate import completed_model
from tests.support.clm import read_policy, trust_policy
from tests.support.server import REGION, REPO

pytestmark = pytest.mark.slow

WIDTHS = (375, 1440)
DOC_SHOTS = ["signin-1440.png", "home-1440.png", "models-1440.png", "train-model-1440.png", "model-1440.png",
             "create-job-1440.png", "job-1440.png", "realtime-1440.png", "model-375.png", "job-375.png"]
UNLABELLED = """() => Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea, button'))
  .filter((el) => !el.hidden && el.offsetParent !== null)
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !(el.textContent || '').trim())
  .map((el) => el.outerHTML)"""


def test_main_pages_fit_phones_and_desktops(console_server, browser):
    model = completed_model(console_server)
    client = console_server.client()
    job = unique("layout")
    client.start_transcription_job(TranscriptionJobName=job, LanguageCode="en-US",
                                   Media={"MediaFileUri": "s3://console-data/audio/test_000.wav"},
                                   ModelSettings={"LanguageModelName": model})
    assert console_server.wait_for_job(client, job)["TranscriptionJobStatus"] == "COMPLETED"
    pages = {
        "home": "/", "models": "/console/models", "train-model": "/console/models/train",
        "model": f"/console/models/{model}", "jobs": "/console/jobs", "create-job": "/console/jobs/create",
        "job": f"/console/jobs/{job}", "realtime": "/console/realtime",
        "role-help": "/console/help/data-access-role",
    }
    out = ARTIFACTS / "pages"
    out.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        try:
            page = context.new_page()
            page.goto(console_server.endpoint + "/console/signin")
            page.screenshot(path=str(out / f"signin-{width}.png"), full_page=True)
            sign_in(page, console_server.endpoint, console_server.credentials)
            for name, path in pages.items():
                page.goto(console_server.endpoint + path)
                expect(page.locator("h1")).to_be_visible()
                overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
                assert page.evaluate(UNLABELLED) == [], f"{name} has controls without a label"
                page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)
        finally:
            context.close()
    if os.environ.get("JARGONAUT_UPDATE_DOCS") == "1":
        docs = REPO / "docs" / "console"
        docs.mkdir(exist_ok=True)
        for shot in DOC_SHOTS:
            shutil.copy(out / shot, docs / shot)


def test_keyboard_reaches_the_content_and_the_actions(console_server, context):
    page = context.new_page()
    sign_in(page, console_server.endpoint, console_server.credentials)
    page.goto(console_server.endpoint + "/console/models")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    for _ in range(10):  # the first actions after the skip link: Train model, then the filters
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Train model":
            break
    else:
        pytest.fail("Train model is not reachable with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/models/train")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # skip link
    ids = []
    for _ in range(4):  # breadcrumb, then the form's first field
        page.keyboard.press("Tab")
        ids.append(page.evaluate("document.activeElement.id"))
    assert "model_name" in ids, ids


def test_role_help_gives_the_documents_the_server_accepts(console_server, context):
    """The linked explanation shows Amazon's trust relationship for this account and the read policy."""
    page = context.new_page()
    sign_in(page, console_server.endpoint, console_server.credentials)
    page.goto(console_server.endpoint + "/console/models/train")
    with context.expect_page() as opened:
        page.get_by_role("link", name="What the role must allow").click()
    help_page = opened.value
    help_page.wait_for_load_state()
    trust, permissions = (json.loads(text) for text in help_page.locator("pre code").all_inner_texts()[:2])
    assert trust == trust_policy(console_server.credentials["account_id"], REGION)
    assert json.loads(json.dumps(permissions).replace("BUCKET", "console-data")) == read_policy("console-data")
