"""Whisper reads silence ahead of the audio, and the timings are the audio's own (asr/lead_in.py)."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from jargonaut.asr.audio import decode
from jargonaut.asr.lead_in import lead_frames, lead_samples, with_lead_in, without_lead_in
from jargonaut.asr.types import Recognition, Segment, Word

RATE = 16000


def _tone(seconds: float, quiet_before: float = 0.0, hiss: float = 0.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    sound = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    rng = np.random.default_rng(0)
    opening = (hiss * rng.standard_normal(int(quiet_before * RATE))).astype(np.float32)
    return np.concatenate([opening, sound])


def test_the_lead_in_tops_up_the_audios_own_quiet_opening() -> None:
    assert lead_samples(_tone(1.0), 0.5) == 8000  # sound from the first sample: all of it
    assert lead_samples(_tone(1.0, quiet_before=0.2), 0.5) == 4800
    assert lead_samples(_tone(1.0, quiet_before=0.2, hiss=0.003), 0.5) == 4800  # a noise floor is quiet too
    assert lead_samples(_tone(1.0, quiet_before=0.8), 0.5) == 0  # enough silence already
    assert lead_samples(np.zeros(RATE, np.float32), 0.5) == 0
    assert lead_samples(_tone(1.0), 0.0) == 0


def test_timings_move_back_by_the_lead_in_and_stay_inside_the_audio() -> None:
    heard = Recognition([Segment(0.2, 1.6, " Hi there.", [Word(0.2, 0.6, " Hi", 0.9), Word(0.7, 1.6, " there.", 0.8)]),
                         Segment(1.6, 3.5, " Bye.", [Word(1.6, 3.5, " Bye.", 0.7)])], duration=3.0)
    own = without_lead_in(heard, 8000)
    assert own.duration == pytest.approx(2.5)
    assert [(s.start, s.end) for s in own.segments] == [(0.0, pytest.approx(1.1)), (pytest.approx(1.1), 2.5)]
    assert [(w.start, w.end, w.text) for w in own.segments[0].words] == [
        (0.0, pytest.approx(0.1), " Hi"), (pytest.approx(0.2), pytest.approx(1.1), " there.")]
    assert own.text == heard.text


def test_a_shortened_window_grows_by_the_lead_in() -> None:
    assert lead_frames(1000, 8000, 3000) == 1050
    assert lead_frames(2990, 8000, 3000) == 3000
    assert lead_frames(None, 8000, 3000) is None
    assert lead_frames(1000, 0, 3000) == 1000
    audio = np.ones(RATE, np.float32)
    padded = with_lead_in(audio, 4000)
    assert len(padded) == 20000 and not padded[:4000].any() and (padded[4000:] == 1).all()


@pytest.mark.slow
@pytest.mark.parametrize("opening", [0.0, 0.1], ids=["from-its-first-word", "jfk-as-recorded"])
def test_recognising_with_a_lead_in_is_recognising_the_audio_after_that_silence(eval_dir, opening) -> None:
    """The engine's lead-in is exactly the silence Whisper would read ahead of the audio, every
    time taken back: the same words, each timed on the audio itself, inside it."""
    from jargonaut.asr.engine import SpeechEngine

    default = SpeechEngine.from_settings()
    engine = SpeechEngine(dataclasses.replace(default.options, lead_in_s=0.5), default.base_models)
    without = SpeechEngine(dataclasses.replace(default.options, lead_in_s=0.0), default.base_models)
    base = engine.base_models["WideBand"]
    jfk = decode(eval_dir / "general" / "audio" / "jfk.flac")
    # jfk.flac opens with ~0.33 s of quiet; cut to its first word (0.3 s in), the lead-in is all of it
    audio = jfk[int(0.3 * RATE):] if opening == 0.0 else jfk
    lead = lead_samples(audio, engine.options.lead_in_s)
    assert 0 < lead < engine.options.lead_in_s * RATE if opening else lead > 0.4 * RATE

    ours = engine.recognize(audio, base)
    after_silence = without.recognize(np.concatenate([np.zeros(lead, np.float32), audio]), base)

    assert ours.text == after_silence.text and "fellow Americans" in ours.text
    shift = lead / RATE
    words = [w for s in ours.segments for w in s.words]
    assert words and len(words) == sum(len(s.words) for s in after_silence.segments)
    for word, later in zip(words, (w for s in after_silence.segments for w in s.words)):
        assert word.text == later.text
        assert word.start == pytest.approx(max(0.0, later.start - shift), abs=1e-6)
        assert 0.0 <= word.start <= word.end <= len(audio) / RATE + 1e-6
    assert ours.duration == pytest.approx(len(audio) / RATE, abs=1e-3)
