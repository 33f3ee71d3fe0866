"""Beam search over a decoder step, with logit filters and fused scorers.

Seams as in openai/whisper's decoding.py: `LogitFilter`s edit logits in place, a `Fusion`
(fusion.py) scores each candidate extension (word level here, token level in
token_fusion.py, the internal LM in internal_lm.py), `beam_search` expands, and the
`Ranker` chooses what survives each step and which finished hypothesis wins
(CTranslate2's defaults: beam 5, patience 1, length penalty 1 = score / length at the end).
"""
from __future__ import annotations

import bisect
import re
import weakref
from typing import Any, Callable, Hashable, Protocol, Sequence

import numpy as np

from jargonaut.asr.decoder.fusion import Fusion, NoFusion
from jargonaut.asr.decoder.hypothesis import Hypothesis, SearchResult, Vocab
from jargonaut.asr.decoder.model import StepDecoder, log_softmax, logsumexp_rows
from jargonaut.asr.decoder.sentence_ends import SentenceEnds

__all__ = ["Hypothesis", "SearchResult", "Vocab", "WordFusion", "beam_search"]
NEG_INF = np.float32(-np.inf)
_DIGIT = re.compile(r"\d")


# -- logit filters ---------------------------------------------------------------------
class LogitFilter(Protocol):
    def apply(self, logits: np.ndarray, sequences: list[list[int]], step: int) -> None: ...


class SuppressTokens:
    def __init__(self, ids: Sequence[int]):
        self.ids = np.array(sorted(set(ids)), dtype=np.int64)

    def apply(self, logits, sequences, step):
        if len(self.ids):
            logits[:, self.ids] = NEG_INF


class SuppressBlank:
    """No leading blank or immediate end (CTranslate2's suppress_blank)."""

    def __init__(self, vocab: Vocab):
        self.ids = list(vocab.blank) + [vocab.eot]

    def apply(self, logits, sequences, step):
        if step == 0:
            logits[:, self.ids] = NEG_INF


class NoEndBefore:
    """No end (EOT) right after a timestamp below `timestamp` (a timestamp token): a second
    pass over the same audio reads at least as far as the first did, where its prompt would
    otherwise let Whisper close the window early. Ending after text (no closing timestamp)
    stays allowed: faster-whisper reads that as the whole window."""

    def __init__(self, vocab: Vocab, timestamp: int):
        self.vocab, self.timestamp = vocab, timestamp

    def apply(self, logits, sequences, step):
        tb = self.vocab.timestamp_begin
        for b, seq in enumerate(sequences):
            if seq and tb <= seq[-1] < self.timestamp:
                logits[b, self.vocab.eot] = NEG_INF


class OneSegment:
    """Pass 2 of one segment re-reads that segment only: it may close it only on a timestamp in
    [`close_from`, `close_to`] (timestamp tokens; around where pass 1 closed it, so it cannot
    run on into the next sentence or stop short), and ends right after."""

    def __init__(self, vocab: Vocab, close_from: int, close_to: int):
        self.vocab, self.close_from, self.close_to = vocab, close_from, close_to

    def apply(self, logits, sequences, step):
        tb, eot = self.vocab.timestamp_begin, self.vocab.eot
        logits[:, tb:self.close_from] = NEG_INF
        logits[:, self.close_to + 1:] = NEG_INF
        for b, seq in enumerate(sequences):
            if len(seq) >= 2 and seq[-1] >= tb and seq[-2] < eot:
                logits[b, :eot] = NEG_INF
                logits[b, eot + 1 :] = NEG_INF


class TimestampRules:
    """Whisper's timestamp grammar: pairs, non-decreasing, start with one, max initial.
    `before`: tokens the window already holds ahead of the search's own (a forced prefix:
    pass 2 of one segment goes on from pass 1's tokens), which the grammar continues."""

    def __init__(self, vocab: Vocab, max_initial_timestamp_index: int | None = 50, before: Sequence[int] = ()):
        self.vocab = vocab
        self.max_initial = max_initial_timestamp_index
        self.before = list(before[-2:])
        self.before_stamp = max((t for t in before if t >= vocab.timestamp_begin), default=None)

    def apply(self, logits, sequences, step):
        tb, eot = self.vocab.timestamp_begin, self.vocab.eot
        for b, seq in enumerate(sequences):
            tail = seq[-2:] if len(seq) >= 2 else self.before[len(seq):] + list(seq)
            last_ts = len(tail) >= 1 and tail[-1] >= tb
            penult_ts = len(tail) < 2 or tail[-2] >= tb
            if last_ts:
                if penult_ts:
                    logits[b, tb:] = NEG_INF  # a pair is closed: text must follow
                else:
                    logits[b, :eot] = NEG_INF  # an open timestamp: close it or end
            stamp = next((t for t in reversed(seq) if t >= tb), self.before_stamp)
            if stamp is not None:
                floor = stamp if (last_ts and not penult_ts) else stamp + 1
                logits[b, tb:floor] = NEG_INF  # never go back in time
        if step == 0 and not self.before:
            logits[:, :tb] = NEG_INF
            if self.max_initial is not None:
                logits[:, tb + self.max_initial + 1 :] = NEG_INF
        # If timestamps together are likelier than any text token, force a timestamp.
        # (compared in logit space: both sides share the softmax normaliser)
        ts = logits[:, tb:]
        ts_max = ts.max(-1)
        with np.errstate(invalid="ignore"):
            ts_mass = ts_max + np.log(np.exp(ts - ts_max[:, None]).sum(-1))
        text_max = logits[:, :tb].max(-1)
        force = np.isfinite(ts_max) & (ts_mass > text_max)
        logits[force, :tb] = NEG_INF


# -- CLM fusion ------------------------------------------------------------------------
class WordScorer(Protocol):
    """A word n-gram model (`jargonaut.lm.model.NgramLM`)."""

    words: list[str]  # id -> word
    ids: dict[str, int]  # word -> id

    # States are the model's own hashable values (NgramLM: a tuple of word ids).
    def begin_state(self) -> Any: ...
    def empty_state(self) -> Any: ...
    def score(self, state: Any, word: str) -> tuple[float, Any]: ...
    def end_score(self, state: Any) -> float: ...
    def best_score(self, state: Any, wids: np.ndarray) -> float: ...


_PREFIX_TABLES: "weakref.WeakKeyDictionary[WordScorer, tuple[list[str], np.ndarray]]" = weakref.WeakKeyDictionary()


def _prefix_tables(lm: WordScorer) -> tuple[list[str], np.ndarray]:
    """Sorted CLM words (no <s>, </s>, <unk>) and their unigram ln P, once per CLM."""
    tables = _PREFIX_TABLES.get(lm)
    if tables is None:
        vocab = sorted(w for w in lm.words if w and not w.startswith("<"))
        empty = lm.empty_state()
        tables = _PREFIX_TABLES[lm] = (vocab, np.asarray([lm.score(empty, w)[0] for w in vocab], np.float32))
    return tables


class WordFusion:
    """Shallow fusion at word level: alpha * ln P(word | history) + beta per CLM word.

    With `lookahead`, an unfinished word already carries alpha * (best ln P of a CLM word
    it can still become, or of <unk>), so subword paths that spell a domain word survive
    pruning before the word is complete; the estimate is replaced when the word closes.
    """

    def __init__(
        self,
        lm: WordScorer,
        alpha: float,
        beta: float,
        normalise: Callable[[str], list[str]],
        lookahead: bool = True,
        exact_range: int = 64,
    ):
        self.lm, self.alpha, self.beta, self.normalise = lm, alpha, beta, normalise
        self.text_rows = False
        self.text_row_tokens: np.ndarray | None = None
        self.end_weight = 0.0  # weight of ln P(</s> | history) when a window ends
        self._cache: dict[tuple[Hashable, str], tuple[float, Hashable]] = {}
        self._partial: dict[tuple[Hashable, str], float] = {}
        self._prefix_uni: dict[str, float] = {}
        self.exact_range = exact_range
        self.lookahead = lookahead and bool(lm.words)
        if self.lookahead:
            self._words, self._uni = _prefix_tables(lm)
            # word ids aligned with _words, for vectorised scoring
            self._ids = np.asarray([lm.ids[w] for w in self._words], np.int32)

    def history_state(self, text: str, keep: int = 4) -> Hashable:
        """CLM state after the last words of earlier text (context across windows)."""
        state = self.lm.begin_state()
        for word in self.normalise(text)[-keep:]:
            state = self.lm.score(state, word)[1]
        return state

    def word(self, state: Hashable, text: str) -> tuple[float, Hashable]:
        """Bonus for completed text (all its normalised words) and the state after it."""
        key = (state, text)
        hit = self._cache.get(key)
        if hit is None:
            total = 0.0
            new = state
            for w in self.normalise(text):
                lp, new = self.lm.score(new, w)
                total += self.alpha * lp + self.beta
            hit = (total, new)
            if len(self._cache) > 500_000:
                self._cache.clear()
            self._cache[key] = hit
        return hit

    def partial(self, state: Hashable, text: str) -> float:
        """Lookahead estimate for an unfinished word (0 without lookahead)."""
        if not self.lookahead:
            return 0.0
        key = (state, text)
        hit = self._partial.get(key)
        if hit is None:
            parts = self.normalise(text)
            if not parts or _DIGIT.search(text):
                hit = 0.0  # numbers are spelled out by the normaliser: no prefix to match
            else:
                done, st = self.word(state, " ".join(parts[:-1])) if len(parts) > 1 else (0.0, state)
                hit = done + self.alpha * self._best(st, parts[-1])
            if len(self._partial) > 500_000:
                self._partial.clear()
            self._partial[key] = hit
        return hit

    def observe(self, logits: np.ndarray) -> np.ndarray:
        return logits

    def extend(self, h: Hypothesis, beam: int, tok: int, lp: float, closes: bool, vocab: Vocab) -> Hypothesis:
        """`h` followed by `tok`: the bonus of the word `tok` closes, and the lookahead
        estimate of the word it starts or continues (replacing the previous estimate)."""
        fused = h.fused + lp - h.partial
        state = h.lm_state
        if closes:
            if h.pending:
                bonus, state = self.word(state, vocab.decode(h.pending))
                fused += bonus
            pending = [tok] if tok < vocab.eot else []
            if tok == vocab.eot and self.end_weight:
                # ending the window must be likely to the CLM too (fewer early stops)
                fused += self.end_weight * self.lm.end_score(state)
        else:
            pending = h.pending + [tok]
        partial = self.partial(state, vocab.decode(pending)) if pending else 0.0
        return Hypothesis(h.tokens + [tok], h.acoustic + lp, fused + partial, state, pending, partial,
                          h.after(tok, lp, vocab), logprobs=h.logprobs + (lp,))

    def _best(self, state: Hashable, prefix: str) -> float:
        """max ln P(w | state) over CLM words w starting with prefix, and over <unk>."""
        lo = bisect.bisect_left(self._words, prefix)
        hi = bisect.bisect_left(self._words, prefix + "\U0010ffff")
        unk = self.lm.score(state, "\u0000")[0]  # any OOV string scores as <unk>
        if hi <= lo:
            return unk
        if hi - lo <= self.exact_range:
            best = self.lm.best_score(state, self._ids[lo:hi])
        else:
            cached = self._prefix_uni.get(prefix)
            if cached is None:
                cached = self._prefix_uni[prefix] = float(self._uni[lo:hi].max())
            best = cached
        return max(best, unk)


# -- beam search -----------------------------------------------------------------------
class Ranker:
    """What survives a step and what wins at the end, apart from how candidates are made:
    the best `beam_size` unfinished candidates by fused score; an ending (EOT) ranked
    within them finishes a hypothesis, until `patience * beam_size` have finished."""

    def __init__(self, beam_size: int, patience: float, length_penalty: float, eot: int):
        self.beam_size, self.length_penalty, self.eot = beam_size, length_penalty, eot
        self.n_keep = max(1, round(beam_size * patience))

    def select(self, candidates: list[tuple[float, int, int, Hypothesis]], beams: list[Hypothesis],
               finished: list[Hypothesis]) -> tuple[list[Hypothesis], list[int]]:
        """The next beams and the beam each came from; endings go to `finished`."""
        candidates.sort(key=lambda c: -c[0])
        next_beams: list[Hypothesis] = []
        origins: list[int] = []
        for _, b, tok, new in candidates:
            if tok == self.eot:
                if len(finished) < self.n_keep:
                    new.tokens = beams[b].tokens  # EOT is not part of the returned sequence
                    finished.append(new)
            else:
                next_beams.append(new)
                origins.append(b)
                if len(next_beams) >= self.beam_size:
                    break  # as whisper/CTranslate2: endings ranked below a full beam are dropped
        return next_beams, origins

    def done(self, finished: list[Hypothesis]) -> bool:
        return len(finished) >= self.n_keep

    def best(self, finished: list[Hypothesis]) -> Hypothesis:
        return max(finished, key=lambda h: h.fused / (max(len(h.tokens), 1) ** self.length_penalty))


def top_k_per_row(logits: np.ndarray, k: int, stride: int = 16) -> list[list[int]]:
    """Each row's `k` largest finite entries, likeliest first (ties: lower id first).

    The same set as a partition of the whole row, found at a fraction of its cost (a full
    `argpartition` over 5 x 51,864 logits took 2.6 ms a step, ~8% of a fused decode): the
    k-th largest of every `stride`-th entry is a floor that the row's own k largest all reach,
    and only the ~k * stride entries at or above it are sorted."""
    sample = logits[:, ::stride]
    floors = (np.partition(sample, sample.shape[1] - k, axis=1)[:, sample.shape[1] - k] if sample.shape[1] >= k
              else np.full(len(logits), -np.inf, np.float32))
    tops: list[list[int]] = []
    for row, floor in zip(logits, floors):
        # a floor of -inf: mostly masked by the filters, few finite entries to sort
        ids = np.flatnonzero(row >= floor) if np.isfinite(floor) else np.flatnonzero(row > -np.inf)
        order = np.lexsort((ids, -row[ids]))[:k]
        tops.append(ids[order].tolist())
    return tops


def acoustic_end(row: np.ndarray, candidates: list[int], eot: int, margin: float) -> bool:
    """Whether ending here is Whisper's call: the EOT logit at most `margin` below the best
    other candidate's (logits share the row's normaliser, so this compares ln P).

    A fused search ranks an ending by the acoustic score alone while every word after it pays
    the CLM, so where the speech goes on in words the CLM finds unlikely (a name it never saw,
    a noisy stretch) ending beats going on: measured on a DEV long recording (DevOps, 8 kHz),
    windows ended after a sentence with ln P(EOT) -2.5 to -4.3 against -0.04 to -1.2 for the
    next word, and faster-whisper then skipped the rest of each 30 s window (542 reference
    words, 286 written; plain 29.6% WER, CLM 58.0%)."""
    best = max((float(row[t]) for t in candidates if t != eot), default=-np.inf)
    return float(row[eot]) >= best - margin


def whisper_token_credit(beams: list[Hypothesis]) -> float:
    """What a timestamp or a sentence end earns in a fused search instead of a fusion score: the
    beam's mean fusion bonus per token so far, if positive. Hypotheses compete at equal token
    counts, and in-domain words earn the CLM's bonus (a medical CLM: ~+0.6 per token), so a
    hypothesis that spent a step on a stop or on a segment's two timestamps trailed one that spent
    it on a word by that much and fell out of the beam, although it scored better once its words
    caught up: fused windows came out unpunctuated ("checked out Okay And before we start could
    you Remind me", Whisper: "checked out. Okay. And before we start, could you remind me").
    With the credit such a step costs what Whisper says of it and forgoes no word's bonus; the
    CLM's own view of a stop is not added (punctuation is Whisper's, and a stop scored twice
    over-punctuated: medical dev 18.0 sentence ends per 100 words, Whisper 14.3). One credit for
    the whole step, never a hypothesis's own mean, which acted as a larger CLM weight at its final
    stop (DEV per clip 16 kHz 164 -> 174 errors). Commas are not credited: at 8 kHz credited
    commas split misheard stretches ("rejected, request, carrying, and")."""
    bonuses = [(h.fused - h.acoustic) / len(h.tokens) for h in beams if h.tokens]
    return max(0.0, sum(bonuses) / len(bonuses)) if bonuses else 0.0


def beam_search(
    decoder: StepDecoder,
    cross: list,
    prompt: list[int],
    vocab: Vocab,
    filters: Sequence[LogitFilter],
    beam_size: int = 5,
    patience: float = 1.0,
    length_penalty: float = 1.0,
    max_length: int = 448,
    fusion: Fusion | None = None,
    lm_state: Hashable = None,
    n_candidates: int | None = None,
    end_margin: float | None = None,
    sentence_ends: SentenceEnds | None = None,
    credited: frozenset[int] | None = None,
) -> SearchResult:
    """Best hypothesis after `prompt`; beam_size 1 is greedy decoding. With `end_margin`, a
    hypothesis may end (EOT) only where Whisper finds the end at most that many nats less
    likely than its likeliest other next token (`acoustic_end`). With `sentence_ends`, the
    best hypothesis gets Whisper's sentence ends back where the fused search left them out.
    With `credited` (the sentence-end tokens; every timestamp too, then), such a token earns the
    beam's mean fusion bonus per token so far instead of its fusion score (`whisper_token_credit`)."""
    fusion = fusion if fusion is not None else NoFusion()
    ranker = Ranker(beam_size, patience, length_penalty, vocab.eot)
    cache = decoder.new_cache(1, text_rows=fusion.text_rows, text_tokens=fusion.text_row_tokens)

    def step_logits(tokens: list[list[int]]) -> np.ndarray:
        return fusion.observe(decoder.forward(np.asarray(tokens, dtype=np.int64), cache, cross))

    # No-speech probability is read at <|startoftranscript|>, before any <|notimestamps|>.
    split = prompt.index(vocab.sot) + 1 if vocab.sot in prompt else len(prompt)
    logits = step_logits([prompt[:split]])
    probs = np.exp(log_softmax(logits[:1]))
    if split < len(prompt):
        logits = step_logits([prompt[split:]])
    no_speech_prob = float(probs[0, vocab.no_speech]) if vocab.no_speech < probs.shape[1] else 0.0
    beams = [Hypothesis([], 0.0, 0.0, lm_state)]
    finished: list[Hypothesis] = []
    max_new = max_length - len(prompt)
    boundary = vocab.space_start.astype(np.float32)  # 1 where a token closes the previous word
    boundary[vocab.eot :] = 1.0
    for step in range(max_new):
        if step > 0:
            logits = step_logits([[h.tokens[-1]] for h in beams])
        logits = np.require(logits, np.float32, ["C", "W"])  # filters edit it in place (a copy only if needed)
        seqs = [h.tokens for h in beams]
        for f in filters:
            f.apply(logits, seqs, step)
        norm = logsumexp_rows(logits)  # ln P = logit - norm, for the candidates only
        # Acoustic top-k per beam; with a CLM a wider k lets it promote rarer spellings.
        k = min(n_candidates or 2 * beam_size, logits.shape[1])
        candidates: list[tuple[float, int, int, Hypothesis]] = []
        tops = top_k_per_row(logits, k)
        credit = whisper_token_credit(beams) if credited is not None else 0.0
        for b, h in enumerate(beams):
            row, row_norm = logits[b], float(norm[b])
            top = tops[b]  # finite logits only: a token a filter masked is never a candidate
            whisper_top = (top[0], float(row[top[0]]) - row_norm)  # what Whisper alone would write next
            for tok in top:
                lp = float(row[tok]) - row_norm
                if tok == vocab.eot and end_margin is not None and not acoustic_end(row, top, vocab.eot, end_margin):
                    continue
                new = fusion.extend(h, b, tok, lp, boundary[tok] > 0, vocab)
                if credited is not None and (tok > vocab.eot or tok in credited):
                    new.fused = h.fused + lp + credit  # the step earns what a word earns on average
                if sentence_ends is not None:
                    new.tops = h.tops + (whisper_top,)
                candidates.append((new.fused, b, tok, new))
        next_beams, origins = ranker.select(candidates, beams, finished)
        if ranker.done(finished) or not next_beams:
            break
        if origins != list(range(len(beams))):  # unchanged beams keep their cache rows
            cache.reorder(np.asarray(origins))
        beams = next_beams
    else:
        finished.extend(beams)  # ran out of room: unfinished hypotheses compete too
    if not finished:
        finished = beams
    best = ranker.best(finished)
    others = [h.tokens for h in finished if h is not best]
    tokens, logprobs, acoustic = best.tokens, best.logprobs, best.acoustic
    if sentence_ends is not None:
        ended = len(logprobs) > len(tokens)  # the EOT step: a place for an end too
        restored, logprobs = sentence_ends.restore(tokens + [vocab.eot] * ended, logprobs, best.tops)
        tokens = restored[: len(restored) - ended]
        acoustic = float(sum(logprobs))
    return SearchResult(tokens, acoustic, best.fused, no_speech_prob, others, best.lowest,
                        logprobs[: len(tokens)])
