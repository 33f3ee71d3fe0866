"""Whisper's internal language model, for density-ratio fusion (ILME).

Whisper's decoder carries its own prior over text, learnt from its training transcripts:
it writes "Okay" where a clinic's transcripts write "OK", and splits a drug name it has
never seen into common words. Shallow fusion adds the CLM on top of that prior; internal
LM estimation (Meng et al., 2021) also subtracts it, so the domain's text decides wherever
the audio cannot (spelling variants, rare words):

    score = ln P_whisper(y | x) + alpha ln P_clm(y) - weight ln P_ilm(y) + beta

P_ilm is the same decoder with the audio taken away: cross-attention over an all-zero
encoder output, normalised over text tokens only. The decoder computes it in the same call
as the beams (`new_cache(..., text_rows=True)`: a second block of rows, the same beams
without the audio, whose cross-attention output is a constant per layer). A step with
twice the rows costs ~1.45x one with the beams alone (int8, 2 threads: 7.9 vs 5.4 ms),
against 2x for a second call.
"""
from __future__ import annotations

from typing import Hashable

import numpy as np

from jargonaut.asr.decoder.fusion import Fusion
from jargonaut.asr.decoder.hypothesis import Hypothesis, Vocab
from jargonaut.asr.decoder.model import logsumexp_rows
from jargonaut.asr.decoder.surface_forms import Forms, no_forms


class InternalLM:
    """Per-search state of the internal LM: the weight and the latest text-only rows."""

    def __init__(self, weight: float, eot: int, forms: Forms | None = None):
        self.weight, self.eot = weight, eot
        # A word's prior is Whisper's for it in any form (" 10", " ten"): taking off each
        # form's own would favour the form Whisper's prior likes least (surface_forms.py)
        self.forms = forms or no_forms
        self.logits = np.zeros((0, eot), np.float32)  # beams x text tokens (set by each step)
        self.norm = np.zeros(0, np.float32)  # their log-softmax normaliser per beam

    def split(self, logits: np.ndarray) -> np.ndarray:
        """Take the text-only rows (the second half) from a step's logits; return the beams'."""
        beams = len(logits) // 2
        self.logits = logits[beams:, : self.eot]
        self.norm = logsumexp_rows(self.logits)
        return logits[:beams]

    @property
    def logp(self) -> np.ndarray:
        """ln P_ilm over the text tokens, per beam."""
        return self.logits - self.norm[:, None]

    def token_logp(self, beam: int, tok: int) -> float:
        """ln P_ilm(tok) for a text token of `beam` (its word's likeliest form, see `forms`)."""
        logit = float(self.logits[beam, tok])
        for form in self.forms(tok):
            logit = max(logit, float(self.logits[beam, form]))
        return logit - float(self.norm[beam])

    def exact_logp(self, beam: int, tok: int) -> float:
        """ln P_ilm(tok) of the token as written (no other form: " Covenant" is not " covenant")."""
        return float(self.logits[beam, tok]) - float(self.norm[beam])

    def penalty(self, beam: int, tok: int) -> float:
        """weight * ln P_ilm(tok), subtracted from the fused score (text tokens only)."""
        return self.weight * self.token_logp(beam, tok) if tok < self.eot else 0.0


class DensityRatio:
    """A `Fusion`: another scorer's fusion minus `weight * ln P_ilm` per text token."""

    text_rows = True

    def __init__(self, inner: Fusion, weight: float, eot: int, transparent: frozenset[int] = frozenset(),
                 forms: Forms | None = None, text_row_tokens: np.ndarray | None = None):
        self.inner, self.ilm = inner, InternalLM(weight, eot, forms)
        # The text rows read number names as digits (surface_forms.digits): Whisper's prior
        # after "two to" is less sure of "ten" than after "2 to" of "10", so words won its ratio
        self.text_row_tokens = text_row_tokens
        self.transparent = transparent  # tokens the CLM does not score: no prior taken off either

    def history_state(self, text: str, keep: int = 4) -> Hashable:
        return self.inner.history_state(text, keep)

    def observe(self, logits: np.ndarray) -> np.ndarray:
        return self.inner.observe(self.ilm.split(logits))

    def extend(self, h: Hypothesis, beam: int, tok: int, lp: float, closes: bool, vocab: Vocab) -> Hypothesis:
        new = self.inner.extend(h, beam, tok, lp, closes, vocab)
        if tok not in self.transparent and not new.free:
            new.fused -= self.ilm.penalty(beam, tok)
        return new
