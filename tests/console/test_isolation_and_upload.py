"""Accounts see only their own resources in the console; audio can be uploaded into a bucket."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from botocore.exceptions import ClientError
from playwright.sync_api import expect

from tests.console.browser import sign_in
from tests.console.conftest import unique
from tests.support.clm import create_role, read_policy, trust_policy
from tests.support.server import REPO

pytestmark = pytest.mark.slow


def new_account(server) -> dict:
    result = subprocess.run([sys.executable, "-m", "jargonaut.cli", "accounts", "--data-dir", str(server.data_dir),
                             "create"], cwd=REPO, env=server.env, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def test_upload_audio_into_a_bucket_and_transcribe_it(console_server, context, eval_dir):
    base = console_server.endpoint
    page = context.new_page()
    sign_in(page, base, console_server.credentials)
    page.goto(base + "/console/jobs/create")
    job = unique("upload")
    page.get_by_label("Job name").fill(job)
    page.get_by_role("radio", name="Upload a file into one of your buckets").check()
    expect(page.get_by_label("Input file location on S3")).to_be_hidden()
    page.get_by_label("Audio file", exact=True).set_input_files(str(eval_dir / "biomed-tts/wav16/test_001.wav"))
    page.get_by_label("Upload to bucket").select_option("console-data")
    page.get_by_label("Output bucket").select_option("console-data")
    page.get_by_label("Output key").fill("console-out/")
    page.get_by_role("checkbox", name="SRT").check()
    page.get_by_role("button", name="Create job").click()
    page.wait_for_url(f"{base}/console/jobs/{job}")
    expect(page.locator("[data-field=status]")).to_have_text("Completed", timeout=240_000)
    api_job = console_server.client().get_transcription_job(TranscriptionJobName=job)["TranscriptionJob"]
    uploaded = console_server.data_dir / "buckets/console-data" / api_job["Media"]["MediaFileUri"].split("/", 3)[3]
    assert uploaded.read_bytes() == (eval_dir / "biomed-tts/wav16/test_001.wav").read_bytes()
    written = json.loads((console_server.data_dir / f"buckets/console-data/console-out/{job}.json").read_text())
    expect(page.locator("[data-words] .word").first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download transcript JSON").click()
    assert json.loads(open(download.value.path(), "rb").read()) == written
    # Subtitles were asked for: SRT only, written beside the transcript in the bucket.
    expect(page.get_by_role("link", name="Download VTT subtitles")).to_have_count(0)
    with page.expect_download() as srt:
        page.get_by_role("link", name="Download SRT subtitles").click()
    srt_text = open(srt.value.path(), encoding="utf-8").read()
    assert srt_text == (console_server.data_dir / f"buckets/console-data/console-out/{job}.srt").read_text()
    assert srt_text.startswith("0\n00:00:") or srt_text.startswith("1\n00:00:")
    assert api_job["Subtitles"]["Formats"] == ["srt"]


def test_a_second_account_sees_none_of_the_firsts_resources(console_server, browser):
    first = console_server.client()
    models = first.list_language_models()["Models"]
    jobs = first.list_transcription_jobs()["TranscriptionJobSummaries"]
    if not models or not jobs:  # this file run alone: give the first account something to hide
        job = unique("owned")
        first.start_transcription_job(TranscriptionJobName=job, LanguageCode="en-US",
                                      Media={"MediaFileUri": "s3://console-data/audio/test_000.wav"})
        console_server.wait_for_job(first, job)
        jobs = first.list_transcription_jobs()["TranscriptionJobSummaries"]
        first.create_language_model(LanguageCode="en-US", BaseModelName="WideBand", ModelName=unique("owned"),
                                    InputDataConfig={"S3Uri": "s3://console-data/biomed/train/",
                                                     "DataAccessRoleArn": console_server.role_arn})
        models = first.list_language_models()["Models"]
    other = new_account(console_server)
    context = browser.new_context()
    try:
        page = context.new_page()
        sign_in(page, console_server.endpoint, other)
        assert other["account_id"] in page.locator(".account").inner_text()
        base = console_server.endpoint
        page.goto(base + "/console/models")
        expect(page.locator("tbody")).to_contain_text("No custom language models")
        page.goto(base + "/console/jobs")
        expect(page.locator("tbody")).to_contain_text("No transcription jobs")
        page.goto(base + "/console/jobs/create")
        assert page.locator("#language_model option").count() == 0  # no CLMs of the first account offered
        assert "console-data" not in page.locator("#upload_bucket").inner_text()
        page.goto(base + "/console/models/train")
        assert console_server.role_arn not in page.locator("#data_access_role").inner_html()
        for path in (f"/console/models/{models[0]['ModelName']}", f"/console/models/{models[0]['ModelName']}/status",
                     f"/console/jobs/{jobs[0]['TranscriptionJobName']}",
                     f"/console/jobs/{jobs[0]['TranscriptionJobName']}/transcript.json",
                     f"/console/jobs/{jobs[0]['TranscriptionJobName']}/media"):
            response = page.request.get(base + path)
            assert response.status == 404, path
            assert console_server.credentials["account_id"] not in response.text()
        # Training from the first account's bucket with the first account's role is refused, with the API's message.
        page.goto(base + "/console/models/train")
        steal = unique("steal")
        page.get_by_label("Model name").fill(steal)
        page.get_by_label("Training data", exact=True).fill("s3://console-data/biomed/train/")
        page.get_by_role("button", name="Train model").click()
        # The account has no roles, so none is chosen: the API's own answer to an empty role ARN, not a 500.
        with pytest.raises(ClientError) as api:
            console_server.client(other, validate=False).create_language_model(
                LanguageCode="en-US", BaseModelName="WideBand", ModelName=steal,
                InputDataConfig={"S3Uri": "s3://console-data/biomed/train/", "DataAccessRoleArn": ""})
        expect(page.get_by_role("alert")).to_have_text(api.value.response["Error"]["Message"])
        # Naming the first account's role by its ARN doesn't work either.
        with pytest.raises(ClientError) as foreign:
            console_server.client(other).create_language_model(
                LanguageCode="en-US", BaseModelName="WideBand", ModelName=steal,
                InputDataConfig={"S3Uri": "s3://console-data/biomed/train/", "DataAccessRoleArn": console_server.role_arn})
        assert foreign.value.response["Error"]["Code"] == "BadRequestException"
        assert console_server.client(other).list_language_models()["Models"] == []
    finally:
        context.close()


def test_model_list_filters_and_pages(console_server, browser, tmp_path):
    """Eleven models of a fresh account: ten a page, a next page with the rest, filters by name and status."""
    account = new_account(console_server)
    role = create_role(console_server.data_dir, tmp_path, "PagingRole", trust_policy(account["account_id"]),
                       read_policy("paging-data"), account=account["account_id"])
    client = console_server.client(account)
    names = [f"page-{i:02d}" for i in range(11)]
    for name in names:  # the bucket doesn't exist, so each fails fast: enough for listing
        client.create_language_model(LanguageCode="en-US", BaseModelName="WideBand", ModelName=name,
                                     InputDataConfig={"S3Uri": "s3://paging-data/none/", "DataAccessRoleArn": role})
    context = browser.new_context()
    try:
        page = context.new_page()
        sign_in(page, console_server.endpoint, account)
        page.goto(console_server.endpoint + "/console/models")
        rows = page.locator("tbody tr th a")
        expect(rows).to_have_count(10)
        first_page = rows.all_inner_texts()
        page.get_by_role("link", name="Next page").click()
        expect(rows).to_have_count(1)
        assert sorted(first_page + rows.all_inner_texts()) == names
        expect(page.get_by_role("link", name="Next page")).to_have_count(0)
        page.get_by_role("link", name="First page").click()
        expect(rows).to_have_count(10)
        page.get_by_label("Name contains").fill("PAGE-07")
        page.get_by_role("button", name="Filter").click()
        expect(rows).to_have_text(["page-07"])
        page.get_by_label("Name contains").fill("")
        page.get_by_label("Status").select_option("COMPLETED")
        page.get_by_role("button", name="Filter").click()
        expect(page.locator("tbody")).to_contain_text("No custom language models match the filter")
    finally:
        context.close()
