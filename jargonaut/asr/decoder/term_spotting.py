"""Domain terms the audio itself supports where an unsure draft heard something else.

Retrieval by likeness (biasing.TermRetriever) finds a term only where the draft spells
something close to it. At 8 kHz Whisper often writes a term as everyday words far from its
spelling ("Arthur" for Argo, "release" for Redis, "Memory" for Mimir), and no likeness bar
that keeps chance matches out reaches those. Whisper's decoder can judge them directly: after
the draft's tokens up to a span it heard unsurely, read each candidate term (and the token
that followed the span) instead of the span, and compare the acoustic log-probability with
the span's own. A term that the audio nearly supports and that the CLM's word model calls
for in that place (term_context.py) is spotted; `FusedGenerator._spotted_fixes` gives the
spotted terms a pass 2 of their own and keeps only their fixes.

One decoder call reads the draft once (`PrefixReader`); each span's candidates then start
from a copy of that cache cut at the span, as a batch of rows, one step per token.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from jargonaut.asr.decoder.acronyms import confusable, spelled_letters
from jargonaut.asr.decoder.biasing import BiasingSettings, TermRetriever
from jargonaut.asr.decoder.hypothesis import SearchResult, Vocab
from jargonaut.asr.decoder.lost_endings import EndingCandidates, replace_words
from jargonaut.asr.decoder.model import StepDecoder, log_softmax

# Nats of the CLM's gain that count: where Whisper heard non-words ("distal gate" for Istio
# gateway) every domain term gains 20 nats or more over them, which says nothing about which.
FIT_CAP = 5.0
# Terms per span start whose CLM gain is computed, likest first: at likeness 50 a medical CLM's
# thousands of terms gave 13,000 lookups in 120 s of consultation (0.5 s), a DEV CLM's few
# hundred far fewer.
MAX_LOOKUPS = 48
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


class PrefixReader:
    """Whisper's decoder over one token sequence, read once, asked what follows any prefix of
    it: a span's candidates share the draft's tokens up to the span, and a draft has many spans."""

    def __init__(self, decoder: StepDecoder, cross: Any, tokens: list[int]):
        self._decoder, self._cross, self._tokens = decoder, cross, tokens
        self._cache = decoder.new_cache(1)
        if len(tokens) > 1:  # the last token is fed with each question (its logits are the answer)
            decoder.forward(np.asarray([tokens[:-1]], dtype=np.int64), self._cache, cross)

    def logprobs(self, length: int, continuations: list[list[int]]) -> list[float]:
        """ln P(each continuation | the first `length` tokens), summed over its tokens."""
        decoder, cross = self._decoder, self._cross
        cache = self._cache.upto(length - 1)
        last = np.asarray([[self._tokens[length - 1]]], dtype=np.int64)
        first = log_softmax(decoder.forward(last, cache, cross))[0]
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


def continuation_logprobs(decoder: StepDecoder, cross: Any, prefix: list[int],
                          continuations: list[list[int]]) -> list[float]:
    """ln P(each continuation | prefix), summed over its tokens, by Whisper's decoder."""
    return PrefixReader(decoder, cross, prefix).logprobs(len(prefix), continuations)


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
        starts = sorted({s for s, _ in spans})
        reader: PrefixReader | None = None
        for start in starts:
            picks = self._candidates(words, start, [n for s, n in spans if s == start], judge, spelled)
            if not picks:
                continue
            if reader is None:
                reader = PrefixReader(self._decoder, cross, context + draft.tokens[:words[starts[-1]].start])
            self._keep_spotted(found, self._judge(reader, len(context), draft, words, start, picks))
        return sorted(found, key=lambda t: -found[t])[: settings.spot_max_terms]

    def spot_acronyms(self, cross: Any, context: list[int], draft: SearchResult) -> list[str]:
        """The CLM's acronyms that the draft's words in capitals the text never writes may be
        mishearings of (acronyms.py), where the audio nearly supports them and the CLM calls for
        them there (as `spot` judges a term), best first; sure or unsure, as letters are often
        misheard with confidence."""
        settings, retriever = self._settings, self._retriever
        if settings.spot_margin is None or retriever.context is None or not retriever.acronyms:
            return []
        words = draft_words(draft, self._vocab)
        heard = {i: confusable(w.text, retriever.acronyms) for i, w in enumerate(words)
                 if spelled_letters(w.text) and w.text not in retriever.acronyms}
        heard = {i: found for i, found in heard.items() if found}
        if not heard:
            return []
        judge = retriever.context.draft([w.text for w in words])
        reader = PrefixReader(self._decoder, cross, context + draft.tokens[:words[max(heard)].start])
        found: dict[str, float] = {}
        for i, acronyms in sorted(heard.items()):
            fits = [(judge.gain(i, 1, retriever.context.term_words(a)), a, 1) for a in acronyms]
            picks = [pick for pick in fits if pick[0] > 0]
            if not picks:
                continue
            self._keep_spotted(found, self._judge(reader, len(context), draft, words, i, picks))
        return sorted(found, key=lambda t: -found[t])[: settings.spot_max_terms]

    def _keep_spotted(self, found: dict[str, float], judged: list[tuple[str, float, float]]) -> None:
        """Into `found` (term -> best score), each judged term whose acoustic log-probability plus
        the capped CLM gain is within `spot_margin` of the words heard."""
        settings = self._settings
        assert settings.spot_margin is not None
        for term, acoustic, fit in judged:
            score = acoustic + settings.spot_fit_weight * min(fit, FIT_CAP)
            if score >= -settings.spot_margin and score > found.get(term, -np.inf):
                found[term] = score

    def restore_endings(self, cross: Any, context: list[int], draft: SearchResult, offer: EndingCandidates,
                        margin: float, bar: float | None) -> SearchResult:
        """`draft` with each word whose offered sibling (lost_endings.py) Whisper's decoder reads
        in its place more likely by over `margin` nats written as that sibling (the likeliest);
        only words that, or the token after them, were heard below `bar` (None: every word)."""
        words = draft_words(draft, self._vocab)
        logprobs = draft.logprobs

        def unsure(w: _Word) -> bool:
            return bar is None or min(w.lowest, logprobs[w.end] if w.end < len(logprobs) else 0.0) < bar

        offered = {i: forms for i, forms in ((i, offer(w.text)) for i, w in enumerate(words) if unsure(w)) if forms}
        if not offered:
            return draft
        reader = PrefixReader(self._decoder, cross, context + draft.tokens[:words[max(offered)].start])
        changes = []
        for i, forms in sorted(offered.items()):
            term, acoustic, _ = max(self._judge(reader, len(context), draft, words, i, [(0.0, f, 1) for f in forms]),
                                    key=lambda judged: judged[1])
            if acoustic > margin:
                spaced = bool(self._vocab.space_start[draft.tokens[words[i].start]])
                changes.append((words[i].start, words[i].end, self._encode(term, spaced), acoustic))
        return replace_words(draft, changes, self._vocab) if changes else draft

    def _candidates(self, words: list[_Word], start: int, lengths: list[int], judge: Any,
                    spelled: np.ndarray) -> list[tuple[float, str, int]]:
        """The best `spot_candidates` (CLM gain, term, span words) for the spans
        of `lengths` words from `start`: terms at least `spot_min_likeness` like the span that the
        CLM finds likelier there than the words heard. Gains are computed best likeness first, for
        `MAX_LOOKUPS` terms at most, and stop once no term left could enter."""
        retriever, settings = self._retriever, self._settings
        context_lm = retriever.context
        assert context_lm is not None
        matches: list[tuple[float, int, int]] = []  # (likeness, span words, term index)
        for n in lengths:
            likeness = retriever.likeness([w.text for w in words[start:start + n]])
            matches += [(float(likeness[i]), n, i)
                        for i in np.flatnonzero((likeness >= settings.spot_min_likeness) & ~spelled).tolist()]
        matches.sort(key=lambda m: (-m[0], m[1], m[2]))
        del matches[MAX_LOOKUPS:]
        picks: list[tuple[float, int, int, str, float]] = []  # (rank score, span words, term index, term, gain)
        for like, n, i in matches:
            if len(picks) >= settings.spot_candidates and like + FIT_CAP < picks[settings.spot_candidates - 1][0]:
                break
            term = retriever.terms[i]
            fit = judge.gain(start, n, context_lm.term_words(term))
            if fit > 0:
                picks.append((like + min(fit, FIT_CAP), n, i, term, fit))
                picks.sort(key=lambda p: (-p[0], p[1], p[2]))
        return [(fit, term, n) for _, n, _, term, fit in picks[: settings.spot_candidates]]

    def _judge(self, reader: PrefixReader, context: int, draft: SearchResult, words: list[_Word], start: int,
               picks: list[tuple[float, str, int]]) -> list[tuple[str, float, float]]:
        """Each pick's acoustic log-probability less its span's, and the CLM's gain for it there."""
        vocab = self._vocab
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
        logprobs = reader.logprobs(context + begin, rows)
        scored = []
        for k, (fit, term, n) in enumerate(picks):
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
