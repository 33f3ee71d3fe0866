"""Shallow fusion at token level: alpha * ln P_bpe(token | previous tokens) + beta per text
token, with a CLM trained on Whisper's BPE tokens (`jargonaut.lm.bpe`). Every text token is
scored as it is proposed, so no lookahead is needed; timestamps and specials are not scored.

A token is scored by the likeliest of its surface forms (`forms`, surface_forms.py): a
number's digits and name (" 10", " ten"), and with case-neutral fusion its two first-letter
casings (" And" / " and"), so the CLM chooses words and Whisper how they are written. A small
domain CLM otherwise flattens sentence starts it never saw capitalised (biomed train.txt has
41 " and", no " And": whisper-base + that CLM wrote JFK's "And so" as "and so").
"""
from __future__ import annotations

import math
from typing import Any, Callable, Hashable

import numpy as np

from jargonaut.asr.decoder.hypothesis import Hypothesis, Vocab
from jargonaut.asr.decoder.restarts import Repeating, Restarts
from jargonaut.asr.decoder.surface_forms import Forms, no_forms
from jargonaut.lm.bpe import as_transcript, token_word


class TokenFusion:
    """A `Fusion` over a CLM of one base model's BPE tokens (its tokenizer's ids)."""

    text_rows = False
    text_row_tokens: np.ndarray | None = None

    def __init__(self, lm: Any, alpha: float, beta: float, encode: Callable[[str], list[int]], eot: int,
                 forms: Forms | None = None, transparent: frozenset[int] = frozenset(),
                 restarts: Restarts | None = None, sentence_ends: frozenset[int] = frozenset(),
                 word_start: np.ndarray | None = None):
        self.lm, self.alpha, self.beta, self.encode, self.eot = lm, alpha, beta, encode, eot
        self.forms = forms or no_forms  # token -> the other tokens writing its word (" 10": " ten")
        self.transparent = transparent  # tokens the CLM neither scores nor sees (hesitations)
        self.restarts = restarts  # repeats after a comma: free, like hesitations (restarts.py)
        self.end_weight = 0.0
        # A word after a sentence end is scored as a line of the text starts (sentence_start)
        self._end_ids = frozenset(lm.ids[w] for w in map(token_word, sentence_ends) if w in lm.ids)
        self._word_start = word_start
        # Mixed with a general-English model (`mix_with`): ln share of each, and the model.
        self._ln_share = self._ln_general_share = 0.0
        self.background: Callable[[int, int], float] | None = None  # (beam, token) -> ln P_general
        # A word the text never has in this context, read in Whisper's (`read_unseen_in_context`)
        self._general_tokens: np.ndarray | None = None  # ln P per token in general English
        self._prior: Callable[[int, int], float] | None = None  # (beam, token) -> ln P_whisper, this casing
        self._words: dict[int, str] = {}

    def mix_with(self, background: Callable[[int, int], float], share: float) -> None:
        """Score each token by ln(share * P_clm + (1 - share) * P_general), `background` giving
        ln P_general per (beam, token): Whisper's internal LM, known only once the search's
        density ratio exists, hence set after construction."""
        assert 0.0 < share < 1.0
        self.background, self._ln_share, self._ln_general_share = background, math.log(share), math.log1p(-share)

    def read_unseen_in_context(self, general_tokens: np.ndarray, prior: Callable[[int, int], float]) -> None:
        """Score a word the text never has after the word before it, whose CLM score is its
        unigram backed off from every context, by that unigram times Whisper's prior for it
        here over general English's for it anywhere (`prior`: ln P_whisper of the token as
        written, per beam; `general_tokens`: ln P per token in general English). The unigram
        alone is the same wherever the word goes: a word the text uses often ("well",
        "appendix", "stretch") outbid what Whisper's prior expected there ("putting out 12
        volts" -> "well bolts"), and an ending cut off fitted the next domain word ("a stretch
        timing belt"). Read in context, it keeps what the domain adds over general English
        (a term stays likely in a new sentence) and loses what Whisper finds out of place."""
        self._general_tokens, self._prior = general_tokens, prior

    @property
    def reads_unseen_in_context(self) -> bool:
        """Whether a word the text never has in a context is read in Whisper's (`read_unseen_in_context`)."""
        return self._prior is not None

    @property
    def share(self) -> float:
        """The CLM's share of each token's probability (1.0 unmixed)."""
        return math.exp(self._ln_share) if self.background is not None else 1.0

    def _word(self, tok: int) -> str:
        word = self._words.get(tok)
        if word is None:
            word = self._words[tok] = token_word(tok)
        return word

    def history_state(self, text: str, keep: int = 4) -> Hashable:
        """CLM state after the last tokens of earlier text (context across windows)."""
        state = self.lm.begin_state()
        if text.strip():
            tokens = [t for t in self.encode(as_transcript(text)) if t not in self.transparent]
            for tok in tokens[-(keep * 2):]:
                state = self._read(state, tok)[1]
        return state

    def _sentence_start(self, state: Hashable, tok: int) -> Hashable:
        """The state `tok` is scored from: a word after a sentence end starts from the text's
        line start. Training text is read a line at a time, and most lines are one sentence, so
        "." is rarely followed by anything in the CLM; inside a long recording's window a term
        opening the next sentence then got the CLM's backoff, not what lines start with (DEV
        long recordings lost "Prometheus", "Jaeger", "Datadog" that single clips kept)."""
        if (self._end_ids and self._word_start is not None and isinstance(state, tuple) and state
                and state[-1] in self._end_ids and self._word_start[tok]):
            return self.lm.begin_state()
        return state

    def token(self, state: Hashable, tok: int, beam: int | None = None) -> tuple[float, Hashable]:
        """Bonus for appending `tok` (to `beam`, whose general-English prior mixes in) and the
        state after it."""
        if tok > self.eot:
            return 0.0, state
        if tok == self.eot:
            return self.end_weight * self.lm.end_score(state), state
        if tok in self.transparent:
            return 0.0, state
        lp, new = self._read(state, tok)
        if beam is not None and self.background is not None:
            # A token the text never wrote has no domain evidence: its share is general
            # English's alone (the CLM's unknown-token floor would outbid Whisper's prior for
            # odd word pieces, and density ratio then rewards them: "du Sri", "Benu").
            known = any(self.lm.knows(self._word(form)) for form in (tok,) + self.forms(tok))
            if known and self._unseen_here(state, tok, new):
                assert self._prior is not None and self._general_tokens is not None
                lp = min(0.0, lp + self._prior(beam, tok) - float(self._general_tokens[tok]))
            lp = mixed(lp, self.background(beam, tok), self._ln_share, self._ln_general_share, known)
        return self.alpha * lp + self.beta, new

    def _unseen_here(self, state: Hashable, tok: int, new: Hashable) -> bool:
        """Whether word-start `tok`, read as the form `new` ends with, is a word the text never
        has after the word before it (so its CLM score is its unigram's), and general English
        has an estimate for it (`read_unseen_in_context`)."""
        general, word_start = self._general_tokens, self._word_start
        if general is None or word_start is None or not word_start[tok] or general[tok] == -np.inf:
            return False
        if not isinstance(new, tuple) or not new:  # <unk>: nothing read
            return False
        if self.lm.order > 2:  # states keep the n-gram matched: one word means the unigram
            return len(new) < 2
        before = self._sentence_start(state, tok)
        return not (isinstance(before, tuple) and self.lm.follows(before, new[-1]))

    def _read(self, state: Hashable, tok: int) -> tuple[float, Hashable]:
        """ln P_clm of text token `tok` after `state` as its likeliest form, and the state after
        that form (so what follows is read the same whichever form Whisper wrote)."""
        state = self._sentence_start(state, tok)
        lp, new = self.lm.score(state, self._word(tok))
        for other in self.forms(tok):
            other_lp, other_state = self.lm.score(state, self._word(other))
            if other_lp > lp:
                lp, new = other_lp, other_state
        return lp, new

    def observe(self, logits: np.ndarray) -> np.ndarray:
        return logits

    def extend(self, h: Hypothesis, beam: int, tok: int, lp: float, closes: bool, vocab: Vocab) -> Hypothesis:
        """`h` followed by `tok` with its bonus (word boundaries do not matter here)."""
        bonus, state, free = self._advance(h, tok, beam)
        return Hypothesis(h.tokens + [tok], h.acoustic + lp, h.fused + lp + bonus, state,
                          lowest=h.after(tok, lp, vocab), free=free, logprobs=h.logprobs + (lp,))

    def _advance(self, h: Hypothesis, tok: int, beam: int) -> tuple[float, Hashable, bool]:
        """Bonus, state after `tok`, and whether the CLM left `tok` unscored."""
        state = h.lm_state
        text = tok < self.eot and tok not in self.transparent
        if isinstance(state, Repeating):
            if not text:  # a timestamp, the end or a hesitation inside a repeat
                return self.token(state.state, tok, beam)[0], state, tok < self.eot
            assert self.restarts is not None
            if self.restarts.same(tok, state.expected[0]):
                return 0.0, self._repeating(state.state, state.expected[1:], state.base + (tok,)), True
            state = self._rebuild(state.base)  # the restart goes on in new words
        elif text and self.restarts is not None:
            repeat = self.restarts.start(h.tokens, tok)
            if repeat is not None:
                return 0.0, self._repeating(state, *repeat), True
        bonus, new = self.token(state, tok, beam)
        return bonus, new, tok in self.transparent

    def _repeating(self, before: Hashable, expected: tuple[int, ...], base: tuple[int, ...]) -> Hashable:
        return Repeating(before, expected, base) if expected else self._rebuild(base)

    def _rebuild(self, text: tuple[int, ...]) -> Hashable:
        """The CLM state after `text` (the window's last text tokens, restarts resolved). An
        n-gram state forgets all but the last order - 1 tokens, so reading these from no history
        ends where the search, reading the whole window, would have."""
        state = self.lm.empty_state()
        for tok in text:
            state = self._read(state, tok)[1]
        return state


def mixed(ln_clm: float, ln_general: float, ln_share: float, ln_general_share: float, known: bool) -> float:
    """ln(share * P_clm + (1 - share) * P_general); general English's share alone for what the
    CLM's text never wrote (its unknown-token floor is no evidence)."""
    general = ln_general_share + ln_general
    return logaddexp(ln_share + ln_clm, general) if known else general


def logaddexp(a: float, b: float) -> float:
    """ln(e^a + e^b) for two floats (numpy's ufunc costs more than the sum on scalars)."""
    hi, lo = (a, b) if a >= b else (b, a)
    return hi + math.log1p(math.exp(lo - hi)) if lo != -math.inf else hi
