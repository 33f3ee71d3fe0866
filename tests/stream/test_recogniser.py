"""The incremental recogniser in-process: segmentation, partial/final ordering, no pacing needed."""
from __future__ import annotations

import asyncio

import numpy as np
import pytest

from jargonaut.asr.audio import decode
from jargonaut.asr.engine import SpeechEngine
from jargonaut.asr.whisper import window_frames
from jargonaut.stream.recogniser import Segmenter, SegmenterConfig, StreamRecogniser
from jargonaut.stream.scheduler import DecodePool
from tests.stream.helpers import words
from tests.support.server import EVAL

RATE = 16000


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    jfk = decode(EVAL / "general" / "audio" / "jfk.flac")
    noise = (np.random.default_rng(0).standard_normal(2400) * 0.3).astype(np.float32)
    silence = np.zeros(RATE, np.float32)
    return np.concatenate([silence, jfk[10000:13000], silence, noise, silence, jfk, silence])


@pytest.fixture(scope="module")
def pool() -> DecodePool:
    return DecodePool(SpeechEngine.from_settings(), 2)


def _run(audio: np.ndarray, pool: DecodePool, realtime_factor: float, stability: str | None = None) -> list[dict]:
    async def main() -> list[dict]:
        results: list[dict] = []

        async def emit(event: dict) -> None:
            results.append(event["Results"][0])

        recogniser = StreamRecogniser(pool.engine.base_models["WideBand"], pool, emit, stability=stability)
        queue: asyncio.Queue = asyncio.Queue()
        task = asyncio.create_task(recogniser.run(queue))
        for i in range(0, len(audio), 1600):
            queue.put_nowait(audio[i:i + 1600])
            if realtime_factor:
                await asyncio.sleep(0.1 / realtime_factor)
        queue.put_nowait(None)
        await task
        return results

    return asyncio.run(main())


def _check_order(results: list[dict]) -> list[dict]:
    by_id: dict[str, list[bool]] = {}
    for r in results:
        by_id.setdefault(r["ResultId"], []).append(r["IsPartial"])
    for flags in by_id.values():  # partials, then exactly one final, per utterance
        assert flags[-1] is False and flags.count(False) == 1, flags
    return [r for r in results if not r["IsPartial"]]


@pytest.mark.slow
@pytest.mark.parametrize("realtime_factor", [0, 3])
def test_utterances_partials_then_one_final(speech, pool, realtime_factor) -> None:
    results = _run(speech, pool, realtime_factor)
    finals = _check_order(results)
    text = words(" ".join(r["Alternatives"][0]["Transcript"] for r in finals))
    assert "country" in text and "americans" in text, text
    assert len(finals) >= 3  # JFK's pauses split the speech
    starts = [r["StartTime"] for r in finals]
    assert starts == sorted(starts) and starts[0] >= 2.0  # blips before the speech made no results
    if realtime_factor:
        assert any(r["IsPartial"] for r in results)


def test_segmenter_closes_at_pauses_and_drops_blips() -> None:
    jfk = decode(EVAL / "general" / "audio" / "jfk.flac")
    seg = Segmenter(SegmenterConfig())
    closed = []
    audio = np.concatenate([np.zeros(RATE, np.float32), jfk, np.zeros(RATE, np.float32)])
    for i in range(0, len(audio), 777):
        closed += seg.accept(audio[i:i + 777])
    closed += seg.finish()
    assert 3 <= len(closed) <= 6
    for u in closed:
        assert u.clip is not None and u.speech_end > u.start
        begin, clip = u.clip
        assert begin <= u.start and begin + len(clip) >= u.speech_end


def test_window_frames_buckets() -> None:
    assert window_frames(RATE) == 1000  # at least 10 s
    assert window_frames(12 * RATE) == 1500
    assert window_frames(40 * RATE) == 3000
