"""A general-English unigram prior from `wordfreq` (its data ships inside the PyPI wheel,
so nothing is downloaded at run time).

Domain text of a few hundred thousand words misses many everyday words; without a prior
they all score as <unk>. The CLM's unigram level interpolates with
    p0(w) = (1 - mu) / |V| + mu * q(w)
instead of the uniform distribution alone, where q is wordfreq's English distribution
over the top GENERAL_WORDS words, normalised like training text, and mu is tuned on the
tuning data (perplexity).
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Callable

import numpy as np

from jargonaut.lm.normalise import normalise_words

GENERAL_WORDS = 50_000
#: values of mu tried on the tuning data (0 = uniform only)
MU_CANDIDATES = (0.0, 0.25, 0.5, 0.75, 0.9)
DEFAULT_MU = 0.5


@lru_cache(maxsize=2)
def general_unigrams(n: int = GENERAL_WORDS) -> dict[str, float] | None:
    """Normalised word -> probability (sums to 1), or None when wordfreq is missing."""
    try:
        from wordfreq import get_frequency_dict, top_n_list
    except ImportError:
        return None
    freq = get_frequency_dict("en", wordlist="best")
    out: dict[str, float] = {}
    for word in top_n_list("en", n):
        toks = normalise_words(word)
        if len(toks) == 1:  # "1st" -> first; multi-word expansions carry no clean unigram
            out[toks[0]] = out.get(toks[0], 0.0) + freq[word]
    total = sum(out.values())
    return {w: f / total for w, f in out.items()}


def prior(words: list[str], general: dict[str, float] | None, mu: float, scored: np.ndarray) -> np.ndarray:
    """p0 per word id: uniform over `scored` ids mixed with `general` (renormalised over
    the vocabulary). Ids not scored (<s>) get 0."""
    V = int(scored.sum())
    p = np.where(scored, 1.0 / V, 0.0)
    if general and mu > 0:
        q = np.array([general.get(w, 0.0) for w in words]) * scored
        if q.sum() > 0:
            p = (1 - mu) * p + mu * q / q.sum()
    return p


#: share of a general word's uses written with a capital (sentence starts, names): wordfreq
#: lower-cases everything, Whisper's tokens do not
CAPITALISED_SHARE = 0.15


def token_logprobs(encode: Callable[[str], list[int]], size: int, n: int = GENERAL_WORDS) -> np.ndarray | None:
    """ln P of each of a tokenizer's `size` token ids in general English (-inf for a token no
    general word uses), from wordfreq's `n` commonest words, each written as a transcript writes
    a word (a leading space; lower case, or capitalised `CAPITALISED_SHARE` of the time) and
    split by `encode`: a word's frequency counts for every token of it. None without wordfreq."""
    try:
        from wordfreq import get_frequency_dict, top_n_list
    except ImportError:
        return None
    freq = get_frequency_dict("en", wordlist="best")
    counts = np.zeros(size, np.float64)
    for word in top_n_list("en", n):
        for form, share in ((word, 1.0 - CAPITALISED_SHARE), (word[:1].upper() + word[1:], CAPITALISED_SHARE)):
            ids = [t for t in encode(" " + form) if t < size]
            np.add.at(counts, ids, freq[word] * share)
    with np.errstate(divide="ignore"):
        return np.log(counts / counts.sum())


@lru_cache(maxsize=1 << 16)
def frequency(word: str) -> float | None:
    """wordfreq's frequency of a word in English (0.0: not listed), or None without wordfreq."""
    try:
        from wordfreq import word_frequency
    except ImportError:
        return None
    return word_frequency(word, "en")


ZIPF_FLOOR_FREQUENCY = 1e-9  # Zipf 0: once per billion words, the scale's floor


def zipf(word: str) -> float | None:
    """wordfreq's Zipf frequency of a word in English (0: not listed), or None without wordfreq:
    log10 of its occurrences per billion words, floored at 0 and rounded to wordfreq's 0.01."""
    found = frequency(word)
    return None if found is None else round(math.log10(max(found, ZIPF_FLOOR_FREQUENCY)) + 9, 2)


#: general English's commonest words: "the", "know", "think", "pain"... (see `everyday_share`)
EVERYDAY_WORDS = 1_000


@lru_cache(maxsize=1)
def everyday_words(n: int = EVERYDAY_WORDS) -> frozenset[str] | None:
    """The `n` likeliest normalised words of general English, or None without wordfreq."""
    general = general_unigrams()
    if general is None:
        return None
    return frozenset(sorted(general, key=general.__getitem__, reverse=True)[:n])


def everyday_share(tokens: np.ndarray, words: list[str]) -> float | None:
    """The share of the words in `tokens` (ids into `words`; 0..2 are <unk>, <s>, </s>, and
    <unk> counts as a word) that are among general English's commonest: ~0.8 for
    conversation (consultations, meetings), 0.4-0.6 for documents and notes full of a
    domain's terms. None without words or without wordfreq."""
    common = everyday_words()
    spoken = tokens[(tokens > 2) | (tokens == 0)]
    if common is None or not len(spoken):
        return None
    is_common = np.fromiter((w in common for w in words), bool, len(words))
    return float(is_common[spoken].mean())
