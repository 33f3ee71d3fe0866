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


@pytest.mark.slow
def test_sigkill_mid_training_restarts_cleanly(fresh_server, eval_dir, tmp_path):
    from tests.support.clm import create_role, read_policy, trust_policy

    server = fresh_server.start()
    bucket = server.bucket("corpus")
    text = (eval_dir / "medical/lm-text/aci-bench-dialogues.txt").read_text()  # clean UTF-8 (osce has UTF-16 runs)
    (bucket / "big.txt").write_text(text * 5)
    role = create_role(server.data_dir, tmp_path, "RestartRole", trust_policy(server.credentials["account_id"]), read_policy("corpus"))
    client = server.client()
    client.create_language_model(LanguageCode="en-US", BaseModelName="WideBand", ModelName="interrupted",
                                 InputDataConfig={"S3Uri": "s3://corpus/", "DataAccessRoleArn": role})
    deadline = time.monotonic() + 30
    while not list(server.data_dir.glob("jargonaut-clm-*")):  # training has begun: its work dir exists
        assert time.monotonic() < deadline
        time.sleep(0.05)
    server.stop(signal.SIGKILL)

    server.start()
    client = server.client()
    resumed = client.describe_language_model(ModelName="interrupted")["LanguageModel"]
    assert resumed["ModelStatus"] == "IN_PROGRESS", resumed.get("FailureReason")
    deadline = time.monotonic() + 300
    while (model := client.describe_language_model(ModelName="interrupted")["LanguageModel"])["ModelStatus"] == "IN_PROGRESS":
        assert time.monotonic() < deadline
        time.sleep(0.5)
    assert model["ModelStatus"] == "COMPLETED", model.get("FailureReason")
    assert len(list((server.data_dir / "clm").rglob("interrupted-*.clm"))) == 1


@pytest.mark.slow
def test_pending_job_limit_and_prompt_shutdown(tmp_path, eval_dir):
    from botocore.exceptions import ClientError

    from tests.support.server import make_server

    server = make_server(tmp_path, JARGONAUT_MAX_PENDING_JOBS="1").start()
    try:
        bucket = server.bucket("media")
        shutil.copy(eval_dir / "medical/audio/CAR0001.mp3", bucket / "long.mp3")  # ten minutes of speech
        client = server.client()
        client.start_transcription_job(TranscriptionJobName="long", LanguageCode="en-US", Media={"MediaFileUri": "s3://media/long.mp3"})
        with pytest.raises(ClientError) as limited:
            client.start_transcription_job(TranscriptionJobName="second", LanguageCode="en-US", Media={"MediaFileUri": "s3://media/long.mp3"})
        assert limited.value.response["Error"]["Code"] == "LimitExceededException"
        assert limited.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
        t0 = time.monotonic()
        server.stop()  # SIGTERM while the long job runs: the server exits without waiting for it
        assert time.monotonic() - t0 < 10
        server.env["JARGONAUT_MAX_PENDING_JOBS"] = "5"
        server.start()
        status = server.client().get_transcription_job(TranscriptionJobName="long")["TranscriptionJob"]["TranscriptionJobStatus"]
        assert status in ("QUEUED", "IN_PROGRESS")
    finally:
        server.stop(signal.SIGKILL)
