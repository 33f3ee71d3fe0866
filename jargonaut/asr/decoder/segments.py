"""A window's segments as pass 1 wrote them: where each lies among the tokens, one segment as a
result of its own, and one replaced.

A long recording's 30 s window holds several sentences. Pass 2 over the whole window dilutes
what retrieval finds (the window's best matches are chance likenesses of words heard surely)
and its guard judges the whole window; pass 2 per segment (`FusedGenerator._segment_passes`)
re-reads one segment with its own glossary, as a single clip gets, after pass 1's tokens up to
that segment, and keeps pass 1's timestamps, so faster-whisper's seek never moves.
"""
from __future__ import annotations

from jargonaut.asr.decoder.hypothesis import SearchResult, Vocab
from jargonaut.lm.normalise import normalise_words

TIMESTAMP_SECONDS = 0.02  # the step between Whisper's timestamp tokens


def segment_spans(tokens: list[int], vocab: Vocab) -> list[tuple[int, int]]:
    """(opening, closing) timestamp positions of each closed segment: a timestamp, text, a
    timestamp. A trailing segment without its closing timestamp is not one."""
    begin = vocab.timestamp_begin
    spans: list[tuple[int, int]] = []
    opening: int | None = None
    for i, tok in enumerate(tokens):
        if tok < begin:
            continue
        if opening is not None and i > opening + 1 and tokens[i - 1] < vocab.eot:
            spans.append((opening, i))
            opening = None
        else:
            opening = i
    return spans


def text_result(tokens: list[int], logprobs: list[float] | tuple[float, ...], vocab: Vocab,
                no_speech_prob: float = 0.0, alternatives: list[list[int]] | None = None,
                fused: float | None = None) -> SearchResult:
    """A result made of these tokens (acoustic score: the sum of their log-probabilities;
    `fused` that as well unless given)."""
    text = [lp for t, lp in zip(tokens, logprobs) if t < vocab.eot]
    acoustic = float(sum(logprobs))
    return SearchResult(list(tokens), acoustic, acoustic if fused is None else fused, no_speech_prob,
                        alternatives or [], min(text, default=0.0), tuple(logprobs))


def segment(result: SearchResult, span: tuple[int, int], vocab: Vocab) -> SearchResult:
    """The segment at `span` (both timestamps included) as a result of its own."""
    lo, hi = span
    return text_result(result.tokens[lo:hi + 1], result.logprobs[lo:hi + 1], vocab)


def replace_segment(result: SearchResult, span: tuple[int, int], new: SearchResult, vocab: Vocab) -> SearchResult:
    """`result` with the segment at `span` replaced by `new` (its timestamps included)."""
    lo, hi = span
    tokens = result.tokens[:lo] + new.tokens + result.tokens[hi + 1:]
    logprobs = result.logprobs[:lo] + tuple(new.logprobs) + result.logprobs[hi + 1:]
    return text_result(tokens, logprobs, vocab, result.no_speech_prob, result.alternatives, result.fused)


def segment_alternatives(result: SearchResult, span: tuple[int, int], vocab: Vocab) -> list[list[int]]:
    """The beam's other endings' text for this segment: those that share pass 1's tokens up to
    it, from there to their next timestamp."""
    lo = span[0]
    head = result.tokens[:lo + 1]
    found = []
    for alt in result.alternatives:
        if alt[:lo + 1] != head:
            continue
        rest = alt[lo + 1:]
        end = next((i for i, t in enumerate(rest) if t >= vocab.eot), len(rest))
        found.append(rest[:end])
    return found


def reads_into_next(draft: str, reread: str, after: str) -> bool:
    """Whether a segment read again (`reread`; pass 1 read it as `draft`) ends with words that open
    the rest of the window (`after`), where the draft did not: pass 2 read on into the next
    segment's speech, so those words would be written twice. Timestamps do not tell: pass 1
    closed "... the pressing<4.88>" and opened "<4.88> plant gets it?", and pass 2, held to
    close by 4.88 s, still wrote "... the pressing plant gets it?" before its timestamp."""
    draft_words, reread_words, after_words = normalise_words(draft), normalise_words(reread), normalise_words(after)
    return any(reread_words[-k:] == after_words[:k] != draft_words[-k:]
               for k in range(1, min(len(reread_words), len(after_words)) + 1))
