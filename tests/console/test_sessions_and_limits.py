"""Console sessions live in the database (a restart and a second node keep them, sign-out ends them
everywhere), failed sign-ins are limited per key and per address across nodes, uploads are capped,
and Create job offers only the custom language models that fit the audio's band."""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.console.browser import sign_in
from tests.console.conftest import unique
from tests.support.clm import wait_for_model
from tests.support.server import make_server

pytestmark = pytest.mark.slow

TOO_MANY = re.compile(r"Too many failed sign-in attempts\. Try again in \d+ minutes?\.")


def signed_in(page, base: str) -> bool:
    page.goto(base + "/console/models")
    return page.url == base + "/console/models"


def test_session_survives_a_restart_and_holds_on_a_second_node(tmp_path, browser):
    server = make_server(tmp_path).start()
    other = server.another_node()
    context = browser.new_context()
    try:
        page = context.new_page()
        sign_in(page, server.endpoint, server.credentials)
        server.stop()
        server.start()
        assert signed_in(page, server.endpoint)  # the restart kept the session
        other.start()
        assert signed_in(page, other.endpoint)  # cookies are per host, so the second node gets it too
        page.get_by_role("button", name="Sign out").click()  # on the second node
        page.wait_for_url(re.compile(r".*/console/signin$"))
        assert not [c for c in context.cookies() if c["name"] == "jargonaut_session"]
        # Signing out ended the session on the first node as well: the old cookie is dead there.
        page2 = context.new_page()
        sign_in(page2, server.endpoint, server.credentials)
        live = next(c for c in context.cookies() if c["name"] == "jargonaut_session")
        page2.get_by_role("button", name="Sign out").click()
        page2.wait_for_url(re.compile(r".*/console/signin$"))
        context.add_cookies([live])
        assert not signed_in(page2, other.endpoint)
        assert not signed_in(page2, server.endpoint)
    finally:
        context.close()
        other.stop()
        server.stop()


def attempt(page, base: str, key_id: str, secret: str) -> str:
    """Post the sign-in form; the alert shown, or "" when it signed in."""
    page.goto(base + "/console/signin")
    page.get_by_label("Access key ID").fill(key_id)
    page.get_by_label("Secret access key").fill(secret)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    return alert.inner_text() if alert.count() else ""


def test_too_many_failed_sign_ins_are_refused_then_allowed_after_the_window(tmp_path, browser):
    window = 20  # long enough for the attempts below on a slow machine; the test then waits it out
    server = make_server(tmp_path, JARGONAUT_CONSOLE_SIGNIN_KEY_ATTEMPTS="3",
                         JARGONAUT_CONSOLE_SIGNIN_ADDRESS_ATTEMPTS="7",
                         JARGONAUT_CONSOLE_SIGNIN_WINDOW_SECONDS=str(window)).start()
    other = server.another_node().start()
    context = browser.new_context()
    try:
        page = context.new_page()
        creds = server.credentials
        key, secret = creds["access_key_id"], creds["secret_access_key"]
        for _ in range(3):
            assert attempt(page, server.endpoint, key, secret + "x") == "The access key ID or secret access key is incorrect."
        started = time.monotonic()
        # Now even the right secret is refused for this key, and no session cookie is set.
        assert TOO_MANY.fullmatch(attempt(page, server.endpoint, key, secret))
        assert not [c for c in context.cookies() if c["name"] == "jargonaut_session"]
        # A key that doesn't exist gets exactly the same answers: no account enumeration.
        for _ in range(3):
            assert attempt(page, server.endpoint, "AKIANOSUCHKEY0000000", "x") == \
                "The access key ID or secret access key is incorrect."
        assert TOO_MANY.fullmatch(attempt(page, server.endpoint, "AKIANOSUCHKEY0000000", "x"))
        # The count is in the database: another node refuses the key too.
        assert TOO_MANY.fullmatch(attempt(page, other.endpoint, key, secret))
        # The 7th failure from this address blocks the address, whatever key it tries.
        assert attempt(page, server.endpoint, "AKIAANOTHERKEY000000", "x") == \
            "The access key ID or secret access key is incorrect."
        assert TOO_MANY.fullmatch(attempt(page, server.endpoint, "AKIAYETANOTHERKEY000", "x"))
        # After the window, the right keys sign in again.
        time.sleep(max(0.0, window + 0.5 - (time.monotonic() - started)))
        assert attempt(page, server.endpoint, key, secret) == ""
        assert signed_in(page, server.endpoint)
    finally:
        context.close()
        other.stop()
        server.stop()


def test_an_upload_over_the_limit_is_refused_with_a_message(tmp_path, browser, eval_dir):
    server = make_server(tmp_path, JARGONAUT_CONSOLE_MAX_UPLOAD_BYTES="20000").start()
    server.bucket("uploads")
    context = browser.new_context()
    try:
        page = context.new_page()
        sign_in(page, server.endpoint, server.credentials)
        page.goto(server.endpoint + "/console/jobs/create")
        page.get_by_label("Job name").fill("too-big")
        page.get_by_role("radio", name="Upload a file into one of your buckets").check()
        audio = eval_dir / "biomed-tts/wav16/test_000.wav"
        assert audio.stat().st_size > 100_000
        page.get_by_label("Audio file", exact=True).set_input_files(str(audio))
        page.get_by_label("Upload to bucket").select_option("uploads")
        with page.expect_response(lambda r: r.url.endswith("/console/jobs/create") and r.request.method == "POST") as posted:
            page.get_by_role("button", name="Create job").click()
        assert posted.value.status == 413
        message = page.get_by_role("alert").inner_text()
        assert "over this console's limit of 20 KB per form" in message and "nothing was uploaded" in message
        assert list((server.data_dir / "buckets/uploads").rglob("*.wav")) == []
        assert server.client().list_transcription_jobs()["TranscriptionJobSummaries"] == []
    finally:
        context.close()
        server.stop()


@pytest.fixture(scope="module")
def band_models(console_server):
    """One COMPLETED CLM per band, trained from the console bucket through the API."""
    client = console_server.client()
    names = {band: unique(band.lower()) for band in ("WideBand", "NarrowBand")}
    for band, name in names.items():
        client.create_language_model(LanguageCode="en-US", BaseModelName=band, ModelName=name, InputDataConfig={
            "S3Uri": "s3://console-data/biomed/train/", "DataAccessRoleArn": console_server.role_arn})
    for name in names.values():
        assert wait_for_model(client, name)["ModelStatus"] == "COMPLETED"
    return names


def offered(page) -> list[str]:
    """The drop-down's options the page leaves shown (the script hides the others)."""
    return page.eval_on_selector_all("#language_model option", "options => options.filter(o => !o.hidden).map(o => o.value)")


def test_create_job_offers_only_the_models_that_fit_the_audios_band(console_server, band_models, context, eval_dir):
    (console_server.bucket("console-data") / "audio/phone.wav").write_bytes(
        (eval_dir / "biomed-tts/wav8/test_000.wav").read_bytes())
    wide, narrow = band_models["WideBand"], band_models["NarrowBand"]
    page = context.new_page()
    sign_in(page, console_server.endpoint, console_server.credentials)
    page.goto(console_server.endpoint + "/console/jobs/create")
    page.get_by_role("radio", name="Custom language model").check()
    note = page.locator("[data-band-note]")
    # An uploaded 16 kHz file: the NarrowBand model is hidden, the WideBand one offered.
    page.get_by_role("radio", name="Upload a file into one of your buckets").check()
    page.get_by_label("Audio file", exact=True).set_input_files(str(eval_dir / "biomed-tts/wav16/test_000.wav"))
    expect(note).to_have_text("test_000.wav is 16,000 Hz: WideBand models fit it.")
    assert wide in offered(page) and narrow not in offered(page)
    assert page.locator("#language_model").input_value() != narrow
    # An 8 kHz file: the other way round.
    page.get_by_label("Audio file", exact=True).set_input_files(str(eval_dir / "biomed-tts/wav8/test_000.wav"))
    expect(note).to_have_text("test_000.wav is 8,000 Hz: NarrowBand models fit it.")
    assert narrow in offered(page) and wide not in offered(page)
    expect(page.get_by_role("radio", name="Under 16 kHz, e.g. telephone audio (NarrowBand)")).to_be_checked()
    # An S3 URI: the server reads the object's sample rate with the account's access.
    page.get_by_role("radio", name="S3 URI of an audio file").check()
    page.get_by_label("Input file location on S3").fill("s3://console-data/audio/test_000.wav")
    page.get_by_label("Input file location on S3").press("Tab")
    expect(note).to_have_text("s3://console-data/audio/test_000.wav is 16,000 Hz: WideBand models fit it.")
    assert wide in offered(page) and narrow not in offered(page)
    page.get_by_label("Input file location on S3").fill("s3://console-data/audio/phone.wav")
    page.get_by_label("Input file location on S3").press("Tab")
    expect(note).to_have_text("s3://console-data/audio/phone.wav is 8,000 Hz: NarrowBand models fit it.")
    assert narrow in offered(page) and wide not in offered(page)
    # An object that can't be read says so, and the user chooses the band.
    page.get_by_label("Input file location on S3").fill("s3://console-data/audio/missing.wav")
    page.get_by_label("Input file location on S3").press("Tab")
    expect(note).to_contain_text("Choose the band below.")
    page.get_by_role("radio", name="16 kHz or more (WideBand)").check()
    assert wide in offered(page) and narrow not in offered(page)
    # Language still filters as before: no en-US model is offered for another language.
    languages = [o.get_attribute("value") for o in page.locator("#language option").all()]
    if len(languages) > 1:
        page.get_by_label("Language", exact=True).select_option(next(code for code in languages if code != "en-US"))
        assert wide not in offered(page) and narrow not in offered(page)
