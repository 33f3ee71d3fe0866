"""Transcription jobs through boto3 against a running server: lifecycle, output, errors."""
from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.request
import uuid

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from tests.support.media import ENCODINGS, make_media, make_wav

JFK_WORDS = ["fellow", "americans", "ask", "not", "what", "your", "country", "can", "do", "for", "you"]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def error_code(exc: ClientError) -> tuple[str, int]:
    return exc.response["Error"]["Code"], exc.response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture(scope="module")
def media_bucket(server, eval_dir):
    bucket = server.bucket("media")
    shutil.copy(eval_dir / "general/audio/jfk.flac", bucket / "jfk.flac")
    shutil.copy(eval_dir / "general/audio/LDC93S1_8k.wav", bucket / "timit-8k.wav")
    return bucket


def test_job_lifecycle_service_bucket(server, media_bucket):
    client = server.client()
    name = unique("jfk")
    started = client.start_transcription_job(
        TranscriptionJobName=name, LanguageCode="en-US", Media={"MediaFileUri": "s3://media/jfk.flac"}
    )["TranscriptionJob"]
    assert started["TranscriptionJobStatus"] in ("QUEUED", "IN_PROGRESS")
    job = server.wait_for_job(client, name)
    assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
    assert job["MediaFormat"] == "flac" and job["MediaSampleRateHertz"] == 44100
    assert job["StartTime"] >= job["CreationTime"] and job["CompletionTime"] >= job["StartTime"]
    url = job["Transcript"]["TranscriptFileUri"]
    transcript = json.loads(urllib.request.urlopen(url).read())
    assert transcript["jobName"] == name and transcript["status"] == "COMPLETED"
    assert transcript["accountId"] == server.credentials["account_id"]
    text = transcript["results"]["transcripts"][0]["transcript"]
    lowered = text.lower()
    assert all(word in lowered for word in JFK_WORDS), text
    items = transcript["results"]["items"]
    words = [i for i in items if i["type"] == "pronunciation"]
    punctuation = [i for i in items if i["type"] == "punctuation"]
    assert punctuation and all("start_time" not in i for i in punctuation)
    for item in words:
        assert isinstance(item["start_time"], str) and isinstance(item["end_time"], str)
        assert isinstance(item["alternatives"][0]["confidence"], str)
        assert 0 <= float(item["start_time"]) <= float(item["end_time"]) <= 11.5
    starts = [float(w["start_time"]) for w in words]
    assert starts == sorted(starts)
    # Real timings: word durations vary (not spread evenly) and there is a pause before "ask".
    durations = {round(float(w["end_time"]) - float(w["start_time"]), 2) for w in words}
    assert len(durations) > 4
    segments = transcript["results"]["audio_segments"]
    assert segments and segments[0]["items"][0] == 0
    assert sum(len(s["items"]) for s in segments) == len(items)


def test_transcript_url_requires_a_valid_signature(server, media_bucket):
    client = server.client()
    name = unique("signed")
    client.start_transcription_job(TranscriptionJobName=name, LanguageCode="en-US", Media={"MediaFileUri": "s3://media/timit-8k.wav"})
    job = server.wait_for_job(client, name)
    url = job["Transcript"]["TranscriptFileUri"]
    tampered = url.replace("X-Amz-Signature=", "X-Amz-Signature=0")[:-1]
    with pytest.raises(urllib.error.HTTPError) as denied:
        urllib.request.urlopen(tampered)
    assert denied.value.code == 403
    unsigned = url.split("?")[0]
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(unsigned)
    assert missing.value.code == 403


@pytest.mark.parametrize(
    "output_key, expected_key",
    [(None, "{name}.json"), ("folder/", "folder/{name}.json"), ("folder/custom.json", "folder/custom.json"), ("plain", "plain.json")],
)
def test_output_bucket_and_key(server, media_bucket, output_key, expected_key):
    client = server.client()
    out = server.bucket("transcripts-out")
    name = unique("out")
    params = {"TranscriptionJobName": name, "LanguageCode": "en-US", "Media": {"MediaFileUri": "s3://media/timit-8k.wav"}, "OutputBucketName": "transcripts-out"}
    if output_key:
        params["OutputKey"] = output_key
    client.start_transcription_job(**params)
    job = server.wait_for_job(client, name)
    assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
    key = expected_key.format(name=name)
    assert job["Transcript"]["TranscriptFileUri"] == f"s3://transcripts-out/{key}"
    body = json.loads((out / key).read_text())
    assert body["jobName"] == name
    summary = [s for s in client.list_transcription_jobs(JobNameContains=name)["TranscriptionJobSummaries"]]
    assert summary[0]["OutputLocationType"] == "CUSTOMER_BUCKET"


@pytest.mark.slow
@pytest.mark.parametrize("media_format", sorted(ENCODINGS))
def test_every_media_format(server, eval_dir, tmp_path, media_format):
    bucket = server.bucket("formats")
    path = make_media(eval_dir / "general/audio/jfk.flac", media_format, tmp_path)
    shutil.copy(path, bucket / path.name)
    client = server.client()
    name = unique(f"fmt-{media_format}")
    client.start_transcription_job(
        TranscriptionJobName=name, LanguageCode="en-US", MediaFormat=media_format,
        Media={"MediaFileUri": f"s3://formats/{path.name}"},
    )
    job = server.wait_for_job(client, name)
    assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
    transcript = json.loads(urllib.request.urlopen(job["Transcript"]["TranscriptFileUri"]).read())
    text = transcript["results"]["transcripts"][0]["transcript"].lower()
    assert sum(w in text for w in JFK_WORDS) >= len(JFK_WORDS) - 2, text


def _failed_reason(server, client, media_uri: str, **extra) -> str:
    name = unique("bad")
    client.start_transcription_job(TranscriptionJobName=name, LanguageCode="en-US", Media={"MediaFileUri": media_uri}, **extra)
    job = server.wait_for_job(client, name)
    assert job["TranscriptionJobStatus"] == "FAILED"
    assert "Transcript" not in job
    return job["FailureReason"]


def test_failure_reasons(server, eval_dir, tmp_path):
    client = server.client()
    bucket = server.bucket("broken")
    (bucket / "notes.mp3").write_bytes(b"this is not audio at all\n" * 100)
    shutil.copy(eval_dir / "general/audio/LDC93S1_8k.wav", bucket / "speech.wav")
    make_wav(eval_dir / "general/audio/LDC93S1_8k.wav", 4000, bucket / "too-low.wav")
    make_wav(eval_dir / "general/audio/LDC93S1_8k.wav", 96000, bucket / "too-high.wav")
    good = bucket / "speech.wav"
    truncated = good.read_bytes()[:44] + b"\xff" * 10
    (bucket / "truncated.wav").write_bytes(truncated)
    outside = tmp_path / "secret.wav"
    shutil.copy(good, outside)
    (bucket / "escape.wav").symlink_to(outside)

    assert "could not be decoded" in _failed_reason(server, client, "s3://broken/notes.mp3")
    assert "doesn't match the detected media format (wav)" in _failed_reason(server, client, "s3://broken/speech.wav", MediaFormat="mp3")
    assert "between 8000 and 48000" in _failed_reason(server, client, "s3://broken/too-low.wav")
    assert "between 8000 and 48000" in _failed_reason(server, client, "s3://broken/too-high.wav")
    reason = _failed_reason(server, client, "s3://broken/speech.wav", MediaSampleRateHertz=16000)
    assert "16000 Hz" in reason and "8000 Hz" in reason
    assert "could not be found" in _failed_reason(server, client, "s3://broken/missing.wav")
    assert "could not be found" in _failed_reason(server, client, "s3://no-such-bucket/a.wav")
    assert "denied" in _failed_reason(server, client, "s3://broken/escape.wav")
    assert "denied" in _failed_reason(server, client, "s3://broken/../media/jfk.flac")
    reason = _failed_reason(server, client, "s3://broken/truncated.wav")
    assert "decod" in reason or "no decodable audio" in reason


def test_list_filters_and_pagination(server, media_bucket):
    client = server.client()
    tag = uuid.uuid4().hex[:6]
    names = [f"page-{tag}-{i}" for i in range(7)]
    for name in names:
        client.start_transcription_job(TranscriptionJobName=name, LanguageCode="en-US", Media={"MediaFileUri": "s3://media/missing.wav"})
    for name in names:
        server.wait_for_job(client, name)
    first = client.list_transcription_jobs(JobNameContains=f"PAGE-{tag}")
    assert len(first["TranscriptionJobSummaries"]) == 5  # MaxResults defaults to 5
    assert [s["TranscriptionJobName"] for s in first["TranscriptionJobSummaries"]] == names[::-1][:5]
    second = client.list_transcription_jobs(JobNameContains=f"page-{tag}", NextToken=first["NextToken"])
    assert [s["TranscriptionJobName"] for s in second["TranscriptionJobSummaries"]] == names[::-1][5:]
    assert "NextToken" not in second
    paginated, token = [], None
    while True:
        page = client.list_transcription_jobs(JobNameContains=tag, MaxResults=3, **({"NextToken": token} if token else {}))
        paginated += [s["TranscriptionJobName"] for s in page["TranscriptionJobSummaries"]]
        token = page.get("NextToken")
        if not token:
            break
    assert paginated == names[::-1]
    failed = client.list_transcription_jobs(Status="FAILED", JobNameContains=tag, MaxResults=100)
    assert failed["Status"] == "FAILED" and len(failed["TranscriptionJobSummaries"]) == 7
    assert client.list_transcription_jobs(Status="COMPLETED", JobNameContains=tag)["TranscriptionJobSummaries"] == []
    with pytest.raises(ClientError) as bad_token:
        client.list_transcription_jobs(NextToken="not-a-token")
    assert error_code(bad_token.value) == ("BadRequestException", 400)


def test_delete_and_not_found(server, media_bucket):
    client = server.client()
    name = unique("delete")
    client.start_transcription_job(TranscriptionJobName=name, LanguageCode="en-US", Media={"MediaFileUri": "s3://media/missing.wav"})
    server.wait_for_job(client, name)
    client.delete_transcription_job(TranscriptionJobName=name)
    for call in (client.get_transcription_job, client.delete_transcription_job):
        with pytest.raises(ClientError) as missing:
            call(TranscriptionJobName=name)
        assert error_code(missing.value) == ("NotFoundException", 404)
    # The name is free again after deletion.
    client.start_transcription_job(TranscriptionJobName=name, LanguageCode="en-US", Media={"MediaFileUri": "s3://media/missing.wav"})


def test_duplicate_name_conflicts(server, media_bucket):
    client = server.client()
    name = unique("dup")
    client.start_transcription_job(TranscriptionJobName=name, LanguageCode="en-US", Media={"MediaFileUri": "s3://media/missing.wav"})
    with pytest.raises(ClientError) as conflict:
        client.start_transcription_job(TranscriptionJobName=name, LanguageCode="en-US", Media={"MediaFileUri": "s3://media/jfk.flac"})
    assert error_code(conflict.value) == ("ConflictException", 409)


def test_request_validation_errors(server):
    client = server.client()
    raw = server.client(validate=False)  # skip botocore's client-side checks: the server answers
    cases = [
        ({"TranscriptionJobName": "has space", "LanguageCode": "en-US", "Media": {"MediaFileUri": "s3://media/jfk.flac"}}, "regular expression"),
        ({"TranscriptionJobName": "x" * 201, "LanguageCode": "en-US", "Media": {"MediaFileUri": "s3://media/jfk.flac"}}, "length"),
        ({"TranscriptionJobName": "enum", "LanguageCode": "en-US", "MediaFormat": "aiff", "Media": {"MediaFileUri": "s3://media/jfk.flac"}}, "enum"),
        ({"TranscriptionJobName": "rate", "LanguageCode": "en-US", "MediaSampleRateHertz": 96000, "Media": {"MediaFileUri": "s3://media/jfk.flac"}}, "between"),
        ({"TranscriptionJobName": "nomedia", "LanguageCode": "en-US"}, "Media"),
        ({"TranscriptionJobName": "lang", "LanguageCode": "de-DE", "Media": {"MediaFileUri": "s3://media/jfk.flac"}}, "not supported"),
        ({"TranscriptionJobName": "nolang", "Media": {"MediaFileUri": "s3://media/jfk.flac"}}, "LanguageCode"),
        ({"TranscriptionJobName": "uri", "LanguageCode": "en-US", "Media": {"MediaFileUri": "ftp://nowhere/x"}}, "s3://"),
        ({"TranscriptionJobName": "diar", "LanguageCode": "en-US", "Media": {"MediaFileUri": "s3://media/jfk.flac"}, "Settings": {"ShowSpeakerLabels": True, "MaxSpeakerLabels": 1}}, "MaxSpeakerLabels"),
    ]
    for params, fragment in cases:
        with pytest.raises(ClientError) as bad:
            raw.start_transcription_job(**params)
        assert error_code(bad.value) == ("BadRequestException", 400), params
        assert fragment in bad.value.response["Error"]["Message"], (params, bad.value.response["Error"]["Message"])
    with pytest.raises(ClientError) as bad_max:
        raw.list_transcription_jobs(MaxResults=500)
    assert error_code(bad_max.value) == ("BadRequestException", 400)
    with pytest.raises(ParamValidationError):
        client.list_transcription_jobs(MaxResults=0)  # botocore refuses minimums locally as well


def test_accounts_are_isolated(server, media_bucket):
    import subprocess
    import sys

    created = subprocess.run(
        [sys.executable, "-m", "jargonaut.cli", "accounts", "--data-dir", str(server.data_dir), "create"],
        check=True, capture_output=True, text=True,
    )
    other = json.loads(created.stdout)
    assert other["account_id"] != server.credentials["account_id"]
    mine = server.client()
    theirs = server.client(other)
    name = unique("private")
    mine.start_transcription_job(TranscriptionJobName=name, LanguageCode="en-US", Media={"MediaFileUri": "s3://media/missing.wav"})
    with pytest.raises(ClientError) as hidden:
        theirs.get_transcription_job(TranscriptionJobName=name)
    assert error_code(hidden.value) == ("NotFoundException", 404)
    assert theirs.list_transcription_jobs()["TranscriptionJobSummaries"] == []
    # The same name is free in the other account.
    theirs.start_transcription_job(TranscriptionJobName=name, LanguageCode="en-US", Media={"MediaFileUri": "s3://media/missing.wav"})
