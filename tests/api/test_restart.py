"""Restart safety: SIGKILL mid-job, restart, every job finishes and nothing is half-written."""
from __future__ import annotations

import json
import shutil
import signal
import time

import pytest


@pytest.mark.slow
def test_sigkill_mid_job_resumes_everything(fresh_server, eval_dir):
    server = fresh_server.start()
    bucket = server.bucket("media")
    out = server.bucket("out")
    shutil.copy(eval_dir / "general/audio/jfk.flac", bucket / "jfk.flac")
    client = server.client()
    names = [f"restart-{i}" for i in range(3)]
    for name in names:
        client.start_transcription_job(
            TranscriptionJobName=name, LanguageCode="en-US", Media={"MediaFileUri": "s3://media/jfk.flac"},
            OutputBucketName="out",
        )
    deadline = time.monotonic() + 60
    while client.get_transcription_job(TranscriptionJobName=names[0])["TranscriptionJob"]["TranscriptionJobStatus"] != "IN_PROGRESS":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    server.stop(signal.SIGKILL)

    server.start()
    client = server.client()
    statuses = [client.get_transcription_job(TranscriptionJobName=n)["TranscriptionJob"]["TranscriptionJobStatus"] for n in names]
    assert set(statuses) <= {"QUEUED", "IN_PROGRESS", "COMPLETED"}
    for name in names:
        job = server.wait_for_job(client, name)
        assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
        body = json.loads((out / f"{name}.json").read_text())
        assert body["jobName"] == name
    assert not list(out.glob(".*.tmp")), "a temporary file was left behind"
