"""The Whisper base model (multilingual, from PyPI) through the API: jobs and streams, with
and without a CLM, and CLMs built on the older tiny.en base model offered an upgrade."""
from __future__ import annotations

import json
import re
import shutil
import urllib.request
import uuid

import pytest

from tests.stream.audio import pcm_file
from tests.stream.helpers import cert, final_text, spec, words
from tests.stream.sdk_client import run_in_subprocess
from tests.support.clm import create_role, read_policy, trust_policy, wait_for_model
from tests.support.server import RunningServer, make_server

pytestmark = pytest.mark.slow
BIOMED_CLIP = "test_002"  # "Olaparib works best in tumors with BRCA2 mutations."


def _train(server: RunningServer, eval_dir, tmp_path, name: str) -> dict:
    bucket = server.bucket("base-clm")
    shutil.copy(eval_dir / "biomed-tts" / "train.txt", bucket / "train.txt")
    account = server.credentials["account_id"]
    role = create_role(server.data_dir, tmp_path, f"Role{uuid.uuid4().hex[:6]}", trust_policy(account),
                       read_policy("base-clm"))
    server.client().create_language_model(
        LanguageCode="en-US", BaseModelName="WideBand", ModelName=name,
        InputDataConfig={"S3Uri": "s3://base-clm/", "DataAccessRoleArn": role})
    return wait_for_model(server.client(), name)


def _job_text(server: RunningServer, source, language_model: str | None = None) -> str:
    client = server.client()
    shutil.copy(source, server.bucket("base-media") / source.name)
    name = f"base-{uuid.uuid4().hex[:8]}"
    extra = {"ModelSettings": {"LanguageModelName": language_model}} if language_model else {}
    client.start_transcription_job(TranscriptionJobName=name, LanguageCode="en-US",
                                   Media={"MediaFileUri": f"s3://base-media/{source.name}"}, **extra)
    job = server.wait_for_job(client, name, timeout=600)
    assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
    body = json.loads(urllib.request.urlopen(job["Transcript"]["TranscriptFileUri"]).read())
    return body["results"]["transcripts"][0]["transcript"]


def _keeps_casing(text: str) -> bool:
    """Whisper's casing and punctuation: a capital at the start and after each sentence end,
    the proper noun capitalised, the transcript ends a sentence."""
    sentences = [s for s in re.split(r"(?<=[.?!])\s+", text.strip()) if s]
    return (bool(sentences) and all(s[0].isupper() for s in sentences) and "Americans" in text
            and text.rstrip()[-1] in ".?!")


@pytest.fixture(scope="module")
def base_server(tmp_path_factory) -> RunningServer:
    srv = make_server(tmp_path_factory.mktemp("base"), JARGONAUT_WIDEBAND_MODEL="whisper-base").start(timeout=180)
    yield srv
    srv.stop()


def test_base_model_is_installed_once_and_verified(base_server) -> None:
    from jargonaut.asr.model_data import WHISPER_BASE_SHA256, sha256_of

    model_dir = base_server.data_dir / "models" / "whisper-base"
    assert sha256_of(model_dir / "model.bin") == WHISPER_BASE_SHA256
    assert {p.name for p in model_dir.iterdir()} == {"model.bin", "config.json", "tokenizer.json", "vocabulary.txt"}


def test_jobs_and_streams_with_and_without_a_clm(base_server, eval_dir, tmp_path) -> None:
    model = _train(base_server, eval_dir, tmp_path, "base-biomed")
    assert model["ModelStatus"] == "COMPLETED", model.get("FailureReason")
    assert model["UpgradeAvailability"] is False
    jfk = eval_dir / "general" / "audio" / "jfk.flac"
    plain = _job_text(base_server, jfk)
    assert "ask not what your country can do for you" in plain.lower()
    assert _keeps_casing(plain), plain
    fused_jfk = _job_text(base_server, jfk, "base-biomed")  # off-domain: the CLM must not flatten it
    assert "ask not what your country can do for you" in fused_jfk.lower()
    assert _keeps_casing(fused_jfk), fused_jfk
    biomed = eval_dir / "biomed-tts" / "wav16" / f"{BIOMED_CLIP}.wav"
    assert "olaparib" not in _job_text(base_server, biomed).lower()
    assert "olaparib" in _job_text(base_server, biomed, "base-biomed").lower()

    stream = run_in_subprocess(spec(base_server, pcm_file(jfk, 16000, tmp_path / "jfk.pcm"), 16000), cert(base_server))
    assert stream["error"] is None, stream["error"]
    assert {"ask", "country", "americans"} <= set(words(final_text(stream["events"])))
    jfk_fused = run_in_subprocess(spec(base_server, pcm_file(jfk, 16000, tmp_path / "jfk.pcm"), 16000,
                                       language_model_name="base-biomed"), cert(base_server))
    assert jfk_fused["error"] is None, jfk_fused["error"]
    fused_stream = final_text(jfk_fused["events"])
    assert {"ask", "country", "americans"} <= set(words(fused_stream))
    assert fused_stream[0].isupper() and "Americans" in fused_stream, fused_stream
    clip = pcm_file(biomed, 16000, tmp_path / "biomed.pcm")
    fused = run_in_subprocess(spec(base_server, clip, 16000, language_model_name="base-biomed"), cert(base_server))
    assert fused["error"] is None, fused["error"]
    assert "olaparib" in words(final_text(fused["events"]))


def test_clm_on_tiny_en_offered_an_upgrade_on_base(fresh_server, eval_dir, tmp_path) -> None:
    """Moving WideBand up the ladder is a new base model version; a CLM built on tiny.en
    still transcribes (its words fused: its token model numbers another tokenizer's ids)."""
    server = fresh_server.start()
    assert _train(server, eval_dir, tmp_path, "on-tiny")["UpgradeAvailability"] is False
    server.stop()
    server.env["JARGONAUT_WIDEBAND_MODEL"] = "whisper-base"
    server.start(timeout=180)
    model = server.client().describe_language_model(ModelName="on-tiny")["LanguageModel"]
    assert model["UpgradeAvailability"] is True
    text = _job_text(server, eval_dir / "general" / "audio" / "jfk.flac", "on-tiny")
    assert "what your country can do" in text.lower()
