"""Streaming with a custom language model (the CLM service's `resolve_for_stream` hook)."""
from __future__ import annotations

import time
import uuid

import numpy as np
import pytest

from jargonaut.asr.audio import decode
from tests.stream.audio import pcm_file
from tests.stream.helpers import cert, final_text, finals, presigned_ws_url, spec, words
from tests.stream.sdk_client import run_in_subprocess
from tests.stream.ws_client import run_ws
from tests.support.clm import create_role, read_policy, trust_policy
from tests.support.media import make_sequence
from tests.support.server import EVAL


@pytest.fixture(scope="module")
def biomed_clm(stream_server, tmp_path_factory) -> str:
    """A COMPLETED WideBand CLM trained on the biomed sentences (skipped if the service lacks CLMs)."""
    client = stream_server.client()
    if not hasattr(client, "create_language_model"):
        pytest.skip("no CLM API")
    tmp = tmp_path_factory.mktemp("clm")
    bucket = stream_server.bucket("stream-clm")
    (bucket / "train").mkdir(parents=True, exist_ok=True)
    (bucket / "train" / "part-1.txt").write_text((EVAL / "biomed-tts" / "train.txt").read_text())
    account = stream_server.credentials["account_id"]
    role = create_role(stream_server.data_dir, tmp, "StreamCLMRole", trust_policy(account), read_policy("stream-clm"))
    name = f"stream-biomed-{uuid.uuid4().hex[:6]}"
    client.create_language_model(
        LanguageCode="en-US", BaseModelName="WideBand", ModelName=name,
        InputDataConfig={"S3Uri": "s3://stream-clm/train/", "DataAccessRoleArn": role},
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        model = client.describe_language_model(ModelName=name)["LanguageModel"]
        if model["ModelStatus"] != "IN_PROGRESS":
            break
        time.sleep(0.5)
    assert model["ModelStatus"] == "COMPLETED", model.get("FailureReason")
    return name


def _sentences(tmp_path, rate: int, count: int = 3) -> tuple[object, str]:
    refs = dict(line.split("\t", 1) for line in (EVAL / "biomed-tts" / "test.tsv").read_text().splitlines() if "\t" in line)
    folder = "wav16" if rate == 16000 else "wav8"
    ids = sorted(refs)[:count]
    pause = np.zeros(rate, np.float32)
    audio = np.concatenate([x for i in ids for x in (decode(EVAL / "biomed-tts" / folder / f"{i}.wav", rate=rate), pause)])
    path = tmp_path / f"biomed{rate}.pcm"
    path.write_bytes((audio * 32767).astype("<i2").tobytes())
    return path, " ".join(refs[i] for i in ids)


@pytest.mark.slow
def test_stream_with_a_custom_language_model(stream_server, biomed_clm, tmp_path) -> None:
    audio, reference = _sentences(tmp_path, 16000)
    out = run_in_subprocess(spec(stream_server, audio, 16000, language_model_name=biomed_clm), cert(stream_server))
    assert out["error"] is None, out["error"]
    assert out["headers"]["language_model_name"] == biomed_clm
    text = words(final_text(out["events"]))
    assert len(text) >= len(words(reference)) // 2, text
    assert {"patient", "warfarin"} <= set(text), " ".join(text)


@pytest.mark.slow
def test_custom_language_model_of_the_other_band_is_refused(stream_server, biomed_clm, tmp_path) -> None:
    audio, _ = _sentences(tmp_path, 8000, count=1)
    out = run_in_subprocess(spec(stream_server, audio, 8000, language_model_name=biomed_clm), cert(stream_server))
    assert out["error"] and out["error"]["type"] == "BadRequestException", out
    assert "narrowband" in out["error"]["message"].lower()
    ws = run_ws(presigned_ws_url(stream_server, {"language-code": "en-US", "media-encoding": "pcm", "sample-rate": "8000",
                                                 "language-model-name": biomed_clm}), audio.read_bytes()[:3200])
    assert ws["exceptions"] and ws["exceptions"][0]["type"] == "BadRequestException"


@pytest.mark.slow
def test_websocket_stream_with_speaker_labels_and_a_custom_language_model(stream_server, biomed_clm, tmp_path) -> None:
    """`show-speaker-label` with a CLM over WebSocket: a biomed sentence (a synthetic voice) then JFK;
    the CLM's words come through, every final item has a Speaker, and the two parts differ."""
    wav, spans = make_sequence([EVAL / "biomed-tts/wav16/test_002.wav", EVAL / "general/audio/jfk.flac"],
                               tmp_path / "biomed-then-jfk.wav")
    audio = pcm_file(wav, 16000, tmp_path / "biomed-then-jfk.pcm")
    (synthetic, man) = [(a + 0.5, b + 0.5) for a, b in spans]  # pcm_file leads with 0.5 s of silence
    url = presigned_ws_url(stream_server, {"language-code": "en-US", "media-encoding": "pcm", "sample-rate": "16000",
                                           "language-model-name": biomed_clm, "show-speaker-label": "true"})
    out = run_ws(url, audio.read_bytes(), bytes_per_second=64000)
    assert out["exceptions"] == []
    assert {"tumors", "mutations"} <= set(words(final_text(out["events"])))
    items = [i for e in finals(out["events"]) for i in e["items"]]
    assert items and all(i["Speaker"].isdigit() for i in items)
    assert all("Speaker" not in i for e in out["events"] if e["partial"] for i in e["items"])

    def inside(span: tuple[float, float], margin: float) -> set[str]:
        return {i["Speaker"] for i in items if i["Type"] == "pronunciation"
                and span[0] + margin <= i["StartTime"] and i["EndTime"] <= span[1] - margin}

    first, second = inside(synthetic, 0.5), inside(man, 1.0)
    assert len(first) == len(second) == 1 and first != second, (first, second)
