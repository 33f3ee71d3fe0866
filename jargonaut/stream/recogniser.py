"""The incremental recogniser shared by HTTP/2 and WebSocket streams.

Audio (16 kHz float32) goes through a streaming VAD; an utterance opens at speech onset
and closes after a pause. While it is open, the whole utterance so far is re-decoded
about every second (a partial result); when it closes it is decoded once more with the
full beam (the final). A decode started as soon as a pause begins is kept, and reused as
the final when the pause turns out long enough, so the final costs no extra wait.
One loop per stream; decodes run as tasks on the shared DecodePool, never on the event
loop, and a partial nobody needs any more (its utterance closed) is cancelled.
"""
from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

import numpy as np

from jargonaut.asr.base_models import BaseModel, band_for_rate
from jargonaut.asr.options import DecodeOptions
from jargonaut.asr.types import Word
from jargonaut.asr.whisper import window_frames
from jargonaut.stream.results import PhraseDisplay, Stabilizer, WordFilter, result
from jargonaut.stream.scheduler import FINAL, PARTIAL, DecodePool
from jargonaut.stream.speakers import StreamSpeakers
from jargonaut.stream.vad import WINDOW, StreamingVad

RATE = 16000
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SegmenterConfig:
    threshold: float = 0.5  # speech starts at this probability
    neg_threshold: float = 0.35  # and pauses below this one
    close_silence_s: float = 0.5  # a pause this long ends the utterance
    early_decode_silence_s: float = 0.15  # a pause this long starts the would-be final decode
    min_speech_s: float = 0.25  # shorter blips are dropped
    max_utterance_s: float = 15.0  # longer speech is cut (Whisper sees 30 s at most)
    pad_s: float = 0.2  # audio kept either side of the speech
    first_partial_s: float = 0.5  # speech before the first partial
    partial_interval_s: float = 1.0  # then at least this often
    busy_partial_interval_s: float = 2.0  # while every decoder is busy

    @classmethod
    def for_sample_rate(cls, sample_rate: int) -> "SegmenterConfig":
        """The segmenter for a stream's audio: NarrowBand audio (under 16 kHz) gets
        `NARROWBAND_THRESHOLDS`."""
        if band_for_rate(sample_rate) == "NarrowBand":
            return cls(threshold=NARROWBAND_THRESHOLDS[0], neg_threshold=NARROWBAND_THRESHOLDS[1])
        return cls()


# Silero VAD scores telephone-band speech low: with the wideband thresholds a NarrowBand stream
# never opened an utterance over much of its speech, and those words were never decoded.
# bench.stream_vad, the medical dev recordings (first 120 s) cut to the telephone band at 8 kHz,
# NarrowBand without a CLM; speech (Silero over the 16 kHz original) no utterance covered, and
# the finals' errors (the batch job: 127): 0.5 / 0.35 16.6%, 240; 0.25 / 0.1 3.7%, 162;
# 0.2 / 0.05 2.3%, 171; 0.15 / 0.05 1.6%, 166. DEV domain clips at 8 kHz lost over 5% of their
# speech in 33 / 8 / 4 / 2 of 160 clips; no utterance without speech at any of them. Chosen:
# the fewest errors, and the least eager of the three lower pairs (less noise opens utterances).
# WideBand streams lost under 1% at 0.5 / 0.35 and keep them. Reported, not chosen on: the 8
# other medical recordings, 0.5 / 0.35 -> 0.25 / 0.1: 13.4 -> 2.0% of the speech, errors 645 ->
# 520 (batch 348). Tried and dropped: the stream's last 50 words of finals as each final's
# previous-text prompt (medical dev: 162 -> 776 errors; Whisper repeats its prompt).
NARROWBAND_THRESHOLDS = (0.25, 0.1)


@dataclass(eq=False)  # compared by identity (it holds audio)
class Utterance:
    start: int  # first speech sample (absolute)
    speech_end: int  # end of the last speech window so far
    result_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    decoded_to: int = 0  # audio end covered by the latest partial decode
    early: tuple[int, list[Word]] | None = None  # (speech_end it covered, words)
    stabilizer: Stabilizer | None = None
    clip: tuple[int, np.ndarray] | None = None  # (first sample, audio) captured when it closed
    task: "asyncio.Task[None] | None" = None  # the decode in flight for it (at most one)
    task_early_end: int | None = None  # speech_end an in-flight would-be-final decode covers
    finalised: bool = False  # its final is on its way: no more partials


class Segmenter:
    """VAD-driven utterance boundaries over an audio buffer that forgets what it no longer needs."""

    def __init__(self, config: SegmenterConfig) -> None:
        self.config = config
        self.vad = StreamingVad()
        self.buffer = np.zeros(0, dtype=np.float32)
        self.offset = 0  # absolute index of buffer[0]
        self.windows = 0  # VAD windows scored so far
        self.open: Utterance | None = None
        self.silence_windows = 0

    @property
    def audio_end(self) -> int:
        return self.offset + len(self.buffer)

    def audio(self, start: int, end: int) -> np.ndarray:
        start = max(start, self.offset)
        return self.buffer[start - self.offset: max(end - self.offset, 0)].copy()

    def clip(self, utterance: Utterance, end: int) -> tuple[int, np.ndarray]:
        """The utterance's audio up to `end`, padded either side (copied: the buffer moves on)."""
        pad = int(self.config.pad_s * RATE)
        begin = max(utterance.start - pad, self.offset)
        return begin, self.audio(begin, end + pad)

    def _close(self, utterance: Utterance, closed: list[Utterance]) -> None:
        if self._long_enough(utterance):
            utterance.clip = self.clip(utterance, utterance.speech_end)
            closed.append(utterance)

    def _trim(self) -> None:
        keep_from = (self.open.start if self.open else self.windows * WINDOW) - int(self.config.pad_s * RATE)
        drop = keep_from - self.offset
        if drop > RATE:  # trim in whole seconds, not every window
            self.buffer = self.buffer[drop:]
            self.offset += drop

    def accept(self, audio: np.ndarray) -> list[Utterance]:
        """Add audio; returns the utterances this closed (in order)."""
        cfg = self.config
        self.buffer = np.concatenate([self.buffer, audio])
        closed: list[Utterance] = []
        close_windows = int(cfg.close_silence_s * RATE / WINDOW)
        for prob in self.vad.accept(audio):
            window_start = self.windows * WINDOW
            self.windows += 1
            if self.open is None:
                if prob >= cfg.threshold:
                    self.open = Utterance(start=window_start, speech_end=window_start + WINDOW)
                    self.silence_windows = 0
                continue
            if prob >= cfg.threshold or (prob >= cfg.neg_threshold and self.silence_windows == 0):
                self.open.speech_end = window_start + WINDOW
                self.silence_windows = 0
            else:
                self.silence_windows += 1
            too_long = window_start + WINDOW - self.open.start >= cfg.max_utterance_s * RATE
            if self.silence_windows >= close_windows or too_long:
                if too_long and self.silence_windows == 0:
                    self.open.speech_end = window_start + WINDOW
                utterance, self.open = self.open, None
                self._close(utterance, closed)
        self._trim()
        return closed

    def finish(self) -> list[Utterance]:
        """The stream ended: the open utterance (if any) is final now."""
        utterance, self.open = self.open, None
        if utterance is None:
            return []
        if self.silence_windows == 0:  # speech ran to the very end
            utterance.speech_end = self.audio_end
        closed: list[Utterance] = []
        self._close(utterance, closed)
        return closed

    def _long_enough(self, utterance: Utterance) -> bool:
        return utterance.speech_end - utterance.start >= self.config.min_speech_s * RATE

    def silence_s(self) -> float:
        return self.silence_windows * WINDOW / RATE


Emit = Callable[[dict[str, Any]], Awaitable[None]]


class StreamRecogniser:
    def __init__(
        self,
        base: BaseModel,
        pool: DecodePool,
        emit: Emit,
        language_model: object | None = None,
        stability: str | None = None,
        config: SegmenterConfig | None = None,
        options: DecodeOptions | None = None,
        language: str = "en",
        word_filter: WordFilter | None = None,
        phrases: list[list[str]] | None = None,
        display: PhraseDisplay | None = None,
        speakers: StreamSpeakers | None = None,
    ) -> None:
        self.base = base
        self.language = language  # Whisper's code (the multilingual base model is forced to it)
        self.pool = pool
        self.engine = pool.engine
        self.emit = emit
        self.language_model = language_model
        self.stability = stability  # None: stabilization off
        self.word_filter = word_filter  # a vocabulary filter on the results
        self.phrases = phrases  # a custom vocabulary's phrases, boosted in the fused decoder
        self.display = display  # ... and written as the vocabulary writes them
        self.speakers = speakers  # show-speaker-label: the stream's voices, one label per final
        self.segmenter = Segmenter(config or SegmenterConfig())
        # One CTranslate2 thread per decode and one model replica per pool worker: under CPU
        # contention multi-threaded decodes stall badly (measured: 1 s -> 3-8 s per final).
        self.final_options = options or self.engine.options.stream_decode
        # Partials are re-decoded often: greedy search keeps them cheap.
        self.partial_options = dataclasses.replace(self.final_options, beam_size=1)
        self.decodes = 0

    # -- decoding (pool threads) -------------------------------------------------------
    def _decode(self, begin: int, audio: np.ndarray, options: DecodeOptions, timed: bool = True) -> list[Word]:
        if len(audio) < RATE // 10:
            return []
        shift = begin / RATE
        fusion = None
        if self.language_model is not None or self.phrases:
            # Partials are redrawn within a second: fusion only; finals also get the
            # second, term-retrieval pass.
            fusion = dataclasses.replace(self.engine.options.fusion_for(self.base), retrieval=options is self.final_options)
        # The plain model keeps one replica per pool thread, so streams decode in parallel.
        call = dict(language=self.language, decode=options, fusion=fusion, max_new_tokens=max_tokens(len(audio)),
                    encoder_frames=window_frames(len(audio)), workers=self.pool.workers,
                    phrases=self.phrases)
        if not timed:
            words = self.engine.quick_words(audio, self.base, self.language_model, **call)  # type: ignore[arg-type]
            return [Word(w.start + shift, w.end + shift, w.text, w.probability) for w in words]
        recognition = self.engine.recognize(audio, self.base, self.language_model, **call)  # type: ignore[arg-type]
        return [
            Word(w.start + shift, w.end + shift, w.text, w.probability)
            for segment in recognition.segments for w in segment.words if w.text.strip()
        ]

    async def _run_decode(self, priority: int, utterance: Utterance, end: int, options: DecodeOptions,
                          timed: bool = True) -> list[Word]:
        self.decodes += 1
        log.debug("decode priority=%d end=%.2f", priority, end / RATE)
        begin, audio = utterance.clip if utterance.clip is not None else self.segmenter.clip(utterance, end)
        def job() -> list[Word]:
            started = time.perf_counter()
            words = self._decode(begin, audio, options, timed)
            log.debug("decoded %.1f s (priority %d) in %.3f s", len(audio) / RATE, priority, time.perf_counter() - started)
            return words

        return await self.pool.run(priority, job)

    # -- results ----------------------------------------------------------------------
    async def _speaker(self, utterance: Utterance, words: list[Word]) -> int | None:
        """The final's speaker, embedded on a pool thread (the encoder never runs on the event loop)."""
        speakers = self.speakers
        if speakers is None or utterance.clip is None or not words:
            return None
        begin, audio = utterance.clip
        spans = [(w.start - begin / RATE, w.end - begin / RATE) for w in words]
        speaker: int | None = await self.pool.run(FINAL, lambda: speakers.label(audio, spans))
        return speaker

    async def _send(self, utterance: Utterance, words: list[Word], end: int, partial: bool) -> None:
        stable_count: int | None = None
        if self.stability is not None:
            if utterance.stabilizer is None:
                utterance.stabilizer = Stabilizer(self.stability)
            words, stable_count = utterance.stabilizer.update(words, final=not partial)
        if not words:
            return
        start = min(utterance.start / RATE, words[0].start)
        speaker = None if partial else await self._speaker(utterance, words)  # partials carry none
        await self.emit({"Results": [result(utterance.result_id, start, end / RATE, words, partial, stable_count,
                                            self.word_filter, self.display, speaker)]})

    async def _final(self, utterance: Utterance) -> None:
        utterance.finalised = True
        task = utterance.task
        if task is not None and not task.done():
            if utterance.task_early_end == utterance.speech_end:
                await task  # the would-be final is already being decoded: use it
            else:
                task.cancel()  # a partial nobody needs any more (skipped if not started)
        if utterance.early is not None and utterance.early[0] == utterance.speech_end:
            words = utterance.early[1]  # decoded while the pause was still being confirmed
        else:
            words = await self._run_decode(FINAL, utterance, utterance.speech_end, self.final_options)
        await self._send(utterance, words, utterance.speech_end, partial=False)

    async def _partial(self, utterance: Utterance, priority: int, end: int, options: DecodeOptions,
                       timed: bool, early: bool) -> None:
        try:
            words = await self._run_decode(priority, utterance, end, options, timed)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - a lost partial is not fatal; the final reports errors
            log.exception("partial decode failed")
            return
        if early:
            utterance.early = (end, words)
        if not utterance.finalised:
            await self._send(utterance, words, end, partial=True)

    def _maybe_partial(self) -> None:
        """Start a partial decode for the open utterance when one is due (never awaits it)."""
        utterance = self.segmenter.open
        if utterance is None or (utterance.task is not None and not utterance.task.done()):
            return
        cfg = self.segmenter.config
        now = self.segmenter.audio_end
        spoken = (utterance.speech_end - utterance.start) / RATE
        if self.segmenter.silence_s() >= cfg.early_decode_silence_s:
            if spoken >= cfg.min_speech_s and (utterance.early is None or utterance.early[0] != utterance.speech_end):
                # Likely the end of the utterance: decode with the final's settings, reuse it as the final.
                end = utterance.speech_end
                utterance.task_early_end = end
                utterance.decoded_to = now
                utterance.task = asyncio.create_task(
                    self._partial(utterance, FINAL, end, self.final_options, timed=True, early=True))
            return
        due = cfg.first_partial_s if utterance.decoded_to == 0 else cfg.partial_interval_s
        since = (now - max(utterance.decoded_to, utterance.start)) / RATE
        if self.pool.saturated() and utterance.decoded_to != 0:
            due = cfg.busy_partial_interval_s  # under load, finals first: fewer partials
        # Only while speech goes on: a partial started at a pause would delay the final.
        if spoken >= cfg.first_partial_s and since >= due and self.segmenter.silence_windows == 0:
            utterance.task_early_end = None
            utterance.decoded_to = now
            utterance.task = asyncio.create_task(
                self._partial(utterance, PARTIAL, now, self.partial_options, timed=False, early=False))

    # -- the stream loop ----------------------------------------------------------------
    async def run(self, audio_queue: "asyncio.Queue[np.ndarray | None]") -> None:
        """Consume 16 kHz audio until None; emits results through `emit`."""
        ended = False
        previous: Utterance | None = None  # the utterance open after the last step
        while not ended:
            chunks = [await audio_queue.get()]
            while not audio_queue.empty():  # coalesce whatever arrived meanwhile
                chunks.append(audio_queue.get_nowait())
            ended = any(c is None for c in chunks)
            audio = [c for c in chunks if c is not None and len(c)]
            closed: list[Utterance] = []
            if audio:
                closed = await asyncio.to_thread(self.segmenter.accept, np.concatenate(audio))
            if ended:
                closed += self.segmenter.finish()
            if previous is not None and previous is not self.segmenter.open and previous not in closed:
                self._drop(previous)  # too short to be speech: no final, so no partials either
            for utterance in closed:
                await self._final(utterance)
            if not ended:
                self._maybe_partial()
            previous = self.segmenter.open
        if previous is not None:
            self._drop(previous)

    @staticmethod
    def _drop(utterance: Utterance) -> None:
        utterance.finalised = True
        if utterance.task is not None and not utterance.task.done():
            utterance.task.cancel()


def max_tokens(samples: int) -> int:
    """A cap on decoded tokens from the audio length: a looping hypothesis stops early."""
    return min(220, int(samples / RATE * 10) + 20)
