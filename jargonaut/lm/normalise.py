"""Word normalisation shared by CLM training and the decoder.

Training text and Whisper's output words must map to the *same* tokens, so both sides
call `normalise_words`. Rules (deterministic, no locale dependence):

- Unicode NFKC, lower case; typographic apostrophes become "'".
- Words are runs of letters (any script) with intra-word apostrophes ("don't");
  everything else (punctuation, hyphens, slashes) separates words: "PD-1" -> pd one.
- Letters and digits split: "BRCA2" -> brca two, "covid19" -> covid nineteen.
- Numbers are spelled as they are usually spoken: cardinals ("28" -> twenty eight),
  thousands separators ("1,500" -> one thousand five hundred), decimals ("2.5" -> two
  point five), ordinals ("3rd" -> third), years ("1995" -> nineteen ninety five),
  leading zeros and very long numbers digit by digit ("007" -> zero zero seven).
- "%" -> percent, "&" -> and; every other symbol is dropped.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = ((10**9, "billion"), (10**6, "million"), (1000, "thousand"))
_ORDINAL_IRREGULAR = {
    "one": "first", "two": "second", "three": "third", "five": "fifth",
    "eight": "eighth", "nine": "ninth", "twelve": "twelfth",
}

# One pass over the text; group 1: ordinal, 2: number, 3: word, 4: spoken symbol.
_TOKEN = re.compile(
    r"(\d+)(?:st|nd|rd|th)(?![^\W\d_])"
    r"|(\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|\d+\.\d+|\d+)"
    r"|([^\W\d_]+(?:'[^\W\d_]+)*)"
    r"|([%&])"
)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
_SYMBOLS = {"%": "percent", "&": "and"}
_MAX_CARDINAL = 10**12


def _below_thousand(n: int) -> list[str]:
    out: list[str] = []
    if n >= 100:
        out += [_ONES[n // 100], "hundred"]
        n %= 100
    if n >= 20:
        out.append(_TENS[n // 10])
        n %= 10
        if n:
            out.append(_ONES[n])
    elif n or not out:
        out.append(_ONES[n])
    return out


def cardinal(n: int) -> list[str]:
    """Words of a non-negative integer below 10**12 (American style, no "and")."""
    if n < 1000:
        return _below_thousand(n)
    out: list[str] = []
    for value, name in _SCALES:
        if n >= value:
            out += _below_thousand(n // value) + [name]
            n %= value
    if n:
        out += _below_thousand(n)
    return out


def _ordinal(n: int) -> list[str]:
    words = cardinal(n)
    last = words[-1]
    if last in _ORDINAL_IRREGULAR:
        words[-1] = _ORDINAL_IRREGULAR[last]
    elif last.endswith("y"):
        words[-1] = last[:-1] + "ieth"
    else:
        words[-1] = last + "th"
    return words


def _digits(s: str) -> list[str]:
    return [_ONES[int(c)] for c in s]


@lru_cache(maxsize=65536)
def _number(text: str) -> tuple[str, ...]:
    """Spoken form of a digit string, possibly with thousands commas or a decimal point."""
    whole, _, frac = text.replace(",", "").partition(".")
    if len(whole) > 1 and whole[0] == "0" or len(whole) > 12:
        words = _digits(whole)
    else:
        n = int(whole)
        # Four-digit years are read in pairs ("nineteen ninety five", "twenty twenty").
        if "," not in text and not frac and (1100 <= n <= 1999 or 2010 <= n <= 2099):
            hi, lo = divmod(n, 100)
            words = _below_thousand(hi) + (
                ["hundred"] if lo == 0 else ["oh", _ONES[lo]] if lo < 10 else _below_thousand(lo)
            )
        else:
            words = cardinal(n)
    if frac:
        words = words + ["point"] + _digits(frac)
    return tuple(words)


def normalise_words(text: str) -> list[str]:
    """Split `text` into normalised words (see module docstring)."""
    if text.isascii():
        text = text.lower()
    else:
        text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).lower()
    out: list[str] = []
    append = out.append
    for ordinal, number, word, symbol in _TOKEN.findall(text):
        if word:
            append(word)
        elif number:
            out.extend(_number(number))
        elif ordinal:
            n = int(ordinal)
            out.extend(_ordinal(n) if n < _MAX_CARDINAL and ordinal[0] != "0" else _number(ordinal))
        else:
            append(_SYMBOLS[symbol])
    return out
