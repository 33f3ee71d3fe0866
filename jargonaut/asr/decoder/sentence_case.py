"""Sentence casing stays Whisper's through pass 2.

Pass 2's glossary lists each term in its own spelling, mostly as the domain text writes it
mid-sentence ("olaparib"), and Whisper copies that spelling even where a sentence starts
("procedure. olaparib works best"). Whisper itself capitalises sentence starts, so a sentence
start pass 2 wrote in lower case gets its capital back (the same token with its first letter
upper case, where the tokenizer has one)."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable, Sequence

from jargonaut.asr.decoder.hypothesis import SearchResult


@dataclass(frozen=True)
class SentenceCase:
    stops: frozenset[int]  # tokens that end a sentence (".", " ?", "!", ...)
    case_variant: Callable[[int], int | None]  # token -> the same with its first letter's case swapped
    decode: Callable[[Sequence[int]], str]
    eot: int

    def keep(self, first: SearchResult, second: SearchResult) -> SearchResult:
        """`second` with each sentence start it wrote in lower case capitalised: its first word
        where `first` (pass 1 of the same audio) began with a capital, and every word after a
        sentence end."""
        tokens = list(second.tokens)
        at_start = self._opens_capitalised(first.tokens)
        for i, tok in enumerate(tokens):
            if tok >= self.eot:  # timestamps and specials leave the sentence as it is
                continue
            if at_start and self._initial(tok).islower():
                upper = self.case_variant(tok)
                if upper is not None:
                    tokens[i] = upper
            at_start = tok in self.stops
        return second if tokens == second.tokens else dataclasses.replace(second, tokens=tokens)

    def _opens_capitalised(self, tokens: list[int]) -> bool:
        first_text = next((t for t in tokens if t < self.eot), None)
        return first_text is not None and self._initial(first_text).isupper()

    def _initial(self, tok: int) -> str:
        return self.decode([tok]).lstrip()[:1]
