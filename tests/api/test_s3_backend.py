"""The S3 backend against a real S3 protocol server (moto's ThreadedMotoServer)."""
from __future__ import annotations

import json

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.support.server import free_port, make_server


@pytest.fixture
def s3_endpoint():
    port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    moto.start()
    yield f"http://127.0.0.1:{port}"
    moto.stop()


@pytest.mark.slow
def test_jobs_read_and_write_s3(tmp_path, s3_endpoint, eval_dir):
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    s3.create_bucket(Bucket="audio-in")
    s3.create_bucket(Bucket="audio-out")
    s3.upload_file(str(eval_dir / "general/audio/jfk.flac"), "audio-in", "calls/jfk.flac")
    server = make_server(
        tmp_path, JARGONAUT_S3_ENDPOINT_URL=s3_endpoint,
        JARGONAUT_S3_ACCESS_KEY_ID="testing", JARGONAUT_S3_SECRET_ACCESS_KEY="testing",
    ).start()
    try:
        client = server.client()
        client.start_transcription_job(
            TranscriptionJobName="s3-job", LanguageCode="en-US", Media={"MediaFileUri": "s3://audio-in/calls/jfk.flac"},
            OutputBucketName="audio-out", OutputKey="results/",
        )
        client.start_transcription_job(
            TranscriptionJobName="s3-missing", LanguageCode="en-US", Media={"MediaFileUri": "s3://audio-in/calls/none.flac"},
            OutputBucketName="audio-out",
        )
        client.start_transcription_job(
            TranscriptionJobName="s3-no-output-bucket", LanguageCode="en-US", Media={"MediaFileUri": "s3://audio-in/calls/jfk.flac"},
            OutputBucketName="does-not-exist",
        )
        job = server.wait_for_job(client, "s3-job")
        assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
        assert job["Transcript"]["TranscriptFileUri"] == f"{s3_endpoint}/audio-out/results/s3-job.json"
        body = json.loads(s3.get_object(Bucket="audio-out", Key="results/s3-job.json")["Body"].read())
        assert "ask not what your country" in body["results"]["transcripts"][0]["transcript"].lower()
        missing = server.wait_for_job(client, "s3-missing")
        assert missing["TranscriptionJobStatus"] == "FAILED" and "could not be found" in missing["FailureReason"]
        no_bucket = server.wait_for_job(client, "s3-no-output-bucket")
        assert no_bucket["TranscriptionJobStatus"] == "FAILED" and "does-not-exist" in no_bucket["FailureReason"]
    finally:
        server.stop()
