"""Silence ahead of the audio Whisper reads, taken off its timings again.

Whisper mishears a first word spoken at the very first sample: its training windows rarely
open mid-word, and the feature extractor's reflection padding mirrors the onset. Clips cut
by a recorder, a voice-activity detector or a stream's endpointing open like that ("Her
Silverado" heard as "Or Silverado", "The ABS module" as "Via ABS module"). On the DEV
domains (bench.domain_suite, one sentence a clip, speech within ~60 ms of the start) the
first two words of a clip carried 25% errors at 8 kHz under a CLM against 14% for the words
after them; the measurements are in `EngineOptions.lead_in_s`.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from jargonaut.asr.types import Recognition, Segment, Word

RATE = 16000  # what Whisper reads


def lead_samples(seconds: float) -> int:
    return max(0, int(round(seconds * RATE)))


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
    lead = samples / RATE
    duration = max(0.0, recognition.duration - lead)

    def at(t: float) -> float:
        return min(duration, max(0.0, t - lead))

    segments = [
        Segment(at(s.start), at(s.end), s.text, [Word(at(w.start), at(w.end), w.text, w.probability) for w in s.words])
        for s in recognition.segments
    ]
    return dataclasses.replace(recognition, segments=segments, duration=duration)


def words_without_lead_in(words: list[Word], samples: int, duration: float) -> list[Word]:
    """Untimed words (spread over their segments) moved back by the lead-in, within [0, duration]."""
    if samples <= 0:
        return words
    lead = samples / RATE
    return [Word(min(duration, max(0.0, w.start - lead)), min(duration, max(0.0, w.end - lead)), w.text, w.probability)
            for w in words]
