"""The AWS CLI (`aws --endpoint-url`) drives the server exactly as in the README."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest


def aws(server, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    creds = server.credentials
    env = dict(os.environ)
    env.update({
        "AWS_ACCESS_KEY_ID": creds["access_key_id"], "AWS_SECRET_ACCESS_KEY": creds["secret_access_key"],
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_PAGER": "",
    })
    cli = Path(sys.executable).with_name("aws")
    result = subprocess.run(
        [str(cli), "--endpoint-url", server.endpoint, "--output", "json", "transcribe", *args],
        env=env, capture_output=True, text=True, timeout=60,
    )
    if check and result.returncode != 0:
        raise AssertionError(result.stderr)
    return result


@pytest.mark.slow
def test_cli_job_lifecycle(server, eval_dir, tmp_path):
    bucket = server.bucket("cli-media")
    shutil.copy(eval_dir / "general/audio/jfk.flac", bucket / "jfk.flac")
    name = f"cli-{uuid.uuid4().hex[:8]}"
    started = json.loads(aws(server, "start-transcription-job", "--transcription-job-name", name,
                             "--language-code", "en-US", "--media-format", "flac",
                             "--media", "MediaFileUri=s3://cli-media/jfk.flac").stdout)
    assert started["TranscriptionJob"]["TranscriptionJobName"] == name
    for _ in range(120):
        job = json.loads(aws(server, "get-transcription-job", "--transcription-job-name", name).stdout)["TranscriptionJob"]
        if job["TranscriptionJobStatus"] in ("COMPLETED", "FAILED"):
            break
        time.sleep(0.5)
    assert job["TranscriptionJobStatus"] == "COMPLETED", job
    listed = json.loads(aws(server, "list-transcription-jobs", "--job-name-contains", name).stdout)
    assert [s["TranscriptionJobName"] for s in listed["TranscriptionJobSummaries"]] == [name]
    # --cli-input-json works as well
    request = tmp_path / "job.json"
    request.write_text(json.dumps({"TranscriptionJobName": name + "-json", "LanguageCode": "en-US",
                                   "Media": {"MediaFileUri": "s3://cli-media/jfk.flac"}}))
    aws(server, "start-transcription-job", "--cli-input-json", f"file://{request}")
    aws(server, "delete-transcription-job", "--transcription-job-name", name)
    missing = aws(server, "get-transcription-job", "--transcription-job-name", name, check=False)
    assert missing.returncode != 0 and "NotFoundException" in missing.stderr
    conflict = aws(server, "start-transcription-job", "--transcription-job-name", name + "-json",
                   "--language-code", "en-US", "--media", "MediaFileUri=s3://cli-media/jfk.flac", check=False)
    assert conflict.returncode != 0 and "ConflictException" in conflict.stderr
