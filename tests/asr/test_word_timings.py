"""Word timings do not change the text (asr/whisper.py, `EngineWhisper.generate_segments`).

faster-whisper, asked for word timestamps, starts each next window at the last aligned word's
end; on the first 45 s of the medical recording MSK0001 that made the plain job read "do you
have something really heavy" where the text-only decode reads "do you expect something
really heavy", and on whole recordings it skipped whole sentences. A job (word timings) must
say what the text-only decode says, with every word timed, in order, inside the audio."""
from __future__ import annotations

import pytest

from jargonaut.asr.audio import decode

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def consultation(eval_dir):
    return decode(eval_dir / "medical" / "audio" / "MSK0001.mp3")[: 16000 * 45]


@pytest.fixture(scope="module")
def engine():
    from jargonaut.asr.engine import SpeechEngine

    return SpeechEngine.from_settings()


@pytest.mark.parametrize("with_clm", [False, True], ids=["plain", "clm"])
def test_word_timings_leave_the_text_as_decoded_without_them(engine, consultation, biomed_clm, with_clm):
    base = engine.base_models["WideBand"]
    lm = biomed_clm if with_clm else None
    text_only = engine.recognize(consultation, base, lm, word_timestamps=False)
    timed = engine.recognize(consultation, base, lm, word_timestamps=True)
    assert timed.text == text_only.text
    assert [s.text for s in timed.segments] == [s.text for s in text_only.segments]
    previous_start = 0.0
    for segment in timed.segments:
        assert segment.words, segment.text
        assert "".join(w.text for w in segment.words).strip() == segment.text.strip()
        for word in segment.words:
            assert previous_start <= word.start <= word.end <= len(consultation) / 16000 + 0.01
            previous_start = word.start
