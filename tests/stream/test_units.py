"""Fast checks of the streaming building blocks (no server)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from amazon_transcribe.auth import Credentials
from amazon_transcribe.eventstream import EventSigner, EventStreamMessageSerializer

from jargonaut.api.sigv4 import Principal, Scope
from jargonaut.asr.audio import decode
from jargonaut.asr.types import Word
from jargonaut.errors import BadRequestError
from jargonaut.stream.chain import ChainError, ChunkChain
from jargonaut.stream.framing import MessageReader, audio_event, exception_event, parse_one, transcript_event
from jargonaut.stream.media import open_decoder
from jargonaut.stream.params import from_headers, parse
from jargonaut.stream.results import Stabilizer, build_items, result
from tests.support.server import EVAL

JFK = EVAL / "general" / "audio" / "jfk.flac"


def test_params_parse_and_echo() -> None:
    p = from_headers({
        "x-amzn-transcribe-language-code": "en-US", "x-amzn-transcribe-sample-rate": "8000",
        "x-amzn-transcribe-media-encoding": "pcm", "x-amzn-transcribe-enable-partial-results-stabilization": "true",
    })
    assert (p.sample_rate, p.stability) == (8000, "high")
    echoed = dict(p.echo_headers())
    assert echoed["x-amzn-transcribe-sample-rate"] == "8000"
    assert echoed["x-amzn-transcribe-partial-results-stability"] == "high"
    assert echoed["x-amzn-transcribe-session-id"] == p.session_id


@pytest.mark.parametrize("values, fragment", [
    ({"language-code": "en-US", "sample-rate": "4000", "media-encoding": "pcm"}, "out of range"),
    ({"language-code": "en-US", "sample-rate": "16000", "media-encoding": "mp3"}, "not supported"),
    ({"language-code": "xx-XX", "sample-rate": "16000", "media-encoding": "pcm"}, "not supported"),
    ({"language-code": "en-US", "sample-rate": "abc", "media-encoding": "pcm"}, "whole number"),
    ({"language-code": "en-US", "sample-rate": "16000", "media-encoding": "pcm", "session-id": "nope"}, "UUID"),
])
def test_params_refused(values: dict[str, str], fragment: str) -> None:
    with pytest.raises(BadRequestError, match=fragment):
        parse(values)


def _signed_envelopes(secret: str, seed: bytes, payloads: list[bytes]) -> list[bytes]:
    signer = EventSigner("transcribe", "us-east-1")
    serializer = EventStreamMessageSerializer()
    prior, out = seed, []
    for payload in payloads:
        headers = signer.sign(payload, prior, Credentials("AKID", secret))
        prior = headers[":chunk-signature"]
        out.append(serializer.serialize(headers, payload))
    return out


def test_chunk_chain_accepts_the_sdk_signatures_and_catches_tampering() -> None:
    seed = bytes(range(32))
    principal = Principal("123456789012", "AKID", "secret")
    scope = Scope("AKID", dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d"), "us-east-1", "transcribe")
    events = [audio_event(b"\x01\x02" * 100), audio_event(b"\x03\x04" * 50), b""]
    envelopes = _signed_envelopes("secret", seed, events)
    chain = ChunkChain(principal, scope, seed.hex())
    reader = MessageReader()
    got = [chain.verify(m) for m in reader.feed(b"".join(envelopes))]
    assert [parse_one(g).payload for g in got[:2]] == [b"\x01\x02" * 100, b"\x03\x04" * 50]
    assert got[2] == b""
    # Same events signed with another secret, or replayed out of order: refused.
    bad = ChunkChain(principal, scope, seed.hex())
    with pytest.raises(ChainError):
        bad.verify(parse_one(_signed_envelopes("other", seed, events)[0]))
    reordered = ChunkChain(principal, scope, seed.hex())
    with pytest.raises(ChainError):
        reordered.verify(parse_one(envelopes[1]))


def test_frames_round_trip() -> None:
    reader = MessageReader()
    data = transcript_event({"Results": []}) + exception_event("BadRequestException", "no")
    messages = list(reader.feed(data[:10])) + list(reader.feed(data[10:]))
    assert [m.headers[":message-type"] for m in messages] == ["event", "exception"]
    assert messages[1].headers[":exception-type"] == "BadRequestException"


def test_items_split_punctuation() -> None:
    words = [Word(0.0, 0.4, " Hello,", 0.9), Word(0.5, 0.9, " world.", 0.8)]
    items = build_items(words, stable_count=1)
    assert [(i["Type"], i["Content"], i["Stable"]) for i in items] == [
        ("pronunciation", "Hello", True), ("punctuation", ",", True),
        ("pronunciation", "world", False), ("punctuation", ".", False),
    ]
    r = result("id", 0.0, 1.0, words, True, None)
    assert r["Alternatives"][0]["Transcript"] == "Hello, world."
    assert "Stable" not in r["Alternatives"][0]["Items"][0]


def _w(text: str, i: int) -> Word:
    return Word(i * 0.5, i * 0.5 + 0.4, " " + text, 0.9)


def test_stabilizer_never_rewrites_locked_words() -> None:
    stab = Stabilizer("high")
    hyps = ["ask", "ask not what", "ask not what your car", "ask knot what your country can",
            "as not what your country can do for you"]
    shown_locked: list[str] = []
    for hyp in hyps:
        shown, stable = stab.update([_w(t, i) for i, t in enumerate(hyp.split())])
        locked = [w.text.strip() for w in shown[:stable]]
        assert locked[: len(shown_locked)] == shown_locked  # a stable prefix only grows
        shown_locked = locked
    final, count = stab.update([_w(t, i) for i, t in enumerate("ask not what your country can do for you".split())], final=True)
    assert [w.text.strip() for w in final[: len(shown_locked)]] == shown_locked
    assert count == len(final)


def test_pcm_and_container_decoders_stream() -> None:
    ref = decode(JFK)
    pcm8 = (decode(JFK, rate=8000) * 32767).astype("<i2").tobytes()
    dec = open_decoder("pcm", 8000)
    got = np.concatenate([dec.feed(pcm8[i:i + 1001]) for i in range(0, len(pcm8), 1001)] + [dec.finish()])
    assert abs(len(got) - len(ref)) < 160
    data = Path(JFK).read_bytes()
    dec = open_decoder("flac", 44100)
    got = np.concatenate([dec.feed(data[i:i + 4096]) for i in range(0, len(data), 4096)] + [dec.finish()])
    assert abs(len(got) - len(ref)) < 160


def test_garbage_flac_is_a_bad_request() -> None:
    dec = open_decoder("flac", 16000)
    dec.feed(b"not a flac stream at all" * 100)
    with pytest.raises(BadRequestError):
        dec.finish()
