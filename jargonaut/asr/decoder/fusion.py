"""The seam every scorer fused into the beam search implements: word-level and token-level
CLM fusion, Whisper's internal LM (density ratio), and anything later.

A scorer sees each decoder step's logits first (`observe`: the internal LM takes its
text-only rows there) and then extends hypotheses one candidate token at a time, putting its
bonus into `Hypothesis.fused` (what the search ranks on; `acoustic` stays Whisper's own).
"""
from __future__ import annotations

from typing import Hashable, Protocol

import numpy as np

from jargonaut.asr.decoder.hypothesis import Hypothesis, Vocab


class Fusion(Protocol):
    # Whether the decoder must also return every beam's row decoded without the audio, and
    # what those rows read in each token's place (None: the same tokens).
    text_rows: bool
    text_row_tokens: np.ndarray | None

    def history_state(self, text: str, keep: int = 4) -> Hashable:
        """The scorer's state after earlier text (context carried across windows)."""
        ...

    def observe(self, logits: np.ndarray) -> np.ndarray:
        """A step's logits from the decoder; returns the beams' rows."""
        ...

    def extend(self, h: Hypothesis, beam: int, tok: int, lp: float, closes: bool, vocab: Vocab) -> Hypothesis:
        """`h` (beam number `beam` of this step) followed by `tok` (acoustic log-probability
        `lp`; `closes`: `tok` starts a new word or ends the text), with the bonus in `fused`."""
        ...


class NoFusion:
    """The acoustic score alone (the search without a CLM)."""

    text_rows = False
    text_row_tokens: np.ndarray | None = None

    def history_state(self, text: str, keep: int = 4) -> Hashable:
        return None

    def observe(self, logits: np.ndarray) -> np.ndarray:
        return logits

    def extend(self, h: Hypothesis, beam: int, tok: int, lp: float, closes: bool, vocab: Vocab) -> Hypothesis:
        pending = ([tok] if tok < vocab.eot else []) if closes else h.pending + [tok]
        return Hypothesis(h.tokens + [tok], h.acoustic + lp, h.fused + lp, None, pending, lowest=h.after(tok, lp, vocab),
                          logprobs=h.logprobs + (lp,))
