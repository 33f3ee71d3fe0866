"""Tokens that write the same word another way: Whisper's choice, not the CLM's.

Training text has a style of its own: numbers as words or digits ("one to ten" / "1 to 10";
the medical text has both, 17 and 35 times), sentence starts and names cased its way. Fused
as it is, a CLM pushes its style into the transcript, and density ratio makes that worse: it
rewards a token by how much likelier the CLM finds it than Whisper's own text prior does, and
Whisper's prior is sure of its style (digits for a pain scale, a capital after a full stop),
so the form Whisper's prior likes least gets the largest bonus wherever the CLM knows both.
Whisper's "on a scale of 1 to 10, 10 being the worst" became "one to ten, ten being" (and
WER's number normaliser reads "ten, ten" as "1010").

So a token is scored as its word: the CLM by the likeliest of the token's forms (and it goes
on from that form's state), the internal LM likewise (`InternalLM`), whose text rows read a
number's name as its digits (`digits`: the prior of what follows "two to" is that of "2 to"),
and the acoustic score alone chooses the form. Not yet: "one" (mostly a word: "no one") still
reads as itself, so after "one to" Whisper's prior is less sure of "ten" than after "1 to" of
"10", and the aci-bench CLM still writes "on a scale of one to ten"; "7 out of 10" and "5
milligrams" stay digits. Text rows reading digits as names instead broke what goes on after a
digit ("1099s" -> "1,00099"; DEV 8 kHz 306 -> 312 errors). The forms of a
token are single tokens after a space: a number's digits, its one-word name and that name
capitalised (" 10", " ten", " Ten"), and with case-neutral fusion the token with its first
letter's case swapped (" On", " on").
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable, Mapping

import numpy as np

WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
)
AMBIGUOUS = frozenset(("one", "zero"))  # numbers, but mostly words
TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")

Forms = Callable[[int], tuple[int, ...]]  # token -> the other tokens writing its word


def spelled(value: int) -> str | None:
    """The one-word English name of `value` (0-20 and the tens to 90), else None."""
    if 0 <= value < len(WORDS):
        return WORDS[value]
    if value % 10 == 0 and 20 <= value <= 90:
        return TENS[value // 10 - 2]
    return None


def number_forms(encode: Callable[[str], list[int]]) -> dict[int, tuple[int, ...]]:
    """token -> the other single tokens writing the same number (" 10": " ten", " Ten"), for
    every number with a one-word name whose forms are single tokens after a space."""
    out: dict[int, tuple[int, ...]] = {}
    for value in range(100):
        name = spelled(value)
        if name is None:
            continue
        forms = [ids[0] for ids in (encode(f" {text}") for text in (str(value), name, name.capitalize()))
                 if len(ids) == 1]
        if len(forms) < 2:
            continue
        for tok in forms:
            out[tok] = tuple(f for f in forms if f != tok)
    return out


def digits(numbers: Mapping[int, tuple[int, ...]], decode: Callable[[list[int]], str], size: int) -> np.ndarray:
    """token -> token over a vocabulary of `size`: a number's name (" ten", " Ten") to its digits
    (" 10"), every other token to itself. Not the other way: a digit goes on in pieces ("1099s",
    "1.2", "12V") that read as nothing after a name; and not " one" or " zero", mostly words
    ("no one", "zero downtime")."""
    out = np.arange(size, dtype=np.int64)
    for tok, others in numbers.items():
        if decode([tok]).strip().isdigit():
            words = [o for o in others if decode([o]).strip().lower() not in AMBIGUOUS]
            out[words] = tok
    return out


def surface_forms(numbers: Mapping[int, tuple[int, ...]], case_variant: Callable[[int], int | None] | None) -> Forms:
    """A token's other forms: its number's (`numbers`), and its other first-letter casing
    where `case_variant` is given."""

    @lru_cache(maxsize=None)
    def forms(tok: int) -> tuple[int, ...]:
        out = numbers.get(tok, ())
        other = case_variant(tok) if case_variant is not None else None
        return out if other is None or other in out else out + (other,)

    return forms


def no_forms(tok: int) -> tuple[int, ...]:
    return ()
