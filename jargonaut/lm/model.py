"""`NgramLM`: a backoff n-gram model over hashed keys, implementing `WordScorer`.

Lookup follows ARPA semantics: p(w | h) = p(h w) if the n-gram h w is stored, else
backoff(h) * p(w | h[1:]). States are tuples of word ids, trimmed to the longest suffix
the model stores (anything longer cannot change a score), so equal histories share
cache entries. OOV words score as <unk> and reset the state.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Iterable

import numpy as np

from jargonaut.lm.hashing import BOS, EOS, SEED, UNK, chain_keys, mix, mix_np
from jargonaut.lm.kneser_ney import OrderTable, find
from jargonaut.lm.normalise import normalise_words

State = tuple[int, ...]
_LN10 = math.log(10.0)


class NgramLM:
    """Word scorer over `tables` (orders 1..N) and `words` (id -> word)."""

    def __init__(
        self, tables: list[OrderTable], words: list[str], base_model_name: str = "",
        base_model_version: int = 0, header: dict | None = None,
    ) -> None:
        self.tables = tables
        self.order = len(tables)
        self.words = words
        self.ids = {w: i for i, w in enumerate(words)}
        self.base_model_name = base_model_name
        self.base_model_version = base_model_version
        self.header = header or {}
        self.terms: list[str] = []  # domain terms in their own spelling, most salient first
        self.spellings: dict[str, str] = {}  # variant -> the domain's spelling (lm.spelling)
        self.lower_case: frozenset[str] = frozenset()  # written only in lower case mid-sentence (asr.transcript_casing)
        self.token_model: NgramLM | None = None  # the same text over Whisper BPE tokens (lm.bpe)
        # Python-side copies of the key arrays' search method (memmaps work too).
        self._cache: dict[tuple[State, int], tuple[float, State]] = {}
        self._cache_limit = 1 << 18  # ~50 MB of entries at most

    # --- WordScorer -------------------------------------------------------------
    def begin_state(self) -> State:
        return (BOS,)

    def empty_state(self) -> State:
        """No history at all (unigram scores), unlike a sentence start."""
        return ()

    def score(self, state: State, word: str) -> tuple[float, State]:
        return self.score_id(state, self.ids.get(word, UNK))

    def knows(self, word: str) -> bool:
        """Whether `word` is in the vocabulary (else it scores as <unk>)."""
        return word in self.ids

    @property
    def text_words(self) -> list[str]:
        """The words of the training text itself: the vocabulary before the general-English
        prior's words, which lm.train adds after the text's."""
        return self.words[: self._text_vocab_size]

    @property
    def _text_vocab_size(self) -> int:
        return len(self.words) - int(self.header.get("general_words", 0))

    def writes(self, word: str) -> bool:
        """Whether the training text itself has `word`, not only the general-English prior."""
        wid = self.ids.get(word)
        return wid is not None and wid < self._text_vocab_size

    def end_score(self, state: State) -> float:
        return self.score_id(state, EOS)[0]

    # --- lookups ---------------------------------------------------------------
    def _row(self, n: int, key: int) -> int:
        keys = self.tables[n - 1].key
        i = int(keys.searchsorted(np.uint64(key)))
        return i if i < len(keys) and int(keys[i]) == key else -1

    def _histories(self, state: State):
        """(history, n, key of history) for each suffix of `state` an n-gram can use, longest first."""
        for j in range(len(state) + 1):
            hist = state[j:]
            n = len(hist) + 1
            if n > self.order:
                continue
            key = SEED
            for w in hist:
                key = mix(key, w)
            yield hist, n, key

    def _context_backoff(self, n: int, key: int) -> float:
        """ln backoff weight of the (n-1)-word history with `key` (0 if not stored)."""
        row = self._row(n - 1, key)
        return float(self.tables[n - 2].backoff[row]) if row >= 0 else 0.0

    def score_id(self, state: State, wid: int) -> tuple[float, State]:
        cached = self._cache.get((state, wid))
        if cached is not None:
            return cached
        backoff = 0.0
        result: tuple[float, State] | None = None
        for hist, n, key in self._histories(state):
            row = self._row(n, mix(key, wid))
            if row >= 0:
                lp = float(self.tables[n - 1].logprob[row]) + backoff
                new = (hist + (wid,))[-(self.order - 1):] if wid != UNK and self.order > 1 else ()
                result = (lp, new)
                break
            if hist:
                backoff += self._context_backoff(n, key)
        if result is None:  # only if <unk> is missing, which `estimate` never produces
            result = (-99.0 * _LN10, ())
        if len(self._cache) >= self._cache_limit:
            self._cache.clear()
        self._cache[(state, wid)] = result
        return result

    def follows(self, state: State, wid: int) -> bool:
        """Whether the text has `wid` right after the last word of `state` (a stored bigram):
        else its score is the unigram's, backed off from every context."""
        if not state or self.order < 2:
            return False
        return self._row(2, mix(mix(SEED, state[-1]), wid)) >= 0

    def best_score(self, state: State, wids: np.ndarray) -> float:
        """max over `wids` (in-vocabulary ids) of score_id(state, w)[0], vectorised: backoff
        weights depend only on the history, so every word backs off along the same chain."""
        best = -np.inf
        todo = np.asarray(wids, dtype=np.int32)
        backoff = 0.0
        for hist, n, key in self._histories(state):
            t = self.tables[n - 1]
            row, ok = find(t.key, mix_np(np.uint64(key), todo))
            if ok.any():
                best = max(best, float(t.logprob[row[ok]].max()) + backoff)
                todo = todo[~ok]
            if not len(todo) or not hist:
                break
            backoff += self._context_backoff(n, key)
        return best

    def unigram_scores(self, words: list[str]) -> np.ndarray:
        """ln p(w) with an empty history for many words at once (== score((), w)[0]);
        vectorised, e.g. for the decoder's prefix lookahead over the whole vocabulary."""
        get = self.ids.get
        ids = np.fromiter((get(w, UNK) for w in words), dtype=np.int32, count=len(words))
        t = self.tables[0]
        row, ok = find(t.key, mix_np(np.uint64(SEED), ids))
        return np.where(ok, t.logprob[row], -99.0 * _LN10).astype(np.float32)

    def score_words(self, words: list[str], bos: bool = True, eos: bool = True) -> list[float]:
        """ln p of each word (and of </s> when `eos`) in one sentence."""
        state: State = self.begin_state() if bos else ()
        out = []
        for w in words:
            lp, state = self.score(state, w)
            out.append(lp)
        if eos:
            out.append(self.end_score(state))
        return out

    # --- vectorised scoring (perplexity, tuning) -------------------------------
    def score_tokens(self, toks: np.ndarray, pos: np.ndarray) -> np.ndarray:
        """ln p of every token after <s> in `toks` (sentences as <s> ... </s>, ids with
        OOV = <unk>); `pos` is each token's position in its sentence. Matches `score_id`."""
        N = self.order
        keys = chain_keys(toks, N)
        best = np.full(len(toks), np.nan)
        longest = np.zeros(len(toks), np.int64)
        for n in range(N, 0, -1):
            sel = np.flatnonzero((pos >= n - 1) & (longest == 0))
            if n == 1:
                sel = sel[pos[sel] >= 1]
            t = self.tables[n - 1]
            row, ok = find(t.key, keys[n][sel])
            hit = sel[ok]
            best[hit] = t.logprob[row[ok]]
            longest[hit] = n
        # Backoffs of every context longer than the matched n-gram, up to N-1 words.
        for k in range(1, N):
            sel = np.flatnonzero((pos >= k) & (longest <= k))
            t = self.tables[k - 1]
            row, ok = find(t.key, keys[k][sel - 1])
            best[sel[ok]] += t.backoff[row[ok]]
        return best[pos >= 1]

    def perplexity(self, sentences: Iterable[list[str]]) -> dict:
        """Perplexity (OOVs scored as <unk>, </s> included) and OOV rate of normalised sentences."""
        toks = token_array(sentences, self.ids)
        return perplexity_of(self, toks)

    def perplexity_text(self, lines: Iterable[str]) -> dict:
        return self.perplexity(w for w in (normalise_words(line) for line in lines) if w)

    # --- export ----------------------------------------------------------------
    def ngram_words(self, n: int) -> np.ndarray:
        """(count, n) matrix of word ids of order-n n-grams, rebuilt from context links."""
        cols = self.tables[0].last[:, None].astype(np.int32)
        for m in range(2, n + 1):
            t = self.tables[m - 1]
            cols = np.hstack([cols[t.ctx_idx], t.last[:, None]])
        return cols

    def to_arpa(self, path: Path) -> None:
        """Write the model as an ARPA file (log10)."""
        with open(path, "w", encoding="utf-8") as f:
            f.write("\\data\\\n")
            for n, t in enumerate(self.tables, 1):
                f.write(f"ngram {n}={len(t)}\n")
            for n, t in enumerate(self.tables, 1):
                f.write(f"\n\\{n}-grams:\n")
                ids = self.ngram_words(n)
                lp = t.logprob.astype(np.float64) / _LN10
                bo = t.backoff.astype(np.float64) / _LN10
                words = self.words
                for i in range(len(t)):
                    text = " ".join(words[w] for w in ids[i])
                    if n < self.order:
                        f.write(f"{lp[i]:.7g}\t{text}\t{bo[i]:.7g}\n")
                    else:
                        f.write(f"{lp[i]:.7g}\t{text}\n")
            f.write("\n\\end\\\n")


def token_array(sentences: Iterable[list[str]], ids: dict[str, int]) -> np.ndarray:
    flat: list[int] = []
    get = ids.get
    for words in sentences:
        flat.append(BOS)
        flat.extend(get(w, UNK) for w in words)
        flat.append(EOS)
    return np.asarray(flat, dtype=np.int32)


def perplexity_of(lm: NgramLM, toks: np.ndarray) -> dict:
    """Perplexity report for a token array made by `token_array`."""
    from jargonaut.lm.counting import sentence_positions

    if len(toks) == 0:
        return {"perplexity": None, "oov_rate": None, "tokens": 0, "oovs": 0}
    pos = sentence_positions(toks)
    lp = lm.score_tokens(toks, pos)
    scored = toks[pos >= 1]
    oovs = int(np.count_nonzero(scored == UNK))
    words = int(np.count_nonzero(scored != EOS))
    return {
        "perplexity": float(math.exp(-lp.sum() / len(lp))),
        "oov_rate": oovs / words if words else 0.0,
        "tokens": int(len(lp)),
        "oovs": oovs,
    }
