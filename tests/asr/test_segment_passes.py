"""Pass 2 per segment on a real recording: three biomed sentences read as one 16 s window,
which pass 1 writes as several segments (on the 2-core AVX2 machine this was written on, one
with a misheard drug name, "All parib" for olaparib). The result spells the name, and pass 2
per segment moves none of the window's segments."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from jargonaut.asr.audio import decode

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def three_sentences(eval_dir) -> np.ndarray:
    folder = eval_dir / "biomed-tts"
    ids = sorted(line.split("\t", 1)[0] for line in (folder / "test.tsv").read_text().splitlines() if "\t" in line)[:3]
    pause = np.zeros(16000, np.float32)
    return np.concatenate([x for i in ids for x in (decode(folder / "wav16" / f"{i}.wav", rate=16000), pause)])


def test_a_segment_pass_fixes_a_term_and_keeps_every_segment_in_place(three_sentences, biomed_clm) -> None:
    from tests.asr.parts import engine

    wide = engine().base_models["WideBand"]
    fusion = engine().options.fusion_for(wide)
    assert fusion.biasing.per_segment
    by_segment = engine().recognize(three_sentences, wide, biomed_clm, word_timestamps=False)
    first_only = engine().recognize(three_sentences, wide, biomed_clm, word_timestamps=False,
                                    fusion=dataclasses.replace(fusion, retrieval=False))
    assert len(first_only.segments) >= 2  # several segments in one window: the per-segment path
    assert "Olaparib" in by_segment.text
    # pass 1 is the same search either way, and pass 2 per segment keeps its timestamps
    assert [(s.start, s.end) for s in by_segment.segments] == [(s.start, s.end) for s in first_only.segments]
