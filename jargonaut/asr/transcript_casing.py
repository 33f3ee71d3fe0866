"""The casing of a CLM's transcript: a sentence starts with a capital, and inside a sentence a
capital the CLM's text writes in lower case is lowered.

Sentence starts. Whisper opens every sentence with a capital; a fused search can write one in
lower case where the CLM knows the word only so ("absorbable suture. insulin should": " insulin"
is one token the CLM's text has, " Insulin" two it lacks) or where a stop was put back between
words the search had run on (decoder/sentence_ends.py). A word in lower case alone that follows a
sure sentence end (a "?" or "!", or a "." after a word of two letters or more or after a number;
not after an abbreviation, an initial, "U.S." or "...") gets its capital back. DEV long recordings
(three parts a domain, 0.6-0.8 s pauses), the CLM's transcripts: 1-3 such starts a band and pause,
plain Whisper's none.

Inside a sentence. Whisper writes a capital inside a sentence where its prior reads a name or a
title ("The Covenant requires", "a special order for a Cedar mailbox post"), and a CLM adds some
of its own: a word its text opens lines, labels or cells with ("P: Struvite crystals on
sediment") carries that capital's counts into the middle of a sentence ("the urinalysis showed
Struvite crystals"). The transcript's casing should follow the text only where the text
establishes a word's spelling (issue 12): where the domain's text writes a word inside its
sentences, and there only in lower case (`TextProfile.lower_case_words`, learnt at training), a
capital the transcript gives it inside a sentence is lowered. Left as written: a capital next to
another inside the sentence (a name: "Force Majeure", "Maple Avenue Feeder"), words with a capital
inside or in capitals ("iPhone", "UPC"), "I", and every sentence start (any piece ending in a stop
ends a sentence here, "U.S." too: lowering is the step to be sure of).

DEV domains per clip (saved transcripts, 10 domains, 16 / 8 kHz), mid-sentence capitals the
reference writes in lower case: CLM 39 / 42 -> 32 / 33, plain Whisper's 25 / 24 -> 22 / 18;
capitals the reference writes too: 183 / 175 -> 182 / 174 (one brand the retail text writes
in lower case, "zebra"). Word error rate is unchanged by construction (it ignores case).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from jargonaut.asr.types import Recognition, Word
from jargonaut.lm.text_style import PRONOUN_I, SENTENCE_END

_PIECE = re.compile(r"\S+")
_CORE = re.compile(r"^([^\w']*)(\w[\w'\-]*?)([^\w']*)$")  # opening marks, word, closing marks
_NUMBER = re.compile(r"^[$\u00a3\u20ac]?\d[\d,.]*%?$")
#: words a "." follows inside sentences ("Dr. Patel", "vs. last year"), as Whisper writes them
ABBREVIATIONS = frozenset("mr mrs ms dr st vs etc approx no inc co jr sr ft mt".split())


def _ends_sentence_surely(piece: str) -> bool:
    """Whether a piece ends a sentence beyond doubt: "?" or "!", or "." after a word of two
    letters or more ("suture.") or a number ("channel 9.", "$187."), not after an abbreviation,
    an initial, a word with dots inside ("U.S.", "a.m.") or an ellipsis."""
    body = piece.rstrip("\"')]\u201d\u2019")
    if body.endswith(("?", "!")):
        return True
    if not body.endswith(".") or body.endswith(".."):
        return False
    word = body[:-1].lstrip("\"'([\u201c\u2018")
    if _NUMBER.match(word):
        return True
    return len(word) > 1 and "." not in word and word.lower() not in ABBREVIATIONS and any(c.isalpha() for c in word)


@dataclass(frozen=True)
class After:
    """Where the text before a piece leaves it: after a sentence end (any stop), and after one
    beyond doubt (`_ends_sentence_surely`)."""

    ended: bool = True
    surely: bool = True


START = After()  # a transcript's (or a stream utterance's) first word


def _capitalised(core: str) -> bool:
    """A word written with its first letter alone upper case ("Covenant", not "UPC", "iPhone")."""
    letters = core.replace("'", "")
    return len(letters) > 1 and letters.isalpha() and core[0].isupper() and letters[1:].islower()


def recased_pieces(pieces: Sequence[str], lower_case: frozenset[str], before: After = START) -> tuple[list[str], After]:
    """`pieces` (a transcript's words with their marks, in order) with a sentence start written
    in lower case capitalised and the capitals inside a sentence that `lower_case` lists lowered
    (see the module docstring), and where the last piece leaves the text. `before`: where the
    text before the first piece left it."""
    matches = [_CORE.match(piece) for piece in pieces]
    cores = [match.group(2) if match else "" for match in matches]
    inside: list[bool] = []  # a piece inside a sentence written with a capital
    opens: list[bool] = []  # a piece that surely opens a sentence
    start, sure = before.ended, before.surely
    for piece, core in zip(pieces, cores):
        inside.append(not start and core[:1].isupper())
        opens.append(sure and bool(core))
        if core or any(c.isalnum() for c in piece):  # "5.19?", "$187." and "U.S." end sentences too
            start, sure = bool(SENTENCE_END.search(piece)), _ends_sentence_surely(piece)
    out = list(pieces)
    for i, (core, match) in enumerate(zip(cores, matches)):
        if opens[i] and core.islower() and core.replace("'", "").replace("-", "").isalpha():
            assert match is not None  # core was found above
            out[i] = match.group(1) + core[0].upper() + core[1:] + match.group(3)
            continue
        if not inside[i] or not _capitalised(core) or core.lower() not in lower_case or core.lower() in PRONOUN_I:
            continue
        if (i > 0 and inside[i - 1]) or (i + 1 < len(pieces) and inside[i + 1]):
            continue  # part of a name
        assert match is not None  # core was found above
        out[i] = match.group(1) + core.lower() + match.group(3)
    return out, After(start, sure)


def recased_text(text: str, lower_case: frozenset[str], before: After = START) -> tuple[str, After]:
    """`text` with `recased_pieces` applied, its spacing kept; and where it leaves the text."""
    spans = [m.span() for m in _PIECE.finditer(text)]
    pieces, end = recased_pieces([text[a:b] for a, b in spans], lower_case, before)
    out, last = [], 0
    for (a, b), piece in zip(spans, pieces):
        out += [text[last:a], piece]
        last = b
    out.append(text[last:])
    return "".join(out), end


def recased_words(words: list[Word], lower_case: frozenset[str], before: After = START) -> tuple[list[Word], After]:
    """Timed words with `recased_pieces` applied (their leading spaces kept; a new list, the
    caller's words unchanged); and where the last leaves the text."""
    if not words:
        return words, before
    written = [w.text.strip() for w in words]
    pieces, end = recased_pieces(written, lower_case, before)
    out = [w if p == was else Word(w.start, w.end, w.text[: len(w.text) - len(w.text.lstrip())] + p, w.probability)
           for w, was, p in zip(words, written, pieces)]
    return out, end


def recase_recognition(recognition: Recognition, lower_case: frozenset[str]) -> Recognition:
    """`recognition` with `recased_pieces` applied to its segments' texts and words, a sentence
    read across segment boundaries (in place, as `respell_recognition` does)."""
    text_at, words_at = START, START
    for segment in recognition.segments:
        segment.text, text_at = recased_text(segment.text, lower_case, text_at)
        segment.words, words_at = recased_words(segment.words, lower_case, words_at)
    return recognition
