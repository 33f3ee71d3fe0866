"""A NarrowBand stream of telephone-band conversation loses no stretch of speech.

Silero VAD scores telephone-band speech low; with the wideband thresholds the stream never
opened an utterance over seconds of a consultation's speech, and those words were never
decoded (recogniser.NARROWBAND_THRESHOLDS, bench.stream_vad)."""
from __future__ import annotations

import numpy as np
import pytest

from bench.stream_vad import speech_mask
from bench.synth_domain import NARROW_RATE, telephone
from jargonaut.asr.audio import decode
from tests.stream.helpers import cert, finals, spec
from tests.stream.sdk_client import run_in_subprocess
from tests.support.server import EVAL

RATE = 16000
SECONDS = 60
LONGEST_LOST_S = 1.0  # speech outside every final, in one stretch


def _speech_runs_outside(speech: np.ndarray, spans: list[tuple[float, float]]) -> list[float]:
    """Lengths (s) of the stretches of `speech` (a 16 kHz mask) outside every span (s)."""
    lost = speech.copy()
    for start, end in spans:
        lost[max(0, int(start * RATE)):max(0, int(end * RATE))] = False
    edges = np.diff(np.concatenate([[0], lost.astype(np.int8), [0]]))
    return [(end - start) / RATE for start, end in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1))]


@pytest.mark.slow
def test_a_telephone_band_conversation_streams_without_losing_speech(stream_server, tmp_path) -> None:
    original = decode(EVAL / "medical" / "audio" / "CAR0001.mp3")[: SECONDS * RATE]
    narrow = telephone(original)  # 300-3400 Hz at 8 kHz, as a phone line carries it
    audio = tmp_path / "car0001-8k.pcm"
    audio.write_bytes((np.clip(narrow, -1, 1) * 32767).astype("<i2").tobytes())

    out = run_in_subprocess(spec(stream_server, audio, NARROW_RATE, chunk_bytes=1600), cert(stream_server))

    assert out["error"] is None, out["error"]
    results = finals(out["events"])
    assert results, "no final results"
    lost = _speech_runs_outside(speech_mask(original), [(r["start"], r["end"]) for r in results])
    assert max(lost, default=0.0) < LONGEST_LOST_S, sorted(lost, reverse=True)[:5]
