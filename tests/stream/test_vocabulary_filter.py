"""Vocabulary filters and custom vocabularies on streams (issue 18): `vocabulary-filter-name` /
`-method` and `vocabulary-name` through the WebSocket URL and the streaming SDK."""
from __future__ import annotations

import time
import uuid

import pytest

from tests.stream.audio import pcm_file
from tests.stream.helpers import cert, final_text, presigned_ws_url, spec, words
from tests.stream.sdk_client import run_in_subprocess
from tests.stream.ws_client import run_ws
from tests.support.server import EVAL

PARAMS = {"language-code": "en-US", "media-encoding": "pcm", "sample-rate": "16000"}


@pytest.fixture(scope="module")
def jfk_filter(stream_server) -> str:
    name = f"stream-filter-{uuid.uuid4().hex[:8]}"
    stream_server.client().create_vocabulary_filter(VocabularyFilterName=name, LanguageCode="en-US",
                                                    Words=["Country", "americans"])
    return name


def _pronounced(events) -> list[dict]:
    return [i for e in events for i in e["items"] if i["Type"] == "pronunciation"]


@pytest.mark.slow
@pytest.mark.parametrize("method", ["mask", "tag"])
def test_websocket_stream_with_a_vocabulary_filter(stream_server, clips, jfk_filter, method) -> None:
    url = presigned_ws_url(stream_server, {**PARAMS, "vocabulary-filter-name": jfk_filter, "vocabulary-filter-method": method})
    out = run_ws(url, clips["jfk16"].read_bytes(), cert=cert(stream_server), bytes_per_second=96000)
    assert out["exceptions"] == []
    items = _pronounced(out["events"])  # partials and finals
    matched = [i for i in items if i["VocabularyFilterMatch"]]
    assert matched and all(i["VocabularyFilterMatch"] is False for i in items if i not in matched)
    text = words(final_text(out["events"]))
    assert "ask" in text
    if method == "mask":
        assert {i["Content"] for i in matched} == {"***"}
        assert "country" not in text and "americans" not in text
        assert not any(i["Content"].lower() in ("country", "americans") for i in items)
    else:
        assert {i["Content"].lower() for i in matched} <= {"country", "americans"} and "country" in text


@pytest.mark.slow
def test_sdk_stream_removes_filtered_words(stream_server, clips, jfk_filter) -> None:
    out = run_in_subprocess(spec(stream_server, clips["jfk16"], 16000, vocab_filter_name=jfk_filter,
                                 vocab_filter_method="remove", bytes_per_second=96000), cert(stream_server))
    assert out["error"] is None, out["error"]
    assert out["headers"]["vocab_filter_name"] == jfk_filter
    assert out["headers"]["vocab_filter_method"] == "remove"
    text = words(final_text(out["events"]))
    assert "ask" in text and "country" not in text and "americans" not in text, text


@pytest.mark.parametrize("extra, fragment", [
    ({"vocabulary-filter-name": "no-such-filter"}, "no-such-filter"),
    ({"vocabulary-filter-name": "x", "vocabulary-filter-method": "blur"}, "mask, remove or tag"),
    ({"vocabulary-name": "no-such-vocabulary"}, "no-such-vocabulary"),
    ({"show-speaker-label": "maybe"}, "show-speaker-label"),
    ({"enable-channel-identification": "true"}, "enable-channel-identification"),
])
def test_stream_filter_errors_are_refused(stream_server, clips, extra, fragment) -> None:
    """Bad filter parameters come back as one BadRequestException frame, as other bad parameters do."""
    out = run_ws(presigned_ws_url(stream_server, {**PARAMS, **extra}), clips["jfk16"].read_bytes()[:6400])
    assert len(out["exceptions"]) == 1, out
    assert out["exceptions"][0]["type"] == "BadRequestException"
    assert fragment in out["exceptions"][0]["message"]


@pytest.mark.slow
def test_sdk_stream_with_a_custom_vocabulary(stream_server, tmp_path) -> None:
    """The drug names Whisper alone splits ("Pemberla's U-Mab") come out as the vocabulary writes them."""
    client = stream_server.client()
    name = f"stream-vocab-{uuid.uuid4().hex[:8]}"
    client.create_vocabulary(VocabularyName=name, LanguageCode="en-US", Phrases=["pembrolizumab", "nivolumab"])
    deadline = time.monotonic() + 60
    while client.get_vocabulary(VocabularyName=name)["VocabularyState"] == "PENDING":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    audio = pcm_file(EVAL / "biomed-tts/wav16/test_000.wav", 16000, tmp_path / "biomed.pcm")
    out = run_in_subprocess(spec(stream_server, audio, 16000, vocabulary_name=name, bytes_per_second=64000),
                            cert(stream_server))
    assert out["error"] is None, out["error"]
    text = final_text(out["events"])
    assert "pembrolizumab" in text and "nivolumab" in text, text
