"""The console's main flows in Chromium: train a CLM from a bucket prefix, watch it complete,
transcribe with it, play the transcript with the current word highlighted, download the JSON."""
from __future__ import annotations

import json
import re
import urllib.request

import pytest
from botocore.exceptions import ClientError
from playwright.sync_api import expect

from tests.console.browser import sign_in
from tests.console.conftest import unique

pytestmark = pytest.mark.slow

TRAINING_SECONDS = 240_000  # ms: CLM training on ~20 kB of text takes seconds; the bound only stops a hang
JOB_SECONDS = 240_000


def train_in_console(page, base: str, name: str, role: str, prefix: str, tuning: str | None = None) -> None:
    page.goto(base + "/console/models")
    page.get_by_role("link", name="Train model").first.click()
    page.get_by_label("Model name").fill(name)
    page.get_by_label("Language").select_option("en-US")
    page.get_by_role("radio", name=re.compile("WideBand")).check()
    page.get_by_label("Training data", exact=True).fill(prefix)
    if tuning:
        page.get_by_label(re.compile("Tuning data")).fill(tuning)
    page.get_by_label("Data access role").select_option(role)
    page.get_by_role("button", name="Train model").click()


def test_train_model_watch_it_complete_then_transcribe_with_it(console_server, context):
    base = console_server.endpoint
    client = console_server.client()
    page = context.new_page()
    sign_in(page, base, console_server.credentials)
    name = unique("biomed")
    train_in_console(page, base, name, console_server.role_arn, "s3://console-data/biomed/train/",
                     "s3://console-data/biomed/tune/")
    page.wait_for_url(f"{base}/console/models/{name}")
    page.evaluate("window.notReloaded = true")
    expect(page.locator("[data-field=status]")).to_have_text("Completed", timeout=TRAINING_SECONDS)
    assert page.evaluate("window.notReloaded") is True  # the status changed in place
    api_model = client.describe_language_model(ModelName=name)["LanguageModel"]
    assert api_model["ModelStatus"] == "COMPLETED"
    assert api_model["InputDataConfig"]["S3Uri"] == "s3://console-data/biomed/train/"
    report = page.get_by_role("region", name="Training report")
    expect(report).to_be_visible()
    vocabulary = int(report.locator("[data-field=vocabulary]").inner_text().split()[0].replace(",", ""))
    assert vocabulary > 0
    terms = report.locator("[data-field=terms] li").all_inner_texts()
    assert terms, "a biomedical text has terms general English lacks"
    training_text = (console_server.data_dir / "buckets/console-data/biomed/train/part-1.txt").read_text().lower()
    assert all(term.lower() in training_text for term in terms)
    expect(report.get_by_role("img", name=re.compile("n-gram counts per order"))).to_be_visible()
    expect(page.get_by_role("button", name="Retrain")).to_be_enabled()

    # The list shows it, filtered by status and name.
    page.goto(f"{base}/console/models?status=COMPLETED&name={name.upper()}")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(name)
    expect(rows.first).to_contain_text("WideBand")

    # Create job -> Custom language model.
    page.goto(base + "/console/jobs")
    page.get_by_role("link", name="Create job").click()
    job = unique("console-job")
    page.get_by_label("Job name").fill(job)
    page.get_by_role("radio", name="Custom language model").check()
    page.get_by_role("combobox", name="Custom language model").select_option(name)
    page.get_by_label("Input file location on S3").fill("s3://console-data/audio/test_000.wav")
    page.get_by_role("checkbox", name="WebVTT").check()
    page.get_by_role("button", name="Create job").click()
    page.wait_for_url(f"{base}/console/jobs/{job}")
    expect(page.locator("[data-field=status]")).to_have_text("Completed", timeout=JOB_SECONDS)
    api_job = client.get_transcription_job(TranscriptionJobName=job)["TranscriptionJob"]
    assert api_job["ModelSettings"]["LanguageModelName"] == name

    words = page.locator("[data-words] .word")
    expect(words.first).to_be_visible()
    api_transcript = json.loads(urllib.request.urlopen(api_job["Transcript"]["TranscriptFileUri"]).read())
    spoken = [i for i in api_transcript["results"]["items"] if i["type"] == "pronunciation"]
    assert words.all_inner_texts() == [i["alternatives"][0]["content"] for i in spoken]
    low = [i for i in spoken if float(i["alternatives"][0]["confidence"]) < 0.5]
    expect(page.locator("[data-words] .word.low-confidence")).to_have_count(len(low))

    # The player highlights the word being played.
    middle = spoken[len(spoken) // 2]
    at = (float(middle["start_time"]) + float(middle["end_time"])) / 2
    page.wait_for_function("document.querySelector('audio[data-player]').readyState >= 1")
    page.evaluate(f"document.querySelector('audio[data-player]').currentTime = {at}")
    current = page.locator("[data-words] .word.current")
    expect(current).to_have_count(1)
    expect(current).to_have_text(middle["alternatives"][0]["content"])
    expect(current).to_have_attribute("aria-current", "true")
    # Clicking a word seeks there.
    first = spoken[0]
    words.first.click()
    assert abs(page.evaluate("document.querySelector('audio[data-player]').currentTime") - float(first["start_time"])) < 0.05

    with page.expect_download() as download:
        page.get_by_role("link", name="Download transcript JSON").click()
    downloaded = json.loads(open(download.value.path(), "rb").read())
    assert download.value.suggested_filename == f"{job}.json"
    assert downloaded == api_transcript
    with page.expect_download() as vtt:
        page.get_by_role("link", name="Download VTT subtitles").click()
    api_vtt = urllib.request.urlopen(api_job["Subtitles"]["SubtitleFileUris"][0]).read()
    assert open(vtt.value.path(), "rb").read() == api_vtt and api_vtt.startswith(b"WEBVTT")


def test_failed_model_shows_its_reason(console_server, context):
    page = context.new_page()
    sign_in(page, console_server.endpoint, console_server.credentials)
    name = unique("broken")
    train_in_console(page, console_server.endpoint, name, console_server.role_arn, "s3://console-data/broken/train/")
    page.wait_for_url(f"{console_server.endpoint}/console/models/{name}")
    expect(page.locator("[data-field=status]")).to_have_text("Failed", timeout=TRAINING_SECONDS)
    reason = console_server.client().describe_language_model(ModelName=name)["LanguageModel"]["FailureReason"]
    assert reason
    expect(page.locator("[data-field=failure-reason]")).to_have_text(reason)
    assert "/buckets/" not in reason and str(console_server.data_dir) not in reason


def test_validation_messages_are_the_apis_own(console_server, context):
    page = context.new_page()
    sign_in(page, console_server.endpoint, console_server.credentials)
    bad_name = "no spaces allowed"
    train_in_console(page, console_server.endpoint, bad_name, console_server.role_arn, "s3://console-data/biomed/train/")
    shown = page.get_by_role("alert").inner_text()
    with pytest.raises(ClientError) as api:
        console_server.client(validate=False).create_language_model(
            LanguageCode="en-US", BaseModelName="WideBand", ModelName=bad_name,
            InputDataConfig={"S3Uri": "s3://console-data/biomed/train/", "DataAccessRoleArn": console_server.role_arn})
    assert shown == api.value.response["Error"]["Message"]
    expect(page.get_by_label("Model name")).to_have_value(bad_name)  # the form keeps what was typed

    page.goto(console_server.endpoint + "/console/jobs/create")
    page.get_by_label("Job name").fill(unique("nofile"))
    page.get_by_label("Input file location on S3").fill("not-a-uri")
    page.get_by_role("button", name="Create job").click()
    with pytest.raises(ClientError) as api:
        console_server.client().start_transcription_job(TranscriptionJobName=unique("x"), LanguageCode="en-US",
                                                        Media={"MediaFileUri": "not-a-uri"})
    expect(page.get_by_role("alert")).to_have_text(api.value.response["Error"]["Message"])


def test_model_page_shows_the_text_warnings(console_server, context):
    """A CLM trained on all-lower-case text says so, since its terms will come out lower case."""
    folder = console_server.data_dir / "buckets/console-data/lower/train"
    folder.mkdir(parents=True, exist_ok=True)
    text = (console_server.data_dir / "buckets/console-data/biomed/train/part-1.txt").read_text()
    (folder / "part-1.txt").write_text(text.lower())
    client = console_server.client()
    name = unique("lower")
    client.create_language_model(LanguageCode="en-US", BaseModelName="WideBand", ModelName=name, InputDataConfig={
        "S3Uri": "s3://console-data/lower/train/", "DataAccessRoleArn": console_server.role_arn})
    page = context.new_page()
    sign_in(page, console_server.endpoint, console_server.credentials)
    page.goto(f"{console_server.endpoint}/console/models/{name}")
    expect(page.locator("[data-field=status]")).to_have_text("Completed", timeout=TRAINING_SECONDS)
    warnings = page.locator("[data-field=warnings] li")
    expect(warnings.filter(has_text="all lower case")).to_have_count(1)
    terms = page.locator("[data-field=terms] li").all_inner_texts()
    assert all(term == term.lower() for term in terms)
