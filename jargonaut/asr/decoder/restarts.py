"""Restarts ("Do you, do you have", "I think just, I think it's"): Whisper's to write, like "um".

People restart; Whisper writes the restart and human transcripts keep it. A CLM from fluent
text scores the repeated words as an unlikely new sentence, so the fused search drops them,
and often the words around them ("Um, have you, I had any other..." -> "Have you had any
other..."). Measured on the medical dev split: every error the ACI-Bench-only CLM added over
plain Whisper was a deletion (95 -> 117-129), and each was a restart or its neighbourhood.

So a repeat right after a comma is free: while the tokens copy one of the last few words
before the comma (and what followed it), the CLM scores nothing and keeps its state; when the
copy ends or turns into new words, the CLM goes on from the restart point as if the speaker
had said those words once ("I think just, I think it's" is scored as "I think it's"). Whether
a restart is written stays Whisper's call, and the training text's style neither adds nor
removes any.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Hashable, Sequence

import numpy as np

HISTORY_TOKENS = 32  # a restart reaches back a few words; older text does not matter


@dataclass(frozen=True)
class Repeating:
    """A scorer's state while a repeat is being written."""

    state: Hashable  # the CLM state before the repeat began (what EOT and timestamps see)
    expected: tuple[int, ...]  # the tokens the repeat has still to copy
    base: tuple[int, ...]  # the text as the CLM reads it once the repeat ends (restart resolved)


class Restarts:
    """Finds where a token starts a repeat of words just said."""

    def __init__(self, commas: frozenset[int], stops: frozenset[int], word_start: np.ndarray, eot: int,
                 skip: frozenset[int] = frozenset(), case_variant: Callable[[int], int | None] | None = None,
                 max_words: int = 3):
        self.commas, self.stops, self.word_start, self.eot = commas, stops, word_start, eot
        self.skip = skip  # hesitations: neither words nor marks
        self.case_variant = case_variant
        self.max_words = max_words

    def same(self, tok: int, expected: int) -> bool:
        """Whether `tok` copies `expected` (a sentence start may differ in case: "Do you, do you")."""
        return tok == expected or (self.case_variant is not None and self.case_variant(tok) == expected)

    def start(self, tokens: Sequence[int], tok: int) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
        """For a word-start `tok` after `tokens` (a window's tokens so far): (tokens the repeat has
        still to copy, text the CLM reads with the restart resolved), or None if `tok` is no
        repeat of one of the last `max_words` words before a trailing comma."""
        if tok >= self.eot or not self.word_start[tok] or not self._after_comma(tokens):
            return None
        text = tuple(self._text(tokens))
        said = self._resolved(text[:-1])  # the same for every candidate token of a beam
        point = self._restart_point(said, tok)
        if point is None or self._said_twice(text[:-1], said[point:]):
            return None
        return tuple(said[point + 1:]), tuple(said[: point + 1])

    def _said_twice(self, raw: Sequence[int], span: Sequence[int]) -> bool:
        """Whether `raw` already ends in `span`, a comma, `span`: a third copy is a loop
        ("to the, to the, to the..."), which the CLM must keep resisting, not a restart."""
        n = len(span)
        if len(raw) < 2 * n + 1 or raw[-n - 1] not in self.commas:
            return False
        return self._copies(raw[-n:], span) and self._copies(raw[-2 * n - 1:-n - 1], span)

    def _copies(self, tokens: Sequence[int], span: Sequence[int]) -> bool:
        return all(self.same(a, b) for a, b in zip(tokens, span))

    def resolved(self, text: Sequence[int]) -> list[int]:
        """`text` (text tokens) as the CLM reads it: every restart after a comma resolved."""
        out: list[int] = []
        copying: list[int] = []  # tokens of the current repeat still to match
        for tok in text:
            if copying and self.same(tok, copying[0]):
                copying.pop(0)
                out.append(tok)
                continue
            copying = []
            if out and out[-1] in self.commas and tok < self.eot and self.word_start[tok]:
                point = self._restart_point(out[:-1], tok)
                if point is not None:
                    copying = out[point + 1:-1]
                    del out[point + 1:]
                    continue
            out.append(tok)
        return out

    @lru_cache(maxsize=1024)
    def _resolved(self, text: tuple[int, ...]) -> list[int]:
        return self.resolved(text)

    def _after_comma(self, tokens: Sequence[int]) -> bool:
        for t in reversed(tokens):
            if t < self.eot and t not in self.skip:
                return t in self.commas
        return False

    def _restart_point(self, said: Sequence[int], tok: int) -> int | None:
        """Index in `said` of the word-start token `tok` copies, among its last `max_words` words
        (not past a sentence end), nearest first."""
        words = 0
        for i in range(len(said) - 1, -1, -1):
            t = said[i]
            if t in self.stops:
                return None
            if self.word_start[t]:
                if self.same(tok, t):
                    return i
                words += 1
                if words >= self.max_words:
                    return None
        return None

    def _text(self, tokens: Sequence[int]) -> list[int]:
        """The window's last text tokens, hesitations left out."""
        return [t for t in tokens[-HISTORY_TOKENS:] if t < self.eot and t not in self.skip]
