"""Pass 2 for a window the draft heard surely: which words to look up, which changes to keep.

A 30 s window of a long recording can be sure (high mean acoustic log-probability, no very
unlikely token) and still hold a confident mishearing of a domain term ("Carpenter" for
Karpenter, "crown job" for CronJob, "expensive by" for Expensify). Such windows are looked up
only around words the draft heard less surely than the rest, and of pass 2 only the changes
that spell a retrieved term are kept: the glossary prompt also perturbs words pass 1 had
right ("rack switches advertises" -> "racks which is advertised"), and a change that moves a
timestamp would move faster-whisper's seek (a whole-window pass 2 that ended elsewhere once
sent a finance recording to 47% WER).
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from typing import Callable

from jargonaut.asr.decoder.biasing import Settle, introduces_term, loses_term
from jargonaut.asr.decoder.hypothesis import SearchResult, Vocab
from jargonaut.asr.decoder.segments import text_result

#: a word of a decoded sequence: (token, acoustic log-probability) pairs; a timestamp or a
#: special token is a group of its own
WordGroup = list[tuple[int, float]]


def word_groups(result: SearchResult, vocab: Vocab) -> list[WordGroup]:
    """The result's tokens grouped into words (a token starting with a space opens one)."""
    groups: list[WordGroup] = []
    new_word = True
    for tok, lp in zip(result.tokens, result.logprobs):
        if tok >= vocab.eot:
            groups.append([(tok, lp)])
            new_word = True
        elif new_word or vocab.space_start[tok]:
            groups.append([(tok, lp)])
            new_word = False
        else:
            groups[-1].append((tok, lp))
    return groups


@dataclass(frozen=True)
class UnsureRegion:
    """Draft text around words heard unsurely: `text` to look terms up in, `unsure` the
    words (as heard) that made it."""

    text: str
    unsure: tuple[str, ...]


def unsure_regions(result: SearchResult, vocab: Vocab, bar: float, reach: int,
                   familiar: Callable[[str], bool] | None = None) -> list[UnsureRegion]:
    """The text around each word with a token below `bar` (and not `familiar`): that word and
    `reach` words either side, overlapping regions merged, so every span of up to `reach` + 1
    words holding it lies within one region."""
    words = [g for g in word_groups(result, vocab) if g[0][0] < vocab.eot]
    unsure = [i for i, g in enumerate(words) if min(lp for _, lp in g) < bar
              and not (familiar is not None and familiar(_text(g, vocab)))]
    regions: list[tuple[int, int, list[int]]] = []
    for i in unsure:
        lo, hi = max(0, i - reach), min(len(words), i + reach + 1)
        if regions and lo <= regions[-1][1]:
            regions[-1] = (regions[-1][0], hi, regions[-1][2] + [i])
        else:
            regions.append((lo, hi, [i]))
    return [UnsureRegion(vocab.decode([t for g in words[lo:hi] for t, _ in g]),
                         tuple(_text(words[i], vocab).strip() for i in heard))
            for lo, hi, heard in regions]


def likelier_than_heard(terms: list[str], region: UnsureRegion, unigram: Callable[[str], float]) -> list[str]:
    """The terms the CLM finds likelier on their own (`unigram`: ln P of a text's least likely
    word) than the least likely word heard unsurely in `region`. A term is a fix only for a
    word the domain would not write: "Carpenter" (unknown to a DevOps CLM) may be Karpenter,
    but "All right" or "yeah", heard unsurely in a consultation, are no mishearing of
    "alrighty" or of a transcript's typo "ueah"."""
    heard = min((unigram(word) for word in region.unsure), default=0.0)
    return [term for term in terms if unigram(term) > heard]


def keep_term_fixes(first: SearchResult, second: SearchResult, terms: list[str], vocab: Vocab,
                    kept: frozenset[str] = frozenset(), settle: Settle | None = None) -> SearchResult:
    """Pass 1 with only those of pass 2's changes that spell one of `terms` pass 1 lacked, each
    within one of pass 1's segments (`first` itself when there is none), and none that loses one
    of `kept` (the CLM's terms, squashed) pass 1 spelled there (`biasing.loses_term`: "meets
    coolant" -> "weights cool up" spells the term "weights" but loses "coolant"). The words are
    aligned without timestamps, and pass 1's stay where they were: pass 2's often fall elsewhere
    (its glossary prompt carries none), which must neither hide a fix next to a segment's edge
    nor move faster-whisper's seek."""
    one = word_groups(first, vocab)
    at = [i for i, g in enumerate(one) if g[0][0] < vocab.eot]  # pass 1's words, by position in `one`
    two = [g for g in word_groups(second, vocab) if g[0][0] < vocab.eot]
    keys = [[_key(one[i], vocab) for i in at], [_key(g, vocab) for g in two]]
    fixes: dict[int, tuple[int, list[WordGroup]]] = {}  # first word replaced -> (after the last, new words)
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, keys[0], keys[1], autojunk=False).get_opcodes():
        # a fix respells what was heard: no words added beyond one (a prompt's glossary
        # inserted into the transcript "spells" terms too), and no timestamp inside
        if (op == "replace" and j2 - j1 <= i2 - i1 + 1 and at[i2 - 1] - at[i1] == i2 - i1 - 1
                and introduces_term(" ".join(keys[0][i1:i2]), " ".join(keys[1][j1:j2]), terms, settle)
                and not loses_term(" ".join(keys[0][i1:i2]), " ".join(keys[1][j1:j2]), kept)):
            fixes[at[i1]] = (at[i2 - 1] + 1, two[j1:j2])
    if not fixes:
        return first
    groups: list[WordGroup] = []
    i = 0
    while i < len(one):
        if i in fixes:
            i, new = fixes[i]
            groups += new
        else:
            groups.append(one[i])
            i += 1
    return text_result([t for g in groups for t, _ in g], [lp for g in groups for _, lp in g], vocab,
                       first.no_speech_prob, first.alternatives, first.fused)


def resume_point(tokens: list[int], vocab: Vocab) -> int | None:
    """Where faster-whisper goes on after a window decoded as `tokens` (EOT left off), as its
    `_split_segments_by_timestamps` decides: the timestamp token closing the last whole
    segment, or None for the window's end (no segment pair, or a single timestamp last)."""
    begin = vocab.timestamp_begin
    if len(tokens) >= 2 and tokens[-2] < begin <= tokens[-1]:
        return None
    pairs = [i for i in range(1, len(tokens)) if tokens[i] >= begin and tokens[i - 1] >= begin]
    return tokens[pairs[-1] - 1] if pairs else None


def closed_as(first: SearchResult, second: SearchResult, vocab: Vocab) -> SearchResult:
    """`second` (a pass 2 taken whole) closed by `first`'s last timestamp where `first` ends on a
    single timestamp (no speech after it: the window is read to its end) and `second` ends in
    text, as a glossary pass without timestamps does. With word timestamps (every job)
    faster-whisper goes on from the last word of a window that ends in text, and decoded the
    rest of a short clip's silence as "Thank you."; `resume_point` sees no difference."""
    begin = vocab.timestamp_begin
    ends_single = len(first.tokens) >= 2 and first.tokens[-2] < begin <= first.tokens[-1]
    if not ends_single or not second.tokens or second.tokens[-1] >= begin:
        return second
    return replace(second, tokens=second.tokens + [first.tokens[-1]], logprobs=second.logprobs + (0.0,))


def _text(group: WordGroup, vocab: Vocab) -> str:
    return vocab.decode([t for t, _ in group])


def _key(group: WordGroup, vocab: Vocab) -> str:
    """What a word is compared by: its text, or the token id of a timestamp."""
    tok = group[0][0]
    return f"<{tok}>" if tok >= vocab.eot else _text(group, vocab).strip()
