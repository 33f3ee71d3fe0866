"""The AWS SDK for JavaScript v3 (@aws-sdk/client-transcribe, -streaming in Node over HTTP/2)."""
from __future__ import annotations

import shutil
import uuid

import numpy as np
import pytest

from jargonaut.asr.audio import decode
from tests.stream.helpers import words
from tests.support.clm import create_role, read_policy, trust_policy
from tests.support.node import run_flow
from tests.support.server import EVAL

JFK_WORDS = {"fellow", "americans", "ask", "not", "what", "your", "country", "can", "do", "for", "you"}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def js_media(server, eval_dir) -> str:
    shutil.copy(eval_dir / "general/audio/jfk.flac", server.bucket("js-media") / "jfk.flac")
    return "s3://js-media/jfk.flac"


@pytest.fixture(scope="module")
def js_clm(server, eval_dir, tmp_path_factory) -> dict:
    """A CLM created, tagged and used by the JavaScript SDK (the CLM flow), for the streaming test too."""
    bucket = server.bucket("js-clm")
    (bucket / "train").mkdir(parents=True, exist_ok=True)
    shutil.copy(eval_dir / "biomed-tts/train.txt", bucket / "train/biomed.txt")
    shutil.copy(eval_dir / "general/audio/jfk.flac", bucket / "jfk.flac")
    account = server.credentials["account_id"]
    role = create_role(server.data_dir, tmp_path_factory.mktemp("js-role"), "JsCLMRole", trust_policy(account),
                       read_policy("js-clm"))
    name = unique("js-biomed")
    out = run_flow(server, "clm", {"model_name": name, "training_uri": "s3://js-clm/train/", "role_arn": role,
                                   "job_name": unique("js-clm-job"), "media_uri": "s3://js-clm/jfk.flac"})
    return {"name": name, "flow": out}


@pytest.mark.slow
def test_js_batch_job_with_tags(server, js_media):
    out = run_flow(server, "job", {"job_name": unique("js-job"), "media_uri": js_media})
    assert "fatal" not in out, out
    assert out["status"] == "COMPLETED", out["failure"]
    assert JFK_WORDS <= set(words(out["transcript"])), out["transcript"]
    assert out["creation_is_date"] is True  # timestamps parse as the SDK's Date
    assert out["tags"] == [{"Key": "team", "Value": "js"}]
    assert out["listed_tags"] == [{"Key": "stage", "Value": "test"}]
    assert out["after_delete"] == "NotFoundException"
    assert {w["protocol"] for w in out["wire"]} == {None} and {w["path"] for w in out["wire"]} == {"/"}  # JSON 1.1


@pytest.mark.slow
def test_js_custom_language_model_flow(js_clm):
    out = js_clm["flow"]
    assert "fatal" not in out, out
    assert out["model_status"] == "COMPLETED", out["failure"]
    assert out["listed"] == [js_clm["name"]]
    assert out["tags"] == [{"Key": "domain", "Value": "biomed"}]
    assert out["job"]["status"] == "COMPLETED", out["job"]["failure"]
    assert {"country", "americans"} <= set(words(out["job"]["transcript"]))


def _biomed_pcm(tmp_path, count: int = 2):
    refs = dict(line.split("\t", 1) for line in (EVAL / "biomed-tts/test.tsv").read_text().splitlines() if "\t" in line)
    ids = sorted(refs)[:count]
    pause = np.zeros(16000, np.float32)
    audio = np.concatenate([x for i in ids for x in (decode(EVAL / "biomed-tts/wav16" / f"{i}.wav"), pause)])
    path = tmp_path / "biomed16.pcm"
    path.write_bytes((audio * 32767).astype("<i2").tobytes())
    return path, " ".join(refs[i] for i in ids)


@pytest.mark.slow
def test_js_streaming_over_http2_with_a_clm(server, js_clm, tmp_path):
    audio, reference = _biomed_pcm(tmp_path)
    out = run_flow(server, "stream", {"audio_path": str(audio), "sample_rate": 16000, "model_name": js_clm["name"]})
    assert out.get("error") is None, out
    assert out["language_model_name"] == js_clm["name"]
    text = words(" ".join(out["finals"]))
    assert len(text) >= len(words(reference)) // 2, (text, reference)


@pytest.mark.slow
def test_js_streaming_in_another_region(server, tmp_path):
    audio = tmp_path / "jfk16.pcm"
    audio.write_bytes((decode(EVAL / "general/audio/jfk.flac") * 32767).astype("<i2").tobytes())
    out = run_flow(server, "stream", {"audio_path": str(audio), "sample_rate": 16000, "region": "us-west-2"})
    assert out.get("error") is None, out
    # Streams cut utterances where the VAD hears pauses; as for the Python SDK's streams
    # (tests/stream/test_http2.py), allow a short utterance to lose a word or two.
    heard = set(words(" ".join(out["finals"])))
    assert len(JFK_WORDS & heard) >= len(JFK_WORDS) - 2, out["finals"]


@pytest.mark.slow
def test_js_batch_job_over_rpc_v2_cbor(server, js_media):
    out = run_flow(server, "job", {"job_name": unique("js-cbor"), "media_uri": js_media, "cbor": True,
                                   "region": "eu-west-1"})
    assert "fatal" not in out, out
    assert {w["path"].split("/operation/")[0] for w in out["wire"]} == {"/service/Transcribe"}
    assert {w["protocol"] for w in out["wire"]} == {"rpc-v2-cbor"}
    assert out["status"] == "COMPLETED", out["failure"]
    assert JFK_WORDS <= set(words(out["transcript"])), out["transcript"]
    assert out["creation_is_date"] is True
    assert out["listed_tags"] == [{"Key": "stage", "Value": "test"}]
    assert out["after_delete"] == "NotFoundException"
