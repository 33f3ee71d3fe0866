"""Domain terms the audio itself supports where an unsure draft heard something else.

Retrieval by likeness (biasing.TermRetriever) finds a term only where the draft spells
something close to it. At 8 kHz Whisper often writes a term as everyday words far from its
spelling ("Arthur" for Argo, "release" for Redis, "Memory" for Mimir), and no likeness bar
that keeps chance matches out reaches those. Whisper's decoder can judge them directly: after
the draft's tokens up to a span it heard unsurely, read each candidate term (and the token
that followed the span) instead of the span, and compare the acoustic log-probability with
the span's own. A term that the audio nearly supports and that the CLM's word model calls
for in that place (term_context.py) goes first into pass 2's glossary.

One decoder call reads the shared prefix; the candidates then run as a batch of rows, one
step per token, so a span costs a prefix pass and a few batched steps.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from jargonaut.asr.decoder.biasing import BiasingSettings, TermRetriever
from jargonaut.asr.decoder.hypothesis import SearchResult, Vocab
from jargonaut.asr.decoder.model import StepDecoder, log_softmax

# Nats of the CLM's gain that count: where Whisper heard non-words ("distal gate" for Istio
# gateway) every domain term gains 20 nats or more over them, which says nothing about which.
FIT_CAP = 5.0
MAX_AFTER_TOKENS = 3  # tokens after a span read with it: punctuation, then the next word's first


@dataclass(frozen=True)
class _Word:
    start: int  # index of its first token in the result
    end: int  # one past its last letter-bearing token
    text: str
    lowest: float  # its least likely token's acoustic log-probability


def draft_words(result: SearchResult, vocab: Vocab) -> list[_Word]:
    """The result's text words with where their tokens lie (a space opens a word; a
    punctuation-only token trails the word before it)."""
    words: list[_Word] = []
    start, end, lowest = None, 0, 0.0

    def close() -> None:
        if start is not None:
            text = vocab.decode(result.tokens[start:end]).strip()
            if any(ch.isalnum() for ch in text):
                words.append(_Word(start, end, text, lowest))

    for i, (tok, lp) in enumerate(zip(result.tokens, result.logprobs)):
        if tok >= vocab.eot:
            close()
            start = None
            continue
        piece = vocab.decode([tok])
        if start is None or vocab.space_start[tok]:
            close()
            start, end, lowest = i, i + 1, lp
            continue
        lowest = min(lowest, lp)
        if any(ch.isalnum() for ch in piece):
            end = i + 1
    close()
    return words


def continuation_logprobs(decoder: StepDecoder, cross: Any, prefix: list[int],
                          continuations: list[list[int]]) -> list[float]:
    """ln P(each continuation | prefix), summed over its tokens, by Whisper's decoder."""
    cache = decoder.new_cache(1)
    first = log_softmax(decoder.forward(np.asarray([prefix], dtype=np.int64), cache, cross))[0]
    totals = [float(first[c[0]]) for c in continuations]
    longest = max(len(c) for c in continuations)
    if longest < 2:
        return totals
    cache.reorder(np.zeros(len(continuations), dtype=np.int64))
    for step in range(longest - 1):
        fed = [[c[min(step, len(c) - 1)]] for c in continuations]  # a finished row repeats its last token, unread
        logp = log_softmax(decoder.forward(np.asarray(fed, dtype=np.int64), cache, cross))
        for row, c in enumerate(continuations):
            if step + 1 < len(c):
                totals[row] += float(logp[row, c[step + 1]])
    return totals


class TermSpotter:
    """Spots terms for an unsure draft with the window's decoder and audio (see module doc)."""

    def __init__(self, decoder: StepDecoder, vocab: Vocab, retriever: TermRetriever, settings: BiasingSettings):
        assert vocab.encode is not None
        self._decoder, self._vocab, self._retriever = decoder, vocab, retriever
        self._settings = settings
        self._encoded: dict[str, list[int]] = {}

    def spot(self, cross: Any, context: list[int], draft: SearchResult, bar: float) -> list[str]:
        """Terms for the words of `draft` (decoded after `context`: the prompt and any tokens
        before it) heard below `bar`, best first."""
        settings, retriever = self._settings, self._retriever
        if settings.spot_margin is None or retriever.context is None or not retriever.terms:
            return []
        words = draft_words(draft, self._vocab)
        unsure = [i for i, w in enumerate(words) if w.lowest < bar]
        if not unsure:
            return []
        judge = retriever.context.draft([w.text for w in words])
        spelled = retriever.spelled_in(" ".join(w.text for w in words))
        spans = sorted({(s, n) for i in unsure for n in range(1, settings.max_span_words + 1)
                        for s in range(max(0, i - n + 1), i + 1) if s + n <= len(words)})
        found: dict[str, float] = {}
        for start in sorted({s for s, _ in spans}):
            picks: list[tuple[float, str, int]] = []  # (fit, term, n)
            for s, n in spans:
                if s != start:
                    continue
                likeness = retriever.likeness([w.text for w in words[s:s + n]])
                for i in np.flatnonzero((likeness >= settings.spot_min_likeness) & ~spelled).tolist():
                    term = retriever.terms[i]
                    fit = judge.gain(s, n, retriever.context.term_words(term))
                    if fit > 0:
                        picks.append((float(likeness[i]) + min(fit, FIT_CAP), term, n))
            picks.sort(key=lambda p: -p[0])
            picks = picks[: settings.spot_candidates]
            if picks:
                for term, acoustic, fit in self._judge(cross, context, draft, words, start, picks, judge):
                    score = acoustic + settings.spot_fit_weight * min(fit, FIT_CAP)
                    if score >= -settings.spot_margin and score > found.get(term, -np.inf):
                        found[term] = score
        return sorted(found, key=lambda t: -found[t])[: settings.spot_max_terms]

    def _judge(self, cross: Any, context: list[int], draft: SearchResult, words: list[_Word], start: int,
               picks: list[tuple[float, str, int]], judge: Any) -> list[tuple[str, float, float]]:
        """Each pick's acoustic log-probability less its span's, and the CLM's gain for it there."""
        vocab, context_lm = self._vocab, self._retriever.context
        assert context_lm is not None
        tokens = draft.tokens
        begin = words[start].start
        spaced = bool(vocab.space_start[tokens[begin]])
        rows: list[list[int]] = []
        heard_rows: dict[int, int] = {}
        for _, term, n in picks:
            if n not in heard_rows:
                end = words[start + n - 1].end
                heard_rows[n] = len(rows)
                rows.append(tokens[begin:end] + self._after(tokens, end))
        for _, term, n in picks:
            end = words[start + n - 1].end
            rows.append(self._encode(term, spaced) + self._after(tokens, end))
        logprobs = continuation_logprobs(self._decoder, cross, context + tokens[:begin], rows)
        scored = []
        for k, (_, term, n) in enumerate(picks):
            fit = judge.gain(start, n, context_lm.term_words(term))
            acoustic = logprobs[len(heard_rows) + k] - logprobs[heard_rows[n]]
            scored.append((term, acoustic, fit))
        return scored

    def _after(self, tokens: list[int], end: int) -> list[int]:
        """The tokens after a span up to the next word's first (or a timestamp) included."""
        after: list[int] = []
        for tok in tokens[end:end + MAX_AFTER_TOKENS]:
            after.append(tok)
            if tok >= self._vocab.eot or self._vocab.space_start[tok]:
                break
        return after

    def _encode(self, term: str, spaced: bool) -> list[int]:
        key = (" " if spaced else "") + term
        ids = self._encoded.get(key)
        if ids is None:
            assert self._vocab.encode is not None
            ids = self._encoded[key] = self._vocab.encode(key)
        return ids
