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
        at_start, after_stop, word = self._opens_capitalised(first.tokens), False, ""
        for i, tok in enumerate(tokens):
            if tok >= self.eot:  # timestamps and specials leave the sentence as it is
                continue
            text = self.decode([tok])
            # after a stop, only a new word starts a sentence: "Node.js" and "3.5" go on
            if after_stop and not text.startswith(" "):
                at_start = False
            word = text.lstrip() if text.startswith(" ") else word + text
            if at_start and text.lstrip()[:1].islower():
                upper = self.case_variant(tok)
                if upper is not None:
                    tokens[i] = upper
            after_stop = tok in self.stops
            at_start = after_stop and not _abbreviation(word)
        return second if tokens == second.tokens else dataclasses.replace(second, tokens=tokens)

    def _opens_capitalised(self, tokens: list[int]) -> bool:
        first_text = next((t for t in tokens if t < self.eot), None)
        return first_text is not None and self._initial(first_text).isupper()

    def _initial(self, tok: int) -> str:
        return self.decode([tok]).lstrip()[:1]


TITLES = frozenset(("mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "vs."))


def _abbreviation(word: str) -> bool:
    """A word whose final stop abbreviates rather than ends a sentence: "e.g.", "U.S.", "Dr."."""
    pieces = word[:-1].split(".")
    return all(piece.isalpha() and len(piece) <= 2 for piece in pieces) and (len(pieces) > 1 or len(pieces[0]) == 1) \
        or word.lower() in TITLES
