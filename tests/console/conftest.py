from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import sync_playwright

from tests.console.browser import launch, save_screenshots
from tests.support.clm import create_role, read_policy, trust_policy
from tests.support.server import make_server


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="module")
def console_server(tmp_path_factory, eval_dir):
    """A server with a bucket of biomed text and audio, and the documented data access role."""
    srv = make_server(tmp_path_factory.mktemp("console")).start()
    bucket = srv.bucket("console-data")
    lines = (eval_dir / "biomed-tts/train.txt").read_text().splitlines()
    (bucket / "biomed/train").mkdir(parents=True)
    (bucket / "biomed/tune").mkdir(parents=True)
    (bucket / "biomed/train/part-1.txt").write_text("\n".join(lines[:-40]) + "\n")
    (bucket / "biomed/tune/tuning.txt").write_text("\n".join(lines[-40:]) + "\n")
    (bucket / "broken/train").mkdir(parents=True)
    (bucket / "broken/train/data.txt").write_bytes(b"\x00\x01\x02 not text \xff\xfe" * 64)
    (bucket / "audio").mkdir()
    (bucket / "evaluation").mkdir()
    references = dict(line.split("\t", 1) for line in (eval_dir / "biomed-tts/test.tsv").read_text().splitlines())
    for clip in ("test_000", "test_001"):
        (bucket / f"audio/{clip}.wav").write_bytes((eval_dir / f"biomed-tts/wav16/{clip}.wav").read_bytes())
        (bucket / f"evaluation/{clip}.wav").write_bytes((eval_dir / f"biomed-tts/wav16/{clip}.wav").read_bytes())
        (bucket / f"evaluation/{clip}.txt").write_text(references[clip] + "\n")
    account = srv.credentials["account_id"]
    roles_tmp = tmp_path_factory.mktemp("console-roles")
    srv.role_arn = create_role(srv.data_dir, roles_tmp, "ConsoleCLMRole", trust_policy(account), read_policy("console-data"))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def playwright():
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def browser(playwright):
    chromium = launch(playwright)
    yield chromium
    chromium.close()


@pytest.fixture
def context(browser, request):
    """A fresh browser profile per test; screenshots of its pages if the test fails."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    ctx.set_default_timeout(20_000)
    yield ctx
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        save_screenshots(ctx.pages, request.node.name)
    ctx.close()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
