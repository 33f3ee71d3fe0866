"""The casing of a CLM's transcript (issue 12: it stays Whisper's but where the text establishes a
spelling): a sentence start written in lower case gets its capital; a capital inside a sentence
is lowered where the CLM's text writes the word there only in lower case; names, sentence starts
and words the text capitalises inside a sentence keep theirs."""
from __future__ import annotations

from pathlib import Path

import pytest

from jargonaut.asr.transcript_casing import START, After, recase_recognition, recased_text, recased_words
from jargonaut.asr.types import Recognition, Segment, Word
from jargonaut.lm.train import load_clm, train_clm

# A clinic's notes: labels and list items open lines with capitals ("P: Struvite ...") that the
# text writes in lower case inside its sentences; a feeder's name is capitalised inside them.
NOTES = """\
P: Struvite crystals on sediment, catheter for 48 h.
Diet change to dissolve struvite over four weeks.
The covenant test passed; we checked the covenant again in March.
- Covenant compliance reviewed by the lender.
Switch the load to Feeder CH-14 before noon, then open the feeder breaker.
Auditor: Gary M.
Gary signed off on the struvite plan and the zebra scanner.
"""


@pytest.fixture(scope="module")
def lower_case(tmp_path_factory) -> frozenset[str]:
    tmp = tmp_path_factory.mktemp("case")
    text = tmp / "notes.txt"
    text.write_text(NOTES * 3, encoding="utf-8")
    out = tmp / "notes.clm"
    train_clm([text], None, out, "WideBand", 1)
    return load_clm(out).lower_case


def test_training_learns_which_words_its_text_writes_in_lower_case_inside_sentences(lower_case) -> None:
    assert {"struvite", "covenant", "zebra", "breaker"} <= lower_case
    # written with a capital inside a sentence ("to Feeder CH-14"), or only where a line,
    # a label or a sentence starts: the text establishes no lower-case spelling
    assert not {"feeder", "auditor", "gary", "p", "diet"} & lower_case


def test_a_capital_the_text_writes_in_lower_case_is_lowered_inside_a_sentence(lower_case) -> None:
    assert recased_text("The urinalysis showed Struvite crystals.", lower_case) == (
        "The urinalysis showed struvite crystals.", START)
    assert recased_text(" The Covenant requires a ratio below three, and the Zebra beeps", lower_case) == (
        " The covenant requires a ratio below three, and the zebra beeps", After(False, False))
    assert recased_text('He said "Struvite," twice.', lower_case)[0] == 'He said "struvite," twice.'


def test_sentence_starts_names_and_words_the_text_capitalises_keep_their_capitals(lower_case) -> None:
    for text in ("Struvite crystals again. Covenant tests pass.",  # sentence starts
                 "Open the Feeder breaker now.",  # the text writes "Feeder" inside a sentence
                 "We met at the Struvite Covenant Hotel.",  # a run of capitals: a name
                 "Call Gary about the STRUVITE order and the iStruvite app.",  # all caps, inner capital
                 "Then I checked it, and I'm sure.",
                 # sentences that end in a number or an abbreviation (no word of letters alone)
                 "Bring the crib up to 5.19? Struvite crystals again.", "It cost $187. Covenant tests pass.",
                 "Shipped from the U.S. Covenant tests pass."):
        assert recased_text(text, lower_case)[0] == text


def test_recognition_reads_a_sentence_across_segments_in_text_and_words(lower_case) -> None:
    first = Segment(0.0, 2.0, " The urinalysis showed", [Word(0.0, 0.4, " The", 0.9),
                                                         Word(0.4, 1.2, " urinalysis", 0.9),
                                                         Word(1.2, 2.0, " showed", 0.9)])
    second = Segment(2.0, 3.0, " Struvite crystals.", [Word(2.0, 2.6, " Struvite", 0.8),
                                                      Word(2.6, 3.0, " crystals.", 0.9)])
    third = Segment(3.0, 4.0, " Struvite again.", [Word(3.0, 3.5, " Struvite", 0.8), Word(3.5, 4.0, " again.", 0.9)])
    out = recase_recognition(Recognition([first, second, third], 4.0), lower_case)
    assert out.text == "The urinalysis showed struvite crystals. Struvite again."
    assert [w.text for w in out.segments[1].words] == [" struvite", " crystals."]
    assert out.segments[1].words[0].start == 2.0 and out.segments[1].words[0].probability == 0.8
    assert [w.text for w in out.segments[2].words] == [" Struvite", " again."]


def test_stream_words_and_clms_without_the_list_keep_inner_capitals(lower_case) -> None:
    words = [Word(0.0, 0.5, " Check", 0.9), Word(0.5, 1.0, " the", 0.9), Word(1.0, 1.5, " Covenant.", 0.9)]
    assert [w.text for w in recased_words(words, lower_case)[0]] == [" Check", " the", " covenant."]
    assert [w.text for w in words] == [" Check", " the", " Covenant."]  # the caller's list is left alone
    assert [w.text for w in recased_words(words, frozenset())[0]] == [" Check", " the", " Covenant."]
    recognition = Recognition([Segment(0.0, 1.0, " Check the Covenant.", list(words))], 1.0)
    assert recase_recognition(recognition, frozenset()).text == "Check the Covenant."


def test_a_clm_trained_without_the_text_profile_has_no_table(tmp_path: Path) -> None:
    text = tmp_path / "t.txt"
    text.write_text("Open the valve slowly.\n" * 5, encoding="utf-8")
    out = tmp_path / "t.clm"
    train_clm([text], None, out, "WideBand", 1, whisper_style=False)  # no text profile: nothing learnt
    assert load_clm(out).lower_case == frozenset()


def test_a_sentence_start_written_in_lower_case_gets_its_capital(lower_case) -> None:
    """Whisper opens every sentence with a capital; a fused search wrote some in lower case
    ("absorbable suture. insulin should"). After a sure sentence end the capital comes back;
    after an abbreviation, an initial, dotted letters or an ellipsis nothing changes."""
    for before, after in (("with absorbable suture. insulin should stay cold", "with absorbable suture. Insulin should stay cold"),
                          ("Bring the Lightspeed? package is torn!", "Bring the Lightspeed? Package is torn!"),
                          ("Power on channel 9. the EQ is off. i think so", "Power on channel 9. The EQ is off. I think so"),
                          ('It cost $187. "the rest" waits.', 'It cost $187. "The rest" waits.')):
        assert recased_text(before, frozenset(), After(False, False))[0] == after
    for text in ("See Dr. patel and the U.S. market at 9 a.m. today", "It went so... then stopped.",
                 "Ask J. smith, vs. last year, about iPhone. eBay sells it."):
        assert recased_text(text, frozenset(), After(False, False))[0] == text
    # across segments, and in timed words
    first = Segment(0.0, 1.0, " the abdomen with absorbable suture.", [Word(0.0, 1.0, " suture.", 0.9)])
    second = Segment(1.0, 2.0, " insulin should stay cold.", [Word(1.0, 1.5, " insulin", 0.8), Word(1.5, 2.0, " cold.", 0.9)])
    out = recase_recognition(Recognition([first, second], 2.0), lower_case)
    assert out.text == "The abdomen with absorbable suture. Insulin should stay cold."
    assert [w.text for w in out.segments[1].words] == [" Insulin", " cold."]
    assert recased_words([Word(0.0, 0.5, " U.S.", 0.9)], lower_case)[1] == After(True, False)
