"""Vocabulary filters on streams (issue 18): the `vocabulary-filter-name` / `-method` parameters
through the WebSocket URL and the streaming SDK, filtering final and partial results alike."""
from __future__ import annotations

import uuid

import pytest
from tests.stream.helpers import cert, final_text, presigned_ws_url, spec, words
from tests.stream.sdk_client import run_in_subprocess
from tests.stream.ws_client import run_ws

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
    ({"vocabulary-name": "anything"}, "vocabulary-name"),
])
def test_stream_filter_errors_are_refused(stream_server, clips, extra, fragment) -> None:
    """Bad filter parameters come back as one BadRequestException frame, as other bad parameters do."""
    out = run_ws(presigned_ws_url(stream_server, {**PARAMS, **extra}), clips["jfk16"].read_bytes()[:6400])
    assert len(out["exceptions"]) == 1, out
    assert out["exceptions"][0]["type"] == "BadRequestException"
    assert fragment in out["exceptions"][0]["message"]
