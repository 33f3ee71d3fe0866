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
without the audio, whose cross-attention output is a constant per layer). One call with
twice the rows costs far less than a second call, because a step is dominated by reading
the int8 output projection (bench.clm_speed, 2 cores: fused/plain RTF 1.47x with the
internal LM as a second call in a helper thread; see the closing notes for the batched figure).
"""
from __future__ import annotations

import numpy as np

from jargonaut.asr.decoder.model import log_softmax


class InternalLM:
    """Per-search state of the internal LM: the weight and the latest text log-probs."""

    def __init__(self, weight: float, eot: int):
        self.weight, self.eot = weight, eot
        self.logp: np.ndarray | None = None  # beams x text tokens

    def split(self, logits: np.ndarray) -> np.ndarray:
        """Take the text-only rows (the second half) from a step's logits; return the beams'."""
        beams = len(logits) // 2
        self.logp = log_softmax(np.asarray(logits[beams:, : self.eot], dtype=np.float32))
        return logits[:beams]

    def penalty(self, beam: int, tok: int) -> float:
        """weight * ln P_ilm(tok), subtracted from the fused score (text tokens only)."""
        return self.weight * float(self.logp[beam, tok]) if tok < self.eot else 0.0
