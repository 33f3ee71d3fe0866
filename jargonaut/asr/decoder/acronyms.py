"""Acronyms a draft heard as other letters: "AFC 842" for ASC 842, "BDP peering" for BGP, "the
NBA" for the NDA.

Spelled-out letters are short, and their names rhyme: the E-set (B, C, D, E, G, P, T, V, Z) differ
only in a brief consonant, F, S and X only in their endings, M and N in the nasal. Whisper writes
what it heard as capitals, so it knows letters were spoken, but picks the wrong one of a rhyming
set. A spelling or sound key of three letters cannot tell a neighbour from a stranger (one letter
off is a likeness of 67), so likeness retrieval never reaches a CLM's acronyms; here they are
matched letter by letter instead: a draft word in capitals that the CLM's text does not write
is confusable with an acronym of the text of the same length whose every letter is the same
or a rhyme of it. term_spotting.py then asks Whisper's decoder and the CLM whether the acronym
fits the audio and the sentence there.
"""
from __future__ import annotations

import re

# Letter names that rhyme, as confusion sets of spoken English letters (the E-set of the
# ISOLET letter-recognition literature, and the others by shared vowel and ending).
_RHYMES = ("BCDEGPTVZ", "AHJK", "FSX", "MN", "IY", "QUW")
_SET_OF = {letter: k for k, letters in enumerate(_RHYMES) for letter in letters}
_SPELLED = re.compile(r"^[A-Z]{2,4}$")


def spelled_letters(word: str) -> bool:
    """Whether a draft word is written as letters spoken one by one ("AFC", "NBA")."""
    return bool(_SPELLED.match(word))


def _rhyme(a: str, b: str) -> bool:
    return a == b or (a in _SET_OF and _SET_OF.get(a) == _SET_OF.get(b))


def confusable(heard: str, acronyms: list[str]) -> list[str]:
    """The `acronyms` (capitals, as the text writes them) that `heard` (capitals) may be a
    mishearing of: as long, every letter the same or a rhyme, at least one the same."""
    return [acronym for acronym in acronyms
            if acronym != heard and len(acronym) == len(heard)
            and all(_rhyme(a, b) for a, b in zip(acronym, heard))
            and any(a == b for a, b in zip(acronym, heard))]
