"""The S3 backend against a real S3 protocol server (moto's ThreadedMotoServer)."""
from __future__ import annotations

import json
import subprocess
import sys

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.support.server import REPO, make_server


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
        # Amazon checks the output bucket at StartTranscriptionJob.
        with pytest.raises(ClientError) as no_bucket:
            client.start_transcription_job(
                TranscriptionJobName="s3-no-output-bucket", LanguageCode="en-US", Media={"MediaFileUri": "s3://audio-in/calls/jfk.flac"},
                OutputBucketName="does-not-exist",
            )
        assert no_bucket.value.response["Error"]["Code"] == "BadRequestException"
        assert "does-not-exist" in no_bucket.value.response["Error"]["Message"]
        job = server.wait_for_job(client, "s3-job")
        assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
        assert job["Transcript"]["TranscriptFileUri"] == f"{s3_endpoint}/audio-out/results/s3-job.json"
        body = json.loads(s3.get_object(Bucket="audio-out", Key="results/s3-job.json")["Body"].read())
        assert "ask not what your country" in body["results"]["transcripts"][0]["transcript"].lower()
        missing = server.wait_for_job(client, "s3-missing")
        assert missing["TranscriptionJobStatus"] == "FAILED" and "could not be found" in missing["FailureReason"]

        # Ownership applies to S3 bucket names too: the buckets made outside Jargonaut went to the
        # only account; a second account neither reads them nor writes to them.
        other = json.loads(subprocess.run(
            [sys.executable, "-m", "jargonaut.cli", "accounts", "--data-dir", str(server.data_dir), "create"],
            env=server.env, cwd=REPO, check=True, capture_output=True, text=True).stdout)
        theirs = server.client(other)
        theirs.start_transcription_job(TranscriptionJobName="s3-foreign", LanguageCode="en-US",
                                       Media={"MediaFileUri": "s3://audio-in/calls/jfk.flac"})
        foreign = server.wait_for_job(theirs, "s3-foreign")
        assert foreign["TranscriptionJobStatus"] == "FAILED" and "another account" in foreign["FailureReason"]
        with pytest.raises(ClientError) as denied:
            theirs.start_transcription_job(TranscriptionJobName="s3-foreign-out", LanguageCode="en-US",
                                           Media={"MediaFileUri": "s3://audio-in/calls/jfk.flac"}, OutputBucketName="audio-out")
        assert "write permission" in denied.value.response["Error"]["Message"]
        # `jargonaut buckets create` makes the bucket on the S3 endpoint for its owner.
        subprocess.run([sys.executable, "-m", "jargonaut.cli", "buckets", "--data-dir", str(server.data_dir), "create",
                        "--name", "theirs-out", "--account", other["account_id"]],
                       env=server.env, cwd=REPO, check=True, capture_output=True, text=True)
        s3.head_bucket(Bucket="theirs-out")
        listed = subprocess.run([sys.executable, "-m", "jargonaut.cli", "buckets", "--data-dir", str(server.data_dir), "list"],
                                env=server.env, cwd=REPO, check=True, capture_output=True, text=True).stdout
        owner = server.credentials["account_id"]
        assert f"audio-in\t{owner}" in listed and f"theirs-out\t{other['account_id']}" in listed
    finally:
        server.stop()
