"""Deleting a running job cancels it cleanly; what a SIGKILL leaves behind is removed on start (issue 17)."""
from __future__ import annotations

import shutil
import signal
import time

import pytest
from botocore.exceptions import ClientError

from tests.support.clm import create_role, read_policy, trust_policy
from tests.support.server import RunningServer, make_server


def wait_for_status(client, name: str, wanted: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while client.get_transcription_job(TranscriptionJobName=name)["TranscriptionJob"]["TranscriptionJobStatus"] != wanted:
        assert time.monotonic() < deadline, f"{name} never became {wanted}"
        time.sleep(0.02)


def wait_for_model(client, name: str, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while (model := client.describe_language_model(ModelName=name)["LanguageModel"])["ModelStatus"] == "IN_PROGRESS":
        assert time.monotonic() < deadline
        time.sleep(0.3)
    return model


def artefacts(server: RunningServer) -> list:
    """The CLM versions kept: the model's own, plus any a queued or running job pinned."""
    return list((server.data_dir / "clm").rglob("*.clm"))


def attempt_files(server: RunningServer) -> list:
    """Results written by jobs but not (yet) published or cleaned up."""
    return [p for p in (server.data_dir / "attempts").rglob("*") if p.is_file()]


@pytest.fixture(scope="module")
def clm_server(tmp_path_factory, eval_dir):
    """A server of this module's own (it is SIGKILLed) with a trained CLM and some audio."""
    tmp = tmp_path_factory.mktemp("cancel")
    server = make_server(tmp).start()
    try:
        corpus = server.bucket("cancel-corpus")
        (corpus / "train.txt").write_text((eval_dir / "biomed-tts/train.txt").read_text())
        media = server.bucket("cancel-media")
        shutil.copy(eval_dir / "general/audio/jfk.flac", media / "jfk.flac")
        shutil.copy(eval_dir / "medical/audio/CAR0001.mp3", media / "long.mp3")  # ten minutes of speech
        role = create_role(server.data_dir, tmp, "CancelRole", trust_policy(server.credentials["account_id"]),
                           read_policy("cancel-corpus"))
        client = server.client()
        client.create_language_model(LanguageCode="en-US", BaseModelName="WideBand", ModelName="biomed",
                                     InputDataConfig={"S3Uri": "s3://cancel-corpus/", "DataAccessRoleArn": role})
        assert wait_for_model(client, "biomed")["ModelStatus"] == "COMPLETED"
        server.role = role  # type: ignore[attr-defined]
        yield server
    finally:
        server.stop()


@pytest.mark.slow
def test_deleting_a_running_job_leaves_nothing(clm_server):
    server, client = clm_server, clm_server.client()
    account = server.credentials["account_id"]
    for name, output in (("cancel-service", {}), ("cancel-bucket", {"OutputBucketName": "cancel-media"})):
        client.start_transcription_job(TranscriptionJobName=name, LanguageCode="en-US",
                                       Media={"MediaFileUri": "s3://cancel-media/jfk.flac"},
                                       ModelSettings={"LanguageModelName": "biomed"}, **output)
        wait_for_status(client, name, "IN_PROGRESS")
        client.delete_transcription_job(TranscriptionJobName=name)
        with pytest.raises(ClientError) as gone:
            client.get_transcription_job(TranscriptionJobName=name)
        assert gone.value.response["Error"]["Code"] == "NotFoundException"
        # One worker: when the next job completes, the cancelled one's worker has finished.
        after = f"after-{name}"
        client.start_transcription_job(TranscriptionJobName=after, LanguageCode="en-US",
                                       Media={"MediaFileUri": "s3://cancel-media/jfk.flac"})
        assert server.wait_for_job(client, after)["TranscriptionJobStatus"] == "COMPLETED"
        assert not (server.data_dir / "transcripts" / account / f"{name}.json").exists()
        assert not (server.data_dir / "buckets" / "cancel-media" / f"{name}.json").exists()
        assert not attempt_files(server), "the cancelled job left an unpublished result"
        assert len(artefacts(server)) == 1, "the model's artefact is not kept exactly once"
    log = server.log_path.read_text()
    assert "Traceback" not in log, log[-3000:]
    # The name is free and usable again.
    client.start_transcription_job(TranscriptionJobName="cancel-service", LanguageCode="en-US",
                                   Media={"MediaFileUri": "s3://cancel-media/jfk.flac"}, ModelSettings={"LanguageModelName": "biomed"})
    assert server.wait_for_job(client, "cancel-service")["TranscriptionJobStatus"] == "COMPLETED"
    assert len(artefacts(server)) == 1 and not attempt_files(server)


@pytest.mark.slow
def test_job_interrupted_too_often_releases_its_model_link(clm_server):
    server, client = clm_server, clm_server.client()
    client.start_transcription_job(TranscriptionJobName="crashes", LanguageCode="en-US",
                                   Media={"MediaFileUri": "s3://cancel-media/long.mp3"}, ModelSettings={"LanguageModelName": "biomed"})
    for _ in range(3):  # each claim counts an attempt; the fourth is refused
        wait_for_status(client, "crashes", "IN_PROGRESS")
        assert len(artefacts(server)) == 1
        server.stop(signal.SIGKILL)
        client = server.start().client()
    job = server.wait_for_job(client, "crashes")
    assert job["TranscriptionJobStatus"] == "FAILED" and "interrupted too many times" in job["FailureReason"]
    assert len(artefacts(server)) == 1, "the model's artefact is not kept exactly once"
    assert not list(server.data_dir.glob("jargonaut-job-*")), "a killed job's scratch directory was left behind"


@pytest.mark.slow
def test_killed_training_leaves_no_scratch_directories(clm_server, eval_dir):
    server, client = clm_server, clm_server.client()
    text = (eval_dir / "medical/lm-text/aci-bench-dialogues.txt").read_text()
    (server.bucket("cancel-corpus") / "big" ).mkdir(exist_ok=True)
    (server.bucket("cancel-corpus") / "big" / "big.txt").write_text(text * 5)
    client.create_language_model(LanguageCode="en-US", BaseModelName="WideBand", ModelName="killed",
                                 InputDataConfig={"S3Uri": "s3://cancel-corpus/big/", "DataAccessRoleArn": server.role})
    deadline = time.monotonic() + 30
    while not (scratch := list(server.data_dir.glob("jargonaut-clm-*"))):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    # The trainer spills its counts inside that directory, not in /tmp.
    deadline = time.monotonic() + 60
    while not [p for p in scratch[0].iterdir() if p.name.startswith("clm-")]:
        assert time.monotonic() < deadline, "the trainer's spill directory is not under the data directory"
        time.sleep(0.05)
    server.stop(signal.SIGKILL)
    client = server.start().client()
    assert not any(path.exists() for path in scratch), "a killed training's scratch directory survived the restart"
    assert client.describe_language_model(ModelName="killed")["LanguageModel"]["ModelStatus"] == "IN_PROGRESS"
    assert wait_for_model(client, "killed")["ModelStatus"] == "COMPLETED"
    assert not list(server.data_dir.glob("jargonaut-clm-*"))
