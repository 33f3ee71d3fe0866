"""Capitals inside a sentence that the CLM's text writes in lower case, lowered.

Whisper writes a capital inside a sentence where its prior reads a name or a title ("The
Covenant requires", "a special order for a Cedar mailbox post"), and a CLM adds some of its
own: a word its text opens lines, labels or cells with ("P: Struvite crystals on sediment")
carries that capital's counts into the middle of a sentence ("the urinalysis showed Struvite
crystals"). The transcript's casing should follow the text only where the text establishes a
word's spelling (issue 12): where the domain's text writes a word inside its sentences, and
there only in lower case (`TextProfile.lower_case_words`, learnt at training), a capital the
transcript gives it inside a sentence is lowered. Left as written: a capital next to another
inside the sentence (a name: "Force Majeure", "Maple Avenue Feeder"), words with a capital
inside or in capitals ("iPhone", "UPC"), "I", and every sentence start.

DEV domains per clip (saved transcripts, 10 domains, 16 / 8 kHz), mid-sentence capitals the
reference writes in lower case: CLM 39 / 42 -> 32 / 33, plain Whisper's 25 / 24 -> 22 / 18;
capitals the reference writes too: 183 / 175 -> 182 / 174 (one brand the retail text writes
in lower case, "zebra"). Word error rate is unchanged by construction (it ignores case).
"""
from __future__ import annotations

import re
from typing import Sequence

from jargonaut.asr.types import Recognition, Word
from jargonaut.lm.text_style import PRONOUN_I, SENTENCE_END

_PIECE = re.compile(r"\S+")
_CORE = re.compile(r"^([^\w']*)(\w[\w'\-]*?)([^\w']*)$")  # opening marks, word, closing marks


def _capitalised(core: str) -> bool:
    """A word written with its first letter alone upper case ("Covenant", not "UPC", "iPhone")."""
    letters = core.replace("'", "")
    return len(letters) > 1 and letters.isalpha() and core[0].isupper() and letters[1:].islower()


def lowered_pieces(pieces: Sequence[str], lower_case: frozenset[str], at_start: bool = True) -> tuple[list[str], bool]:
    """`pieces` (a transcript's words with their marks, in order) with the capitals inside a
    sentence that `lower_case` lists lowered (see the module docstring), and whether the last
    piece ends a sentence. `at_start`: whether the first piece starts a sentence."""
    cores: list[str] = []
    inside: list[bool] = []  # a piece inside a sentence written with a capital
    start = at_start
    for piece in pieces:
        match = _CORE.match(piece)
        core = match.group(2) if match else ""
        cores.append(core)
        inside.append(not start and core[:1].isupper())
        if core or any(c.isalnum() for c in piece):  # "5.19?", "$187." and "U.S." end sentences too
            start = bool(SENTENCE_END.search(piece))
    out = list(pieces)
    for i, core in enumerate(cores):
        if not inside[i] or not _capitalised(core) or core.lower() not in lower_case or core.lower() in PRONOUN_I:
            continue
        if (i > 0 and inside[i - 1]) or (i + 1 < len(pieces) and inside[i + 1]):
            continue  # part of a name
        match = _CORE.match(pieces[i])
        assert match is not None  # core was found above
        out[i] = match.group(1) + core.lower() + match.group(3)
    return out, start


def lowered_text(text: str, lower_case: frozenset[str], at_start: bool = True) -> tuple[str, bool]:
    """`text` with `lowered_pieces` applied, its spacing kept; and whether it ends a sentence."""
    spans = [m.span() for m in _PIECE.finditer(text)]
    pieces, end = lowered_pieces([text[a:b] for a, b in spans], lower_case, at_start)
    out, last = [], 0
    for (a, b), piece in zip(spans, pieces):
        out += [text[last:a], piece]
        last = b
    out.append(text[last:])
    return "".join(out), end


def lowered_words(words: list[Word], lower_case: frozenset[str], at_start: bool = True) -> tuple[list[Word], bool]:
    """Timed words with `lowered_pieces` applied (their leading spaces kept); and whether the
    last ends a sentence."""
    if not lower_case or not words:
        return words, at_start
    written = [w.text.strip() for w in words]
    pieces, end = lowered_pieces(written, lower_case, at_start)
    out = [w if p == was else Word(w.start, w.end, w.text[: len(w.text) - len(w.text.lstrip())] + p, w.probability)
           for w, was, p in zip(words, written, pieces)]
    return out, end


def lower_recognition(recognition: Recognition, lower_case: frozenset[str]) -> Recognition:
    """`recognition` with `lowered_pieces` applied to its segments' texts and words, a sentence
    read across segment boundaries (in place, as `respell_recognition` does)."""
    if not lower_case:
        return recognition
    text_start = words_start = True
    for segment in recognition.segments:
        segment.text, text_start = lowered_text(segment.text, lower_case, text_start)
        segment.words, words_start = lowered_words(segment.words, lower_case, words_start)
    return recognition
