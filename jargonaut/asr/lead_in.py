"""Silence ahead of the audio Whisper reads, taken off its timings again.

Whisper mishears a first word spoken at the very first sample: its training windows rarely
open mid-word, and the feature extractor's reflection padding mirrors the onset. Clips cut
by a recorder, a voice-activity detector or a stream's endpointing open like that ("Her
Silverado" heard as "Or Silverado", "The ABS module" as "Via ABS module"). On the DEV
domains (bench.domain_suite, one sentence a clip, speech within ~60 ms of the start) the
first two words of a clip carried 25% errors at 8 kHz under a CLM against 14% for the words
after them; the measurements are at `EngineOptions.lead_in_s`.

The audio's own quiet opening counts towards the lead-in, so a recording that already opens
with that much silence is read as it is: more silence than Whisper needs is not neutral either
(jfk.flac, which opens with 0.33 s, lost all its punctuation with 0.5 s more).
"""
from __future__ import annotations

import dataclasses

import numpy as np

from jargonaut.asr.types import Recognition, Segment, Word

RATE = 16000  # what Whisper reads
FRAME = RATE // 100  # 10 ms
QUIET = 0.1  # a frame this far below the loudest (RMS, -20 dB) is not yet sound
WINDOW = 30 * RATE


def lead_samples(audio: np.ndarray, seconds: float) -> int:
    """Samples of silence to read ahead of `audio` so that at least `seconds` come before its
    first sound (its own quiet opening counts)."""
    want = max(0, int(round(seconds * RATE)))
    if want == 0 or len(audio) < FRAME:
        return want
    return max(0, want - quiet_opening(audio, want))


def quiet_opening(audio: np.ndarray, within: int) -> int:
    """Samples before the first 10 ms frame of `audio` at least `QUIET` times the loudest frame's
    RMS in its first 30 s (Whisper's first window), looking no further than `within` samples."""
    usable = min(len(audio), WINDOW) // FRAME * FRAME
    rms = np.sqrt(np.mean(np.square(np.asarray(audio[:usable], np.float64)).reshape(-1, FRAME), axis=1))
    loudest = float(rms.max()) if len(rms) else 0.0
    if loudest <= 0.0:
        return within  # digital silence throughout
    sound = np.flatnonzero(rms[: -(-within // FRAME)] >= QUIET * loudest)
    return min(within, int(sound[0]) * FRAME) if len(sound) else within


def with_lead_in(audio: np.ndarray, samples: int) -> np.ndarray:
    """`audio` (16 kHz mono float32) after `samples` of digital silence."""
    if samples <= 0:
        return audio
    return np.concatenate([np.zeros(samples, np.float32), np.asarray(audio, np.float32)])


def lead_frames(encoder_frames: int | None, samples: int, full_frames: int) -> int | None:
    """A shortened encoder window grown by the lead-in's frames (100 a second), so the audio's
    end still fits where the caller sized the window for the audio alone."""
    if encoder_frames is None or samples <= 0:
        return encoder_frames
    return min(full_frames, encoder_frames + -(-samples * 100 // RATE))


def without_lead_in(recognition: Recognition, samples: int) -> Recognition:
    """`recognition` of audio read after `samples` of lead-in, timed on the audio itself:
    every time moved back by the lead-in and kept within [0, duration]."""
    if samples <= 0:
        return recognition
    duration = max(0.0, recognition.duration - samples / RATE)
    segments = [Segment(_moved_back(s.start, samples, duration), _moved_back(s.end, samples, duration), s.text,
                        words_without_lead_in(s.words, samples, duration))
                for s in recognition.segments]
    return dataclasses.replace(recognition, segments=segments, duration=duration)


def words_without_lead_in(words: list[Word], samples: int, duration: float) -> list[Word]:
    """`words` heard after `samples` of lead-in, timed on the audio itself (within [0, duration])."""
    if samples <= 0:
        return words
    return [Word(_moved_back(w.start, samples, duration), _moved_back(w.end, samples, duration), w.text, w.probability)
            for w in words]


def _moved_back(t: float, samples: int, duration: float) -> float:
    return min(duration, max(0.0, t - samples / RATE))
