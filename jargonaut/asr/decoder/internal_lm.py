"""Whisper's internal language model, for density-ratio fusion (ILME).

Whisper's decoder carries its own prior over text, learnt from its training transcripts:
it writes "Okay" where a clinic's transcripts write "OK", and splits a drug name it has
never seen into common words. Shallow fusion adds the CLM on top of that prior; internal
LM estimation (Meng et al., 2021) also subtracts it, so the domain's text decides wherever
the audio cannot (spelling variants, rare words):

    score = ln P_whisper(y | x) + alpha ln P_clm(y) - weight ln P_ilm(y) + beta

P_ilm is the same decoder with the audio taken away: cross-attention over an all-zero
encoder output (one frame suffices: every frame would be the same), normalised over text
tokens only. It runs beside the acoustic pass with its own key/value cache, reordered with
the beams, in a helper thread while the acoustic step runs (ONNX Runtime releases the GIL).
Cost (bench.clm_speed, 2 cores): it doubles the decoder's steps, fused/plain RTF 0.97x ->
1.51x run in turn, 1.47x overlapped; a one-thread twin session for it was worse (1.68x).
Next: put its rows in the acoustic step's batch (the int8 output projection dominates a
step and is bound by reading weights, so 10 rows cost little more than 5).
"""
from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np

from jargonaut.asr.decoder.model import StepDecoder, log_softmax


# Each search waits on its own step before the next, so concurrent searches (streams) just
# need a worker each.
_WORKER = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="internal-lm")


class InternalLM:
    """Per-search state of the internal LM: its cache and the latest text log-probs."""

    def __init__(self, decoder: StepDecoder, weight: float, eot: int, width: int):
        self.decoder, self.weight, self.eot = decoder, weight, eot
        self.cross = decoder.cross_kv(np.zeros((1, width), np.float32))
        self.cache: Any = None
        self.logp: np.ndarray | None = None  # beams x text tokens

    def start(self, prompt: list[int]) -> Future:
        """Feed the prompt (in the helper thread); wait on the result before `penalty`."""
        self.cache = self.decoder.new_cache(1)
        return _WORKER.submit(self._feed, np.asarray([prompt], dtype=np.int64))

    def step(self, last: np.ndarray) -> Future:
        """Feed each beam's last token (in the helper thread)."""
        return _WORKER.submit(self._feed, last)

    def _feed(self, tokens: np.ndarray) -> None:
        self._update(self.decoder.forward(tokens, self.cache, self.cross))

    def reorder(self, origins: np.ndarray) -> None:
        self.cache.reorder(origins)

    def penalty(self, beam: int, tok: int) -> float:
        """weight * ln P_ilm(tok), subtracted from the fused score (text tokens only)."""
        return self.weight * float(self.logp[beam, tok]) if tok < self.eot else 0.0

    def _update(self, logits: np.ndarray) -> None:
        self.logp = log_softmax(np.asarray(logits[:, : self.eot], dtype=np.float32))
