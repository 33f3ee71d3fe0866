"""With `whisper_token_credit` a fused search keeps Whisper's punctuation and segments
(search.whisper_token_credit; off by default: it cost WER on the medical recordings outside the
dev split, see FusionSettings).

Hypotheses compete at equal token counts, and under a CLM that fits the speech every word earns
a bonus; a stop or a segment's timestamps earned none. A hypothesis that spent its steps on them
trailed one that spent them on words and fell out of the beam, although it scored better once
its words caught up: fused consultations came out as run-ons with stray capitals ("checked out
OK And before we start could you Remind me of your gender and age sure 39"). WER cannot see
this; a reader sees nothing else. Such a step earning the beam's mean bonus per token lets
Whisper punctuate. Measured on this machine, first 30 s of CAR0001 under a CLM of the
other OSCE consultations: Whisper 9 sentence ends, fused without the credit 3, with it 9."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

# A capital inside a sentence that Whisper writes lower case ("could you Remind me"): a word
# after a comma or none, not "I" and not an acronym.
_STRAY_CAPITAL = re.compile(r"(?:^|[^.?!]\s)(?!I\b|I')[A-Z][a-z]+\b")


@pytest.fixture(scope="module")
def consultations_clm(eval_dir, tmp_path_factory):
    """A CLM of the other OSCE consultations (not the recording's own): in-domain speech, so
    fused words earn a large bonus. The file's one UTF-16 transcript is left out (the service
    refuses NUL bytes)."""
    from jargonaut.lm.train import load_clm, train_clm

    work = tmp_path_factory.mktemp("osce")
    raw = (eval_dir / "medical" / "lm-text" / "osce-other-consultations.txt").read_bytes()
    text = work / "osce.txt"
    text.write_bytes(b"\n".join(line for line in raw.split(b"\n") if b"\0" not in line) + b"\n")
    out = work / "osce.clm"
    train_clm([text], None, out, "WideBand", 1)
    return load_clm(Path(out))


def test_fused_transcript_keeps_whispers_sentence_ends(eval_dir, consultations_clm):
    from jargonaut.asr.audio import decode
    from jargonaut.asr.decoder.fused import sentence_ends
    from tests.asr.parts import engine

    e = engine()
    base = e.base_models["WideBand"]
    default = e.options.fusion_for(base)
    fusion = dataclasses.replace(default, whisper_token_credit=True)
    audio = decode(str(eval_dir / "medical" / "audio" / "CAR0001.mp3"))[: 30 * 16000]

    plain = e.text(audio, base, None)
    fused = e.text(audio, base, consultations_clm, fusion=fusion)
    assert sentence_ends(plain) >= 6  # the premise: Whisper punctuates this turn-taking
    assert 3 * sentence_ends(fused) >= 2 * sentence_ends(plain), (plain, fused)
    sentences = [s for s in re.split(r"(?<=[.?!])\s+", fused) if s]
    assert not [s for s in sentences if _STRAY_CAPITAL.search(s[1:])], fused

    # without the credit the same window is a run-on (3 sentence ends on this machine)
    uncredited = e.text(audio, base, consultations_clm,
                        fusion=dataclasses.replace(fusion, whisper_token_credit=False))
    assert e.text(audio, base, consultations_clm, fusion=default) == uncredited  # off by default
    assert sentence_ends(uncredited) < sentence_ends(fused), uncredited
