"""Custom vocabulary boosting inside the beam search: a token trie of the phrases' Whisper tokens.

Each token that continues a phrase earns `weight` (log space) on the hypothesis' fused score;
when the hypothesis leaves the phrase before its end, the bonus it collected on the way is taken
back, so only whole phrases keep their boost (contextual biasing as in k2's ContextGraph). A
finished phrase keeps its bonus. It wraps the CLM's own fusion (if any), so a vocabulary and a
CLM work together: the CLM scores the words, the vocabulary adds its phrases on top.
"""
from __future__ import annotations

import dataclasses
from typing import Callable, Hashable, Iterable

import numpy as np

from jargonaut.asr.decoder.fusion import Fusion, NoFusion
from jargonaut.asr.decoder.hypothesis import Hypothesis, Vocab

DEFAULT_WEIGHT = 1.5  # per matched token; measured on biomed (bench/vocabulary_boost.py)


class PhraseTrie:
    """Token sequences of every spelling a phrase may be decoded with; node 0 is the root."""

    def __init__(self, sequences: Iterable[list[int]]) -> None:
        self.children: list[dict[int, int]] = [{}]
        self.depth: list[int] = [0]
        self.terminal: list[bool] = [False]
        for sequence in sequences:
            node = 0
            for token in sequence:
                child = self.children[node].get(token)
                if child is None:
                    child = len(self.children)
                    self.children[node][token] = child
                    self.children.append({})
                    self.depth.append(self.depth[node] + 1)
                    self.terminal.append(False)
                node = child
            if node:
                self.terminal[node] = True

    def __len__(self) -> int:
        return len(self.children) - 1


def phrase_spellings(words: list[str]) -> set[str]:
    """How Whisper may write a phrase's words: as the vocabulary spells them, in lower case and
    capitalised, after a space (mid-sentence) or not (the first word of a window)."""
    text = " ".join(words)
    forms = {text, text.lower(), text[:1].upper() + text[1:], text.upper() if len(text) <= 5 else text}
    return {prefix + form for form in forms for prefix in (" ", "")}


def build_trie(phrases: list[list[str]], encode: Callable[[str], list[int]]) -> PhraseTrie:
    return PhraseTrie(encode(spelling) for words in phrases for spelling in phrase_spellings(words))


class PhraseBoost:
    """A `Fusion` around `inner` (the CLM's scorer, or none): the inner bonus plus the phrases'.

    Its state is `(inner state, (trie node, bonus not yet kept))`."""

    def __init__(self, inner: Fusion | None, trie: PhraseTrie, weight: float = DEFAULT_WEIGHT) -> None:
        self.inner: Fusion = inner if inner is not None else NoFusion()
        self.text_rows = self.inner.text_rows
        self.text_row_tokens: np.ndarray | None = self.inner.text_row_tokens
        self.trie = trie
        self.weight = weight

    def history_state(self, text: str, keep: int = 4) -> Hashable:
        return (self.inner.history_state(text, keep), (0, 0.0))

    def observe(self, logits: np.ndarray) -> np.ndarray:
        return self.inner.observe(logits)

    def step(self, state: tuple[int, float], token: int) -> tuple[float, tuple[int, float]]:
        """The score change for `token` and the new (node, bonus not yet kept)."""
        node, unkept = state
        child = self.trie.children[node].get(token)
        if child is None:
            delta = -unkept  # the phrase was left unfinished: take its bonus back
            child = self.trie.children[0].get(token)  # maybe a phrase starts here
            if child is None:
                return delta, (0, 0.0)
            node, unkept = 0, 0.0
        else:
            delta = 0.0
        delta += self.weight
        unkept += self.weight
        if self.trie.terminal[child]:
            unkept = 0.0  # a whole phrase: its bonus is kept (it may still go on to a longer one)
        return delta, (child, unkept)

    def extend(self, h: Hypothesis, beam: int, tok: int, lp: float, closes: bool, vocab: Vocab) -> Hypothesis:
        inner_state, boost_state = h.lm_state if isinstance(h.lm_state, tuple) else (None, (0, 0.0))
        extended = self.inner.extend(dataclasses.replace(h, lm_state=inner_state), beam, tok, lp, closes, vocab)
        delta, boost_state = self.step(boost_state, tok)
        return dataclasses.replace(extended, fused=extended.fused + delta, lm_state=(extended.lm_state, boost_state))
