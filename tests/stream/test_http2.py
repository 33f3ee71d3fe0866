"""StartStreamTranscription over HTTP/2 + TLS with the real amazon-transcribe SDK (awscrt)."""
from __future__ import annotations

import pytest

from tests.stream.conftest import STREAM_LIMIT
from tests.stream.helpers import cert, final_text, finals, spec, words
from tests.stream.sdk_client import run_in_subprocess, run_many_in_subprocess

JFK_WORDS = "ask not what your country can do for you ask what you can do for your country".split()


def _check_items(event: dict) -> None:
    items = event["items"]
    assert items, event
    assert all(i["type"] in ("pronunciation", "punctuation") for i in items)
    times = [i["start"] for i in items if i["type"] == "pronunciation"]
    assert times == sorted(times)
    assert all(event["start"] - 0.5 <= i["start"] <= i["end"] <= event["end"] + 0.5 for i in items)
    assert all(0.0 <= i["confidence"] <= 1.0 for i in items if i["type"] == "pronunciation")


@pytest.mark.slow
def test_pcm_stream_gives_partial_and_final_results(stream_server, clips) -> None:
    out = run_in_subprocess(spec(stream_server, clips["jfk16"], 16000, session_id="0f8fad5b-d9cb-469f-a165-70867728950e",
                                  bytes_per_second=64000), cert(stream_server))  # 2x real time: partials even under load
    assert out["error"] is None, out["error"]
    headers = out["headers"]
    assert headers["request_id"] and headers["language_code"] == "en-US"
    assert headers["sample_rate"] == 16000 and headers["media_encoding"] == "pcm"
    assert headers["session_id"] == "0f8fad5b-d9cb-469f-a165-70867728950e"
    events = out["events"]
    assert any(e["partial"] for e in events), "no partial results"
    assert len(finals(events)) >= 2, "one final per utterance expected"
    text = words(final_text(events))
    assert sum(w in text for w in JFK_WORDS) >= len(JFK_WORDS) - 2, text
    for event in finals(events):
        _check_items(event)
    # Partials share the ResultId of their utterance's final, and finals are unique.
    final_ids = [e["id"] for e in finals(events)]
    assert len(set(final_ids)) == len(final_ids)
    assert {e["id"] for e in events if e["partial"]} <= set(final_ids)
    # Times are stream offsets: finals in order, within the 12.5 s of audio.
    starts = [e["start"] for e in finals(events)]
    assert starts == sorted(starts) and finals(events)[-1]["end"] <= 12.6


@pytest.mark.slow
def test_narrowband_8khz(stream_server, clips) -> None:
    out = run_in_subprocess(spec(stream_server, clips["harvard8"], 8000, chunk_bytes=1600), cert(stream_server))
    assert out["error"] is None, out["error"]
    text = words(final_text(out["events"]))
    for expected in ("gold", "ring", "journey", "cat", "beach", "children", "severe", "barn", "bell"):
        assert expected in text, text


@pytest.mark.slow
@pytest.mark.parametrize("clip, encoding, rate", [("jfk_flac", "flac", 16000), ("jfk_opus", "ogg-opus", 48000)])
def test_compressed_encodings(stream_server, clips, clip, encoding, rate) -> None:
    out = run_in_subprocess(spec(stream_server, clips[clip], rate, media_encoding=encoding, chunk_bytes=2048), cert(stream_server))
    assert out["error"] is None, out["error"]
    assert out["headers"]["media_encoding"] == encoding
    text = words(final_text(out["events"]))
    assert sum(w in text for w in JFK_WORDS) >= len(JFK_WORDS) - 3, text


@pytest.mark.slow
def test_stabilization_marks_a_prefix_that_never_changes(stream_server, clips) -> None:
    out = run_in_subprocess(
        spec(stream_server, clips["jfk16"], 16000, enable_partial_results_stabilization=True,
             partial_results_stability="high", bytes_per_second=64000),  # 2x real time: several partials
        cert(stream_server),
    )
    assert out["error"] is None, out["error"]
    assert out["headers"]["stabilization"] is True and out["headers"]["stability"] == "high"
    by_id: dict[str, list[dict]] = {}
    for event in out["events"]:
        by_id.setdefault(event["id"], []).append(event)
        assert all(i["stable"] is not None for i in event["items"])
    saw_stable = False
    for events in by_id.values():
        locked: list[str] = []
        for event in events:
            stable = [i["content"] for i in event["items"] if i["stable"]]
            saw_stable |= bool(stable) and event["partial"]
            contents = [i["content"] for i in event["items"]]
            assert contents[: len(locked)] == locked, (locked, contents)
            locked = stable if event["partial"] else locked
        assert not events[-1]["partial"] and all(i["stable"] for i in events[-1]["items"])
    assert saw_stable


@pytest.mark.slow
def test_real_time_results_arrive_while_audio_is_still_sent(stream_server, clips) -> None:
    out = run_in_subprocess(spec(stream_server, clips["jfk16"], 16000, bytes_per_second=32000), cert(stream_server))
    assert out["error"] is None, out["error"]
    early = [e for e in out["events"] if e["t"] < out["sent_at"] - 1.0]
    assert any(e["partial"] for e in early) and any(not e["partial"] for e in early), out["events"]


def _start_error(out: dict) -> dict:
    assert out["error"] is not None and out["error"]["phase"] == "start", out
    return out["error"]


def test_wrong_secret_is_refused(stream_server, clips) -> None:
    bad = spec(stream_server, clips["jfk16"], 16000, secret_access_key="x" * 40)
    error = _start_error(run_in_subprocess(bad, cert(stream_server)))
    assert "signature" in error["message"].lower()


def test_unknown_access_key_is_refused(stream_server, clips) -> None:
    bad = spec(stream_server, clips["jfk16"], 16000, access_key_id="AKIANOTAREALKEY00000")
    error = _start_error(run_in_subprocess(bad, cert(stream_server)))
    assert "security token" in error["message"].lower()


@pytest.mark.parametrize("extra, fragment", [
    ({"sample_rate": 4000}, "out of range"),
    ({"media_encoding": "mp3"}, "not supported"),
    ({"language_model_name": "no-such-model"}, "language model"),
])
def test_bad_requests_fail_before_the_stream(stream_server, clips, extra, fragment) -> None:
    error = _start_error(run_in_subprocess({**spec(stream_server, clips["jfk16"], 16000), **extra}, cert(stream_server)))
    assert error["type"] == "BadRequestException", error
    assert fragment in error["message"].lower()


def test_broken_chunk_signature_ends_the_stream(stream_server, clips) -> None:
    out = run_in_subprocess(spec(stream_server, clips["jfk16"], 16000, tamper_event=3), cert(stream_server))
    assert out["error"] is not None and out["error"]["phase"] == "stream", out
    assert out["error"]["type"] == "BadRequestException"
    assert "signature" in out["error"]["message"].lower()


@pytest.mark.parametrize("date_ms", [2**62, -(2**63), 253402300800000], ids=["int64-max", "int64-min", "year-10000"])
def test_event_date_out_of_range_is_a_bad_request(stream_server, clips, date_ms) -> None:
    out = run_in_subprocess(spec(stream_server, clips["jfk16"], 16000, date_event=2, date_ms=date_ms), cert(stream_server))
    assert out["error"] is not None and out["error"]["phase"] == "stream", out
    assert out["error"]["type"] == "BadRequestException", out["error"]
    assert "date" in out["error"]["message"].lower()


@pytest.mark.slow
def test_concurrent_stream_limit(stream_server, clips) -> None:
    paced = spec(stream_server, clips["jfk8"], 8000, bytes_per_second=16000 * 2, chunk_bytes=1600)
    results = run_many_in_subprocess([paced] * (STREAM_LIMIT + 1), cert(stream_server))
    errors = [r["error"] for r in results if r["error"]]
    assert len(errors) == 1, results
    assert errors[0]["type"] == "LimitExceededException"
    assert all(r["events"] for r in results if not r["error"])
