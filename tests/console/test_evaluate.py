"""Beyond Amazon: the model page's Evaluate runs reference pairs with and without the CLM."""
from __future__ import annotations

import json
import re
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from jargonaut.evaluate.metrics import score_files
from jargonaut.evaluate.significance import compare
from tests.console.browser import sign_in
from tests.console.conftest import unique

pytestmark = pytest.mark.slow


def completed_model(server) -> str:
    client = server.client()
    name = unique("eval-clm")
    client.create_language_model(LanguageCode="en-US", BaseModelName="WideBand", ModelName=name, InputDataConfig={
        "S3Uri": "s3://console-data/biomed/train/", "TuningDataS3Uri": "s3://console-data/biomed/tune/",
        "DataAccessRoleArn": server.role_arn})
    deadline = time.monotonic() + 240
    while client.describe_language_model(ModelName=name)["LanguageModel"]["ModelStatus"] == "IN_PROGRESS":
        assert time.monotonic() < deadline
        time.sleep(0.5)
    assert client.describe_language_model(ModelName=name)["LanguageModel"]["ModelStatus"] == "COMPLETED"
    return name


def test_evaluate_shows_wer_both_ways_terms_and_files(console_server, context, eval_dir):
    name = completed_model(console_server)
    page = context.new_page()
    sign_in(page, console_server.endpoint, console_server.credentials)
    page.goto(f"{console_server.endpoint}/console/models/{name}")
    page.get_by_label("Evaluation data").fill("s3://console-data/nothing-here/")
    page.get_by_role("button", name="Evaluate").click()
    expect(page.get_by_role("alert")).to_contain_text("no audio files with a reference transcript")

    page.get_by_label("Evaluation data").fill("s3://console-data/evaluation/")
    page.get_by_role("button", name="Evaluate").click()
    page.wait_for_url(f"{console_server.endpoint}/console/models/{name}/evaluations/*")
    expect(page.locator("[data-field=custom-wer]")).to_be_visible(timeout=300_000)
    rows = page.locator("[data-field=files] tbody tr")
    expect(rows).to_have_count(2)

    # The numbers are the WER harness's over the jobs' own transcripts, fetched through the API.
    client = console_server.client()
    jobs = client.list_transcription_jobs(JobNameContains="eval-", MaxResults=100)["TranscriptionJobSummaries"]
    evaluation_id = page.url.rsplit("/", 1)[1]
    mine = sorted(j["TranscriptionJobName"] for j in jobs if j["TranscriptionJobName"].startswith(f"eval-{evaluation_id}-"))
    assert len(mine) == 4
    references = dict(line.split("\t", 1) for line in (eval_dir / "biomed-tts/test.tsv").read_text().splitlines())
    texts = {}
    for job_name in mine:
        job = client.get_transcription_job(TranscriptionJobName=job_name)["TranscriptionJob"]
        assert job["TranscriptionJobStatus"] == "COMPLETED"
        assert (job.get("ModelSettings") or {}).get("LanguageModelName") == (name if job_name.endswith("custom") else None)
        body = json.loads(urllib.request.urlopen(job["Transcript"]["TranscriptFileUri"]).read())
        texts[job_name] = body["results"]["transcripts"][0]["transcript"]
    scored = {}
    for kind in ("general", "custom"):
        pairs = [(clip, references[clip], texts[f"eval-{evaluation_id}-{i:02d}-{kind}"])
                 for i, clip in enumerate(("test_000", "test_001"))]
        scored[kind] = score_files(pairs)
        expected = f"{100 * scored[kind].wer:.1f} %"
        expect(page.locator(f"[data-field={kind}-wer]")).to_have_text(expected)
    # The verdict is the paired bootstrap's over the same files (evaluate/significance.py).
    verdict = compare(scored["general"].files, scored["custom"].files).verdict
    expect(page.locator("[data-field=verdict]")).to_have_attribute("data-verdict", verdict)
    expect(page.locator("[data-field=verdict]")).to_contain_text("of 2 files" if verdict != "unclear" else "on 2 files")
    expect(page.get_by_role("img", name=r"WER: general model")).to_be_visible()

    page.goto(f"{console_server.endpoint}/console/models/{name}")
    expect(page.get_by_role("link", name=r"UTC")).to_have_count(1)  # the earlier evaluation is listed


def test_evaluate_with_uploaded_pairs(console_server, context, eval_dir, tmp_path):
    name = completed_model(console_server)
    references = dict(line.split("\t", 1) for line in (eval_dir / "biomed-tts/test.tsv").read_text().splitlines())
    audio = tmp_path / "clip-a.wav"
    audio.write_bytes((eval_dir / "biomed-tts/wav16/test_001.wav").read_bytes())
    reference = tmp_path / "clip-a.txt"
    reference.write_text(references["test_001"] + "\n")
    page = context.new_page()
    sign_in(page, console_server.endpoint, console_server.credentials)
    page.goto(f"{console_server.endpoint}/console/models/{name}")
    page.get_by_text("Or upload the files").click()
    page.get_by_label("Audio files and reference transcripts").set_input_files([str(audio), str(reference)])
    page.get_by_label("Upload to bucket").select_option("console-data")
    page.get_by_role("button", name="Evaluate").click()
    page.wait_for_url(f"{console_server.endpoint}/console/models/{name}/evaluations/*")
    expect(page.locator("[data-field=custom-wer]")).to_be_visible(timeout=300_000)
    rows = page.locator("[data-field=files] tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("th")).to_have_text(re.compile(r"^console-uploads/evaluations/[0-9a-f]{8}/clip-a\.wav$"))
    expect(rows.first).to_contain_text(references["test_001"])
    uploaded = list((console_server.data_dir / "buckets/console-data/console-uploads/evaluations").glob("*/clip-a.*"))
    assert sorted(p.suffix for p in uploaded) == [".txt", ".wav"]
