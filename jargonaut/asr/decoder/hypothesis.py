"""What the beam search passes around: the vocabulary facts it needs, hypotheses, results.
Its own module so the search and every fusion scorer import it, not each other."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Hashable, Sequence

import numpy as np


@dataclass(frozen=True)
class Vocab:
    """What the search needs to know about token ids (from the base model's tokenizer:
    English-only and multilingual Whisper number their special tokens differently)."""

    eot: int
    sot: int
    timestamp_begin: int  # first <|0.00|>
    no_speech: int
    space_start: np.ndarray  # bool per id: the token text starts with a space
    decode: Callable[[Sequence[int]], str]
    sot_prev: int | None = None  # <|startofprev|>: opens the previous-text prompt
    encode: Callable[[str], list[int]] | None = None
    no_timestamps: int | None = None  # <|notimestamps|>
    blank: tuple[int, ...] = (220,)  # " ": never the first token of a window


@dataclass
class Hypothesis:
    tokens: list[int]
    acoustic: float  # sum of token log-probabilities (what thresholds are defined on)
    fused: float  # acoustic + CLM bonuses (what the search ranks on)
    lm_state: Hashable = None
    pending: list[int] = field(default_factory=list)  # tokens of the unfinished word
    partial: float = 0.0  # lookahead bonus of the unfinished word, included in `fused`
    lowest: float = 0.0  # the lowest acoustic log-probability of any text token so far
    free: bool = False  # the last token was left unscored by the CLM (a hesitation, a repeat)
    # each token's acoustic log-probability (`lowest` could be derived from it, but the search
    # updates `lowest` for every candidate: one min each, not a scan of the tokens)
    logprobs: tuple[float, ...] = ()
    # Whisper's likeliest token at each step and its log-probability (kept only where the
    # search restores Whisper's sentence ends, sentence_ends.py)
    tops: tuple[tuple[int, float], ...] = ()

    def after(self, tok: int, lp: float, vocab: Vocab) -> float:
        """`lowest` once `tok` (acoustic log-probability `lp`) is appended."""
        return min(self.lowest, lp) if tok < vocab.eot else self.lowest


@dataclass
class SearchResult:
    tokens: list[int]
    acoustic: float
    fused: float
    no_speech_prob: float
    alternatives: list[list[int]] = field(default_factory=list)  # the other finished hypotheses
    lowest: float = 0.0  # the least likely text token's acoustic log-probability (0: no text)
    logprobs: tuple[float, ...] = ()  # each token's acoustic log-probability

    @property
    def mean_logprob(self) -> float:
        """Acoustic log-probability per token (what thresholds and the biasing guard compare)."""
        return self.acoustic / max(len(self.tokens), 1)
