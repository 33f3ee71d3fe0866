"""The contract between a custom language model and the decoder that fuses it.

A CLM scores *normalised words* (see `jargonaut.lm.normalise`) left to right. The
decoder keeps one opaque state per hypothesis and asks for the natural-log probability
of the next word given that state (shallow fusion adds `alpha * logprob + beta`).
"""
from __future__ import annotations

from typing import Hashable, Protocol


class WordScorer(Protocol):
    #: base model name and version the CLM was trained for (e.g. "WideBand", 1)
    base_model_name: str
    base_model_version: int

    def begin_state(self) -> Hashable:
        """State at the start of an utterance (after <s>)."""

    def score(self, state: Hashable, word: str) -> tuple[float, Hashable]:
        """ln P(word | state) and the state after it; `word` is already normalised."""

    def end_score(self, state: Hashable) -> float:
        """ln P(</s> | state)."""
