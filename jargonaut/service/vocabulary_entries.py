"""A custom vocabulary's entries, checked by Amazon's rules.

Table format (strongly recommended by Amazon): a header row naming tab-separated columns,
`Phrase` required, `SoundsLike`, `IPA` and `DisplayAs` optional, in any order. A phrase has no
spaces (hyphens join its words: `Los-Angeles`; a hyphen before a lone letter spells it: `A.B.C.`),
a row can't have both `IPA` and `SoundsLike`, `DisplayAs` may hold any characters. List format:
one phrase per line, or the request's `Phrases`.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from jargonaut.asr.vocabulary import phrase_words
from jargonaut.errors import BadRequestError
from jargonaut.service.word_lists import MAX_ENTRY_CHARS, allowed_characters

COLUMNS = ("Phrase", "SoundsLike", "IPA", "DisplayAs")
# IPA symbols: letters of the IPA block and Latin letters, length and stress marks, tie bars.
_IPA = re.compile(r"[a-zA-Z\u0250-\u02AF\u02B0-\u02FF\u0300-\u036F\u1D00-\u1DBFæçðøŋœθ]+")


def entries_from_phrases(phrases: list[str], language: str, where: str = "Phrases") -> list[dict[str, str]]:
    return [{"Phrase": _phrase(p, language, f"{where}, entry {n}")} for n, p in enumerate(phrases, start=1)]


def entries_from_file(text: str, language: str) -> list[dict[str, str]]:
    lines = text.splitlines()
    header = lines[0].split("\t") if lines else []
    if "Phrase" not in [h.strip() for h in header]:
        if any("\t" in line for line in lines):
            raise BadRequestError("The vocabulary table has no header row naming a Phrase column "
                                  "(Phrase, SoundsLike, IPA, DisplayAs, separated by tabs).")
        return entries_from_phrases([line for line in lines if line.strip()], language, "The vocabulary file")
    columns = [h.strip() for h in header]
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown or len(set(columns)) != len(columns):
        raise BadRequestError(
            f"The vocabulary table's header {columns} must name each of {', '.join(COLUMNS)} at most once "
            f"({'unknown: ' + ', '.join(unknown) if unknown else 'a column is repeated'}).")
    entries = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) > len(columns):
            raise BadRequestError(f"Line {number} of the vocabulary table has {len(cells)} columns; the header has {len(columns)}.")
        row = {c: unicodedata.normalize("NFC", v.strip()) for c, v in zip(columns, cells) if v.strip()}
        where = f"line {number} of the vocabulary table"
        if "Phrase" not in row:
            raise BadRequestError(f"The Phrase of {where} is empty.")
        entry = {"Phrase": _phrase(row["Phrase"], language, where)}
        if "IPA" in row and "SoundsLike" in row:
            raise BadRequestError(f"{where.capitalize()} has both IPA and SoundsLike; use one of them.")
        if "SoundsLike" in row:
            pattern = allowed_characters(language)
            if not all(pattern.fullmatch(part) for part in re.split(r"[- ]", row["SoundsLike"]) if part):
                raise BadRequestError(f"The SoundsLike of {where} must be syllables of the {language} character "
                                      "set separated by hyphens (words by spaces).")
            entry["SoundsLike"] = row["SoundsLike"]
        if "IPA" in row:
            if not all(_IPA.fullmatch(symbol) for symbol in row["IPA"].split()):
                raise BadRequestError(f"The IPA of {where} contains characters that aren't IPA symbols.")
            entry["IPA"] = row["IPA"]
        if "DisplayAs" in row:
            if len(row["DisplayAs"]) > MAX_ENTRY_CHARS:
                raise BadRequestError(f"The DisplayAs of {where} is longer than {MAX_ENTRY_CHARS} characters.")
            entry["DisplayAs"] = row["DisplayAs"]
        entries.append(entry)
    if not entries:
        raise BadRequestError("The vocabulary table has a header but no entries.")
    return entries


def _phrase(phrase: str, language: str, where: str) -> str:
    phrase = unicodedata.normalize("NFC", phrase.strip())
    if not phrase:
        raise BadRequestError(f"{where}: the phrase is empty.")
    if len(phrase) >= MAX_ENTRY_CHARS:
        raise BadRequestError(f"{where}: the phrase is {len(phrase)} characters; it must be fewer than {MAX_ENTRY_CHARS}.")
    if " " in phrase or "\t" in phrase:
        raise BadRequestError(f"{where}: the phrase {phrase!r} contains a space; join its words with hyphens "
                              "(Los-Angeles).")
    pattern = allowed_characters(language)
    if not pattern.fullmatch(phrase) or not phrase_words(phrase):
        bad = next((c for c in phrase if not pattern.fullmatch(c) and c not in "'.-"), phrase[:1])
        raise BadRequestError(f"{where}: the phrase {phrase!r} contains the character {bad!r}, which isn't in the "
                              f"{language} character set.")
    return phrase


def as_table(entries: list[dict[str, Any]]) -> str:
    """The vocabulary as Amazon's table format (what GetVocabulary's DownloadUri serves)."""
    rows = ["\t".join(COLUMNS)]
    rows += ["\t".join(entry.get(column, "") for column in COLUMNS) for entry in entries]
    return "\n".join(rows) + "\n"
