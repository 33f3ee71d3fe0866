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


@dataclass
class SearchResult:
    tokens: list[int]
    acoustic: float
    fused: float
    no_speech_prob: float
    alternatives: list[list[int]] = field(default_factory=list)  # the other finished hypotheses

    @property
    def mean_logprob(self) -> float:
        """Acoustic log-probability per token (what thresholds and the biasing guard compare)."""
        return self.acoustic / max(len(self.tokens), 1)
