"""Pass 2 of a sure window keeps only its term fixes, and looks only around unsure words
(decoder/sure_windows.py), with the WideBand base model's real tokenizer."""
from __future__ import annotations

from jargonaut.asr.decoder.gate import WordFit
from jargonaut.asr.decoder.hypothesis import SearchResult
from jargonaut.asr.decoder.sure_windows import (
    UnsureRegion,
    keep_term_fixes,
    likelier_than_heard,
    resume_point,
    unsure_regions,
)
from jargonaut.lm.near_miss import NearMisses
from tests.asr.parts import wideband_parts


def _result(*pieces: str | float, unsure: tuple[str, ...] = ()) -> SearchResult:
    """Tokens of text pieces and timestamps (floats, seconds); every token of a word in
    `unsure` gets log-probability -2, the others -0.1."""
    vocab = wideband_parts().vocab
    assert vocab.encode is not None
    tokens: list[int] = []
    logprobs: list[float] = []
    for piece in pieces:
        if isinstance(piece, float):
            tokens.append(vocab.timestamp_begin + round(piece / 0.02))
            logprobs.append(-0.1)
            continue
        for word in piece.split():
            ids = vocab.encode(" " + word)
            tokens += ids
            logprobs += [-2.0 if word.strip(".,") in unsure else -0.1] * len(ids)
    return SearchResult(tokens, sum(logprobs), sum(logprobs), 0.0, logprobs=tuple(logprobs))


def _text(result: SearchResult) -> str:
    vocab = wideband_parts().vocab
    return vocab.decode([t for t in result.tokens if t < vocab.eot]).strip()


def test_only_the_change_that_spells_a_term_is_kept() -> None:
    first = _result(0.0, "The Data dog agent restarts when the rack switches fail.", 4.0)
    second = _result(0.0, "The Datadog agent restarts when the racks which fail.", 4.0)
    kept = keep_term_fixes(first, second, ["Datadog"], wideband_parts().vocab)
    assert _text(kept) == "The Datadog agent restarts when the rack switches fail."
    assert kept.tokens[0] == first.tokens[0] and kept.tokens[-1] == first.tokens[-1]
    assert len(kept.logprobs) == len(kept.tokens)


def test_a_change_without_a_new_term_or_across_a_segment_edge_is_not_kept() -> None:
    vocab = wideband_parts().vocab
    first = _result(0.0, "The Data dog agent restarts.", 2.0, 2.0, "Then it fails.", 4.0)
    no_term = _result(0.0, "The Data dog agents restart.", 2.0, 2.0, "Then it fails.", 4.0)
    assert keep_term_fixes(first, no_term, ["Datadog"], vocab) is first
    split = _result(0.0, "The Data", 1.0, 1.0, "dog agent restarts.", 2.0, 2.0, "Then it fails.", 4.0)
    joined = _result(0.0, "The Datadog agent restarts.", 2.0, 2.0, "Then it fails.", 4.0)
    assert keep_term_fixes(split, joined, ["Datadog"], vocab) is split  # pass 1's timestamp inside
    # the prompt's glossary written into the transcript adds words: not a respelling
    glossary = _result(0.0, "The Data dog agent restarts, Datadog, Kubernetes.", 2.0, 2.0, "Then it fails.", 4.0)
    assert keep_term_fixes(first, glossary, ["Datadog", "Kubernetes"], vocab) is first


def test_a_fix_that_loses_a_term_pass_one_spelled_is_not_kept() -> None:
    """DEV automotive at 8 kHz: pass 2 spelled the glossary's "weights" and lost "coolant", a
    term rare in general English (Zipf 3.2)."""
    vocab = wideband_parts().vocab
    first = _result(0.0, "The water pump meets coolant from the wheat pole.", 3.0)
    second = _result(0.0, "The water pump weights cool up from the wheat pole.", 3.0)
    clm_terms = frozenset({"coolant", "weights", "patched"})
    assert _text(keep_term_fixes(first, second, ["weights"], vocab)) == _text(second)
    assert keep_term_fixes(first, second, ["weights"], vocab, clm_terms) is first
    # a common word is weak evidence that pass 1 heard it: losing "mute" does not block the fix
    heard = _result(0.0, "Alertmanager and ambition mute warning swallow critical alert fires.", 3.0)
    respelt = _result(0.0, "Alertmanager inhibition needs warnings while a critical alert fires.", 3.0)
    assert keep_term_fixes(heard, respelt, ["Inhibition"], vocab, clm_terms | {"mute"}) is not heard
    # an inflection of the term is no loss: "patch" -> "patched" is the fix itself
    lost = _result(0.0, "We patch the node.", 2.0)
    fixed = _result(0.0, "We patched the node.", 2.0)
    assert _text(keep_term_fixes(lost, fixed, ["patched"], vocab, clm_terms)) == "We patched the node."


def test_a_fix_keeps_pass_one_timestamps_where_pass_two_moved_them() -> None:
    """Pass 2's timestamps fall elsewhere (its prompt carries none): the fix is kept, pass 1's
    segments stay, so faster-whisper's seek does not move."""
    vocab = wideband_parts().vocab
    first = _result(0.0, "The Data dog agent restarts.", 2.0, 2.0, "Then All parib works.", 4.0)
    moved = _result(0.0, "The Datadog", 1.5, 1.5, "agent restarts. Then Olaparib works.", 3.5, 3.5, "Then it", 4.0)
    kept = keep_term_fixes(first, moved, ["Datadog", "Olaparib"], vocab)
    assert _text(kept) == "The Datadog agent restarts. Then Olaparib works."
    assert [t for t in kept.tokens if t >= vocab.timestamp_begin] == [
        t for t in first.tokens if t >= vocab.timestamp_begin]
    assert len(kept.logprobs) == len(kept.tokens)


def test_regions_hold_every_span_around_an_unsure_word() -> None:
    vocab = wideband_parts().vocab
    draft = _result(0.0, "We scale the pods with Carpenter before the nightly batch jobs run.", 5.0,
                    unsure=("Carpenter",))
    regions = unsure_regions(draft, vocab, -1.0, 2)
    assert [(r.text.strip(), r.unsure) for r in regions] == [("pods with Carpenter before the", ("Carpenter",))]
    assert unsure_regions(draft, vocab, -1.0, 2, familiar=lambda text: "Carpenter" in text) == []
    assert unsure_regions(draft, vocab, -3.0, 2) == []
    # two unsure words close together make one region
    two = _result(0.0, "We scale the pods with Carpenter before Kube flow runs.", unsure=("Carpenter", "Kube"))
    assert [(r.text.strip(), r.unsure) for r in unsure_regions(two, vocab, -1.0, 2)] == [
        ("pods with Carpenter before Kube flow runs.", ("Carpenter", "Kube"))]


def test_a_term_fixes_only_a_word_the_clm_finds_less_likely(biomed_clm) -> None:
    """A mishearing the CLM never saw may be its term; a word its text uses more than the
    term ("patients") is no mishearing of it."""
    unigram = WordFit(biomed_clm).unigram
    assert unigram("Hallocase") < unigram("Helicase") < unigram("patients") < 0.0
    assert unigram("apixaban and warfarin") == min(unigram("apixaban"), unigram("warfarin"))

    def region(*heard: str) -> UnsureRegion:
        return UnsureRegion(" ".join(heard), heard)

    assert likelier_than_heard(["Helicase"], region("Hallocase"), unigram) == ["Helicase"]
    assert likelier_than_heard(["Helicase"], region("patients"), unigram) == []
    # the least likely of the words heard unsurely decides
    assert likelier_than_heard(["Helicase"], region("patients", "Hallocase"), unigram) == ["Helicase"]


def test_resume_point_is_where_faster_whisper_seeks_next() -> None:
    vocab = wideband_parts().vocab

    def at(seconds: float) -> int:
        return vocab.timestamp_begin + round(seconds / 0.02)

    # whole segments, then an unfinished one: resume at the last closed segment's end
    assert resume_point(_result(0.0, "One.", 2.0, 2.0, "Two.", 4.0, 4.0, "Thr").tokens, vocab) == at(4.0)
    # a single timestamp last: nothing spoken after it, the window is read to its end
    assert resume_point(_result(0.0, "One.", 2.0, 2.0, "Two.", 4.0).tokens, vocab) is None
    # no segment pair at all (a glossary-prompted pass 2 often writes none): the window's end too
    assert resume_point(_result(0.0, "One. Two. Thr").tokens, vocab) is None


def test_a_near_miss_of_a_term_that_respelling_settles_counts_as_the_term() -> None:
    """Pass 2 that writes a non-word a letter from a term ("pixaban") fixes that term: the
    transcript's respelling (lm/near_miss.py) writes it as the term in the end."""
    vocab = wideband_parts().vocab
    settle = NearMisses(["apixaban", "warfarin", "patient", "started"], {"apixaban": "apixaban"}).fix
    first = _result(0.0, "The patient started to pick up an instead of warfarin.", 4.0)
    second = _result(0.0, "The patient started to pixaban instead of warfarin.", 4.0)
    assert keep_term_fixes(first, second, ["apixaban"], vocab) is first  # exact spellings only
    kept = keep_term_fixes(first, second, ["apixaban"], vocab, settle=settle)
    assert _text(kept) == "The patient started to pixaban instead of warfarin."
    # a real word near a term is no near miss: "apricot" is not settled to "apixaban"
    real_word = _result(0.0, "The patient started apricot instead of warfarin.", 4.0)
    assert keep_term_fixes(first, real_word, ["apixaban"], vocab, settle=settle) is first
