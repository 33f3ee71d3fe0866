"""Do no harm off the CLM's domain: a window whose fused text the CLM explains poorly is
decoded again without it.

Fusion at a weight that helps on the domain pushes other speech toward the domain's word
sequences ("I'm scared" -> "I just cared"), so a CLM from the wrong domain cost real
conversational speech far more than it ever gains. How well the CLM explains a window is
its mean log-probability per text token of the window's fused hypothesis (context: the
previous window's last words), against the same mean on the CLM's own held-out tuning text
(`-ln token_perplexity` from training): a small CLM is less sure of every text, its own
domain included, so the bar follows each CLM. More than `margin` nats per token below its
own text, the window is treated as off-domain and the search runs again without any fused
scorer: Whisper's own result, from our decoder.
"""
from __future__ import annotations

import logging
import math
from typing import Any, Hashable, Protocol

log = logging.getLogger(__name__)


class FitScorer(Protocol):
    """What the gate needs from a CLM scorer (`TokenFusion` implements it)."""

    def history_state(self, text: str, keep: int = 4) -> Hashable: ...

    def mean_logprob(self, state: Hashable, tokens: list[int]) -> float | None: ...


class DomainGate:
    def __init__(self, scorer: FitScorer, min_fit: float):
        self.scorer, self.min_fit = scorer, min_fit

    def off_domain(self, previous_text: str, tokens: list[int], history_words: int) -> bool:
        fit = self.scorer.mean_logprob(self.scorer.history_state(previous_text, history_words), tokens)
        log.debug("window CLM fit %s over %d tokens", fit, len(tokens))
        return fit is not None and fit < self.min_fit


def domain_gate(fusion: Any, language_model: Any, margin: float | None) -> DomainGate | None:
    """The gate for a fused scorer, or None (gate off, no tuning perplexity in the CLM, or no
    token-level CLM inside `fusion`: wrappers such as the internal LM and phrase boosting hold
    theirs as `inner`)."""
    perplexity = (getattr(language_model, "header", None) or {}).get("token_perplexity")
    if margin is None or not perplexity:
        return None
    while fusion is not None:
        if hasattr(fusion, "mean_logprob"):
            return DomainGate(fusion, -math.log(perplexity) - margin)
        fusion = getattr(fusion, "inner", None)
    return None
