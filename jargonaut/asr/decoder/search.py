"""Beam search over the NumPy decoder, with logit filters and word-level CLM fusion.

Seams as in openai/whisper's decoding.py: `LogitFilter`s edit logits in place, the
`WordFusion` scorer adds `alpha * ln P_clm(word | history) + beta` whenever a hypothesis
completes a word, and `beam_search` ranks hypotheses (CTranslate2's defaults: beam 5,
patience 1, length penalty 1 = score / length at the end).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Hashable, Protocol, Sequence

import numpy as np

from jargonaut.asr.decoder.model import KVCache, WhisperDecoder, log_softmax

NEG_INF = np.float32(-np.inf)


@dataclass(frozen=True)
class Vocab:
    """What the search needs to know about token ids."""

    eot: int
    timestamp_begin: int  # first <|0.00|>; None-like (> vocab) when timestamps are off
    no_speech: int
    space_start: np.ndarray  # bool per id: the token text starts with a space
    decode: Callable[[Sequence[int]], str]


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

    def __init__(self, vocab: Vocab, blank_ids: Sequence[int] = (220,)):
        self.ids = list(blank_ids) + [vocab.eot]

    def apply(self, logits, sequences, step):
        if step == 0:
            logits[:, self.ids] = NEG_INF


class TimestampRules:
    """Whisper's timestamp grammar: pairs, non-decreasing, start with one, max initial."""

    def __init__(self, vocab: Vocab, max_initial_timestamp_index: int | None = 50):
        self.vocab = vocab
        self.max_initial = max_initial_timestamp_index

    def apply(self, logits, sequences, step):
        tb, eot = self.vocab.timestamp_begin, self.vocab.eot
        for b, seq in enumerate(sequences):
            last_ts = len(seq) >= 1 and seq[-1] >= tb
            penult_ts = len(seq) < 2 or seq[-2] >= tb
            if last_ts:
                if penult_ts:
                    logits[b, tb:] = NEG_INF  # a pair is closed: text must follow
                else:
                    logits[b, :eot] = NEG_INF  # an open timestamp: close it or end
            stamps = [t for t in seq if t >= tb]
            if stamps:
                floor = stamps[-1] if (last_ts and not penult_ts) else stamps[-1] + 1
                logits[b, tb:floor] = NEG_INF  # never go back in time
        if step == 0:
            logits[:, :tb] = NEG_INF
            if self.max_initial is not None:
                logits[:, tb + self.max_initial + 1 :] = NEG_INF
        # If timestamps together are likelier than any text token, force a timestamp.
        logp = log_softmax(logits)
        ts_mass = np.logaddexp.reduce(logp[:, tb:], axis=-1)
        text_max = logp[:, :tb].max(-1)
        logits[ts_mass > text_max, :tb] = NEG_INF


# -- CLM fusion ------------------------------------------------------------------------
class WordScorer(Protocol):
    def begin_state(self) -> Hashable: ...
    def score(self, state: Hashable, word: str) -> tuple[float, Hashable]: ...
    def end_score(self, state: Hashable) -> float: ...


class WordFusion:
    """Shallow fusion at word level: alpha * ln P(word | history) + beta per CLM word."""

    def __init__(
        self,
        lm: WordScorer,
        alpha: float,
        beta: float,
        normalise: Callable[[str], list[str]],
    ):
        self.lm, self.alpha, self.beta, self.normalise = lm, alpha, beta, normalise
        self._cache: dict[tuple[Hashable, str], tuple[float, Hashable]] = {}

    def history_state(self, text: str, keep: int = 4) -> Hashable:
        """CLM state after the last words of earlier text (context across windows)."""
        state = self.lm.begin_state()
        for word in self.normalise(text)[-keep:]:
            state = self.lm.score(state, word)[1]
        return state

    def word(self, state: Hashable, text: str) -> tuple[float, Hashable]:
        key = (state, text)
        hit = self._cache.get(key)
        if hit is None:
            total = 0.0
            new = state
            for w in self.normalise(text):
                lp, new = self.lm.score(new, w)
                total += self.alpha * lp + self.beta
            hit = (total, new)
            if len(self._cache) > 200_000:
                self._cache.clear()
            self._cache[key] = hit
        return hit


# -- beam search -----------------------------------------------------------------------
@dataclass
class Hypothesis:
    tokens: list[int]
    acoustic: float  # sum of token log-probabilities (what thresholds are defined on)
    fused: float  # acoustic + CLM bonuses (what the search ranks on)
    lm_state: Hashable = None
    pending: list[int] = field(default_factory=list)  # tokens of the unfinished word


@dataclass
class SearchResult:
    tokens: list[int]
    acoustic: float
    fused: float
    no_speech_prob: float


def beam_search(
    decoder: WhisperDecoder,
    cross: list,
    prompt: Sequence[int],
    vocab: Vocab,
    filters: Sequence[LogitFilter],
    beam_size: int = 5,
    patience: float = 1.0,
    length_penalty: float = 1.0,
    max_length: int = 448,
    fusion: WordFusion | None = None,
    lm_state: Hashable = None,
) -> SearchResult:
    """Best hypothesis after `prompt`; beam_size 1 is greedy decoding."""
    cache: KVCache = decoder.new_cache(1)
    logits = decoder.forward(np.asarray([prompt], dtype=np.int64), cache, cross)
    probs = np.exp(log_softmax(logits[:1]))
    no_speech_prob = float(probs[0, vocab.no_speech]) if vocab.no_speech < probs.shape[1] else 0.0
    beams = [Hypothesis([], 0.0, 0.0, lm_state)]
    finished: list[Hypothesis] = []
    max_new = max_length - len(prompt)
    boundary = vocab.space_start.astype(np.float32)  # 1 where a token closes the previous word
    boundary[vocab.eot :] = 1.0
    n_keep = max(1, round(beam_size * patience))
    for step in range(max_new):
        if step > 0:
            last = np.asarray([[h.tokens[-1]] for h in beams], dtype=np.int64)
            logits = decoder.forward(last, cache, cross)
        logits = np.array(logits, dtype=np.float32, copy=True)
        seqs = [h.tokens for h in beams]
        for f in filters:
            f.apply(logits, seqs, step)
        logp = log_softmax(logits)
        fused = logp + np.asarray([h.fused for h in beams], np.float32)[:, None]
        word_bonus = [(0.0, h.lm_state) for h in beams]
        if fusion is not None:
            word_bonus = [
                fusion.word(h.lm_state, vocab.decode(h.pending)) if h.pending else (0.0, h.lm_state)
                for h in beams
            ]
            bonus = np.asarray([wb[0] for wb in word_bonus], np.float32)
            fused += bonus[:, None] * boundary[None, :]
        k = min(2 * beam_size, fused.size)
        flat = fused.ravel()
        top = np.argpartition(-flat, k - 1)[:k]
        top = top[np.argsort(-flat[top], kind="stable")]
        next_beams: list[Hypothesis] = []
        origins: list[int] = []
        for idx in top:
            b, tok = divmod(int(idx), fused.shape[1])
            if not np.isfinite(flat[idx]):
                break
            h = beams[b]
            closes = boundary[tok] > 0
            state = word_bonus[b][1] if (closes and fusion is not None and h.pending) else h.lm_state
            pending = ([tok] if tok < vocab.eot else []) if closes else h.pending + [tok]
            new = Hypothesis(h.tokens + [tok], h.acoustic + float(logp[b, tok]), float(flat[idx]), state, pending)
            if tok == vocab.eot:
                if len(finished) < n_keep:
                    new.tokens = h.tokens  # EOT is not part of the returned sequence
                    finished.append(new)
            elif len(next_beams) < beam_size:
                next_beams.append(new)
                origins.append(b)
            if len(next_beams) >= beam_size and len(finished) >= n_keep:
                break
        if len(finished) >= n_keep or not next_beams:
            break
        beams = next_beams
        cache.reorder(np.asarray(origins))
    else:
        finished.extend(beams)  # ran out of room: unfinished hypotheses compete too
    if not finished:
        finished = beams

    def final(h: Hypothesis) -> float:
        return h.fused / (max(len(h.tokens), 1) ** length_penalty)

    best = max(finished, key=final)
    return SearchResult(best.tokens, best.acoustic, best.fused, no_speech_prob)
