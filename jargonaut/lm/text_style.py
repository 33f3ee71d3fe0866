"""Training text rewritten the way Whisper writes a transcript, before any model is trained.

The token-level CLM (what the decoder fuses) is trained on the text's own spelling, so it
learns the text's *style* along with its words: a CLM from all-lower-case dialogue wrote
"i'm" and lower-case sentence starts into transcripts, one from verbatim transcripts wrote
"we we did" and "um". Users' text is like that (chat logs, ASR output, exports with speaker
tags, bullet lists, verbatim transcripts), so every line is restyled first:

- speaker tags at line starts ("D:", "Doctor:", "[patient]") that start many lines, bullets and
  list numbers, and bracketed annotations ("[laughter]") are dropped;
- verbatim speech is cleaned as Whisper writes it: fillers ("um", "uh", ", you know,"), false
  starts ("your- your") and stuttered repeats ("we we did", "and and and", "I think I think");
  a repeat written with a comma ("Got it, got it.", "I, I got") stays: transcripts that write
  the comma keep the repeat, as Whisper does;
- contractions a Treebank tokenizer split ("gon na", "wan na", "got ta") are written whole;
- a line that is all lower case or all capitals is recased: each word in the casing the rest of
  the text clearly establishes for it (mixed case "GitHub", acronyms "MRI", names); else, where
  Whisper's own tokenizer spells a capitalised or upper-case form in fewer pieces than the
  lower-case one (BPE merges follow frequency in Whisper's training text: " Diane" and " ECG"
  are one token, " diane" and " ecg" are not), that form; else lower case. In every line
  sentence starts are capitalised and the pronoun is "I";
- a line without final punctuation gets a full stop (Whisper ends its sentences with one);
- a table row (cells between pipes, as Markdown and exports write them, or between tabs) is
  read as one line per cell: a cell opens like a sentence ("| Ballroom | Two projectors
  flicker |"), so its first word's capital establishes no casing, and Whisper never writes the
  pipes. Whether the row is recased is decided over the whole row, as for any line.

For the token model only (`WhisperStyle.mid_sentence_starts`), each sentence-start word the text
never writes inside a sentence is read once more, with the word after it, in the casing Whisper
gives it mid-sentence: the token model is case-sensitive, so a term that only starts lines was
unknown to it as speech has it inside a sentence. DEV domains per clip, CLM errors 16 kHz / 8 kHz
203 / 299 -> 196 / 291; held-out (report only) mean relative WER reduction per clip 42.5 / 25.4 ->
45.8 / 30.4%, long recordings 32.1 / 27.0 -> 36.0 / 27.9%; ACI-Bench-only CLM on the 8 non-dev
medical recordings 1173 -> 1139 errors (plain 1190). Whole lines read twice instead: DEV 203 / 299
-> 205 / 289; words of lower-case lines counted as never inside a sentence (ACI-Bench: 11,577
pairs, "so I", "yeah, so"): medical dev full CLM 274 -> 284 errors.

Casing is learnt in one pass (`profile_text`) over mixed-case lines only, from words that are
not at a sentence start, so a lower-case or upper-case corpus establishes nothing and casing
comes from Whisper. What the profile saw also feeds the training report's warnings.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from jargonaut.lm.validate import iter_lines

SCAN_BYTES = 64 << 20  # casing and tags show in the first 64 MB of any corpus
FILLERS = frozenset("um umm uh uhh uhm erm er hmm hm mm mmm".split())
#: words a speaker repeats on purpose ("that that", "had had", "very very", "bye bye")
REPEATABLE = frozenset("that had is very no bye yeah yes really ha blah more far again too now well".split())
KEEP_PUNCTUATED_REPEATS = True
#: Treebank tokenizers split these contractions in two (PTB: "gonna" -> "gon na")
SPLIT_CONTRACTIONS = {("gon", "na"): "gonna", ("wan", "na"): "wanna", ("got", "ta"): "gotta",
                      ("lem", "me"): "lemme", ("gim", "me"): "gimme"}
PRONOUN_I = frozenset(("i", "i'm", "i've", "i'll", "i'd"))
MIN_TAG_LINES = 3
TAG_LINE_SHARE = 0.01  # a line-start "Word:" is a speaker tag when it starts >= 1% of lines
MIN_CASING_SHARE = 0.5  # the mixed-case form must be the text's usual mid-sentence spelling

_BRACKETED = re.compile(r"\[[^\]\n]{0,40}\]")
_TAG = re.compile(r"^\s*([^\W\d_][\w.'\- ]{0,30}?)\s*:\s+(?=\S)")
_BULLET = re.compile(r"^\s*(?:[-*\u2022\u2023\u25e6\u25aa\u2013\u2014>]+|\d{1,3}[.)]|[a-z]\))\s+")
_PIECE = re.compile(r"^([^\w']*)(.*?)([^\w']*)$", re.S)  # opening marks, word, closing marks
_MARKS = "\"'()[]{}.,;:!?-\u2014\u2013*\u2022"
#: a piece that ends a sentence: a full stop, question or exclamation mark, closing marks after it
SENTENCE_END = re.compile(r"[.?!][\"')\]]*$")
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")
_CELL_SEPARATOR = re.compile(r"\s*\|\s*|\s*\t\s*")
MIN_PIPES = 2  # "either | or" is prose; a row has two pipes at least ("a | b | c", "| a | b |")


@dataclass
class TextProfile:
    """What one pass over the text saw: casing evidence, speaker tags, and counts for warnings."""

    lines: int = 0
    words: int = 0
    lower_lines: int = 0  # lines with letters, none upper case
    upper_lines: int = 0  # lines with letters, none lower case (and more than one word)
    unpunctuated_lines: int = 0  # lines without any . , ? ! ; :
    fillers: int = 0
    repeats: int = 0
    tag_counts: Counter[str] = field(default_factory=Counter)
    forms: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    inside: set[str] = field(default_factory=set)  # words written inside a sentence (lower case)

    def speaker_tags(self) -> frozenset[str]:
        least = max(MIN_TAG_LINES, TAG_LINE_SHARE * self.lines)
        return frozenset(tag for tag, n in self.tag_counts.items() if n >= least and len(tag.split()) <= 3)

    def tag_lines(self) -> int:
        tags = self.speaker_tags()
        return sum(n for tag, n in self.tag_counts.items() if tag in tags)

    def lower_case_words(self) -> list[str]:
        """The words the text writes inside sentences of mixed-case lines, and only in lower case
        there (sorted): where the text establishes a word's spelling as lower case
        (asr.transcript_casing). Sentence starts (a table cell opens one) and all-caps or
        all-lower-case lines say nothing of it."""
        return sorted(key for key, forms in self.forms.items() if len(forms) == 1 and key in forms)

    def casing(self) -> dict[str, str]:
        """lower-case word -> the spelling the text establishes for it (never plain lower case)."""
        out: dict[str, str] = {}
        for key, forms in self.forms.items():
            form, n = forms.most_common(1)[0]
            if form != key and n >= MIN_CASING_SHARE * sum(forms.values()):
                out[key] = form
        return out


def _tag(line: str) -> str | None:
    match = _TAG.match(line)
    return match.group(1).strip().lower() if match else None


def profile_text(files: Iterable[Path], scan_bytes: int = SCAN_BYTES) -> TextProfile:
    profile = TextProfile()
    seen = 0
    for path in files:
        for line in iter_lines(Path(path)):
            seen += len(line) + 1
            if seen > scan_bytes:
                return profile
            text = line.strip()
            if not text:
                continue
            profile.lines += 1
            tag = _tag(text) if not text.startswith("[") else None
            if tag:
                profile.tag_counts[tag] += 1
            words = text.split()
            profile.words += len(words)
            body = _body(text)
            has_upper, has_lower = _cases(body)
            if has_lower and not has_upper:
                profile.lower_lines += 1
            elif has_upper and not has_lower and len(words) > 1:
                profile.upper_lines += 1
            if not any(c in ".,?!;:" for c in text):
                profile.unpunctuated_lines += 1
            cores = [w.strip(_MARKS).lower() for w in words]
            profile.fillers += sum(c in FILLERS for c in cores)
            profile.repeats += sum(a == b and a.isalpha() and a not in REPEATABLE for a, b in zip(cores, cores[1:]))
            cells = table_cells(text)
            for sentence in (s for part in ([body] if cells is None else [_body(c) for c in cells])
                             for s in re.split(r"(?<=[.?!:])\s+", part)):
                for word in _WORD.findall(sentence)[1:]:
                    profile.inside.add(word.lower())
                    if has_upper and has_lower:
                        profile.forms[word.lower()][word] += 1
    return profile


def table_cells(line: str) -> list[str] | None:
    """The cells of a table row, in order (empty cells and rule cells such as "---" or ":--:"
    left out), or None when `line` is no table row: cells are separated by pipes (two at least)
    or tabs."""
    text = line.strip()
    if text.count("|") < MIN_PIPES and "\t" not in text:
        return None
    cells = [cell for cell in _CELL_SEPARATOR.split(text) if any(c.isalnum() for c in cell)]
    return cells if len(cells) > 1 or text.count("|") >= MIN_PIPES else None


def _body(line: str) -> str:
    """The line's text without a leading speaker tag or bullet."""
    match = _TAG.match(line)
    return _BULLET.sub("", line[match.end():] if match else line)


def _cases(body: str) -> tuple[bool, bool]:
    """(any upper case, any lower case) in a line's `_body`."""
    return any(c.isupper() for c in body), any(c.islower() for c in body)


def _ends_sentence(word: str, closing: str) -> bool:
    """Whether a piece (its word and closing marks) ends a sentence: not an initial ("J.")
    nor an abbreviation with a dot inside ("e.g.")."""
    return bool(SENTENCE_END.search(closing)) and len(word) > 1 and "." not in word


def _split(piece: str) -> tuple[str, str, str]:
    match = _PIECE.match(piece)
    assert match is not None  # every group may be empty: any string matches
    opening, word, closing = match.groups()
    return opening, word, closing


class WhisperStyle:
    """Restyles lines as Whisper would write them (see the module docstring)."""

    def __init__(self, profile: TextProfile, encode_many: Callable[[list[str]], list[list[int]]] | None = None):
        self.tags = profile.speaker_tags()
        self.casing = profile.casing()
        self.encode_many = encode_many
        self._inside = profile.inside

    def _case(self, low: str) -> str:
        """A word of a recased line: the text's established casing, else Whisper's usual one."""
        form = self.casing.get(low)
        if form is None:
            form = self.casing[low] = self._usual_case(low)
        return form

    def _usual_case(self, low: str) -> str:
        if self.encode_many is None or len(low) < 2 or not low.isalpha():
            return low
        forms = [low, low[:1].upper() + low[1:]] + ([low.upper()] if len(low) <= 5 else [])
        pieces = [len(ids) for ids in self.encode_many([" " + f for f in forms])]
        best = min(range(len(forms)), key=lambda i: (pieces[i], i))
        return forms[best] if pieces[best] < pieces[0] else low

    def line(self, line: str, cases: tuple[bool, bool] | None = None) -> str:
        """`line` restyled; `cases` (any upper, any lower case) decides recasing where the line
        is part of a longer one (a table cell of its row)."""
        text = _BRACKETED.sub(" ", line).strip()
        tag = _tag(text)
        if tag and tag in self.tags:
            text = text[_TAG.match(text).end():]  # type: ignore[union-attr]  # _tag matched
        text = _BULLET.sub("", text)
        pieces = _clean([_split(piece) for piece in text.split()])
        if not pieces:
            return ""
        has_upper, has_lower = cases or _cases(_body(text))
        recase = has_upper != has_lower
        out: list[str] = []
        start = True
        for opening, word, closing in pieces:
            low = word.lower()
            if recase and word:
                word = self._case(low)
            if low in PRONOUN_I:
                word = "I" + word[1:]
            elif start and word[:1].islower():
                word = word[:1].upper() + word[1:]
            out.append(opening + word + closing)
            if word:
                start = _ends_sentence(word, closing)
        styled = " ".join(out)
        if not SENTENCE_END.search(styled):
            styled = styled.rstrip(",;:-") + "."
        return styled

    def mid_sentence_starts(self, styled: str) -> list[str]:
        """Each sentence-start word of `styled` (a restyled line) that the text never writes
        inside a sentence, in the casing Whisper gives it there, with the word after it.

        The token model is case-sensitive and its words are Whisper's pieces: a term that
        only ever starts the text's lines ("Revolver: $75M facility", "Subframe bushings...")
        is known to it capitalised only, and " revolver" mid-sentence is another token (" Rev" +
        "olver" is not " revolver"), so the CLM had no evidence for the word where speech puts
        it, and rewarded a different first word that let its capitalised form follow ("The
        revolver was drawn" -> "That Revolver was drawn"). Read as lines of their own, these
        pairs teach it the word without counting the rest of the line twice."""
        pieces = styled.split(" ")
        out: list[str] = []
        start = True
        for at, piece in enumerate(pieces):
            opening, word, closing = _split(piece)
            if start and word[:1].isupper() and word[1:].islower() and word.isalpha():
                low = word.lower()
                if low not in self._inside and low not in PRONOUN_I and self._case(low) == low:
                    out.append(" ".join([opening + low + closing] + pieces[at + 1: at + 2]))
            if word:
                start = _ends_sentence(word, closing)
        return out

    def lines(self, lines: Iterable[str]) -> Iterator[str]:
        for line in lines:
            cells = table_cells(line)
            if cells is None:
                units, cases = [line], None
            else:  # one line per cell, recased (or not) as the whole row
                units, cases = cells, _cases(" ".join(_body(_BRACKETED.sub(" ", cell)) for cell in cells))
            for unit in units:
                styled = self.line(unit, cases)
                if styled:
                    yield styled


Piece = tuple[str, str, str]  # opening marks, word, closing marks


def _clean(pieces: list[Piece]) -> list[Piece]:
    """Drop fillers, false starts and immediate repeats; sentence-final marks move left."""
    pieces = _join_split_contractions(pieces)
    kept: list[Piece] = []
    i, n = 0, len(pieces)
    while i < n:
        opening, word, closing = pieces[i]
        low = word.lower()
        nxt = pieces[i + 1] if i + 1 < n else None
        filler_pair = (low == "you" and not closing and nxt is not None and nxt[1].lower() == "know"
                       and (not kept or kept[-1][2].endswith(",")) and (nxt[2].startswith(",") or i + 2 == n))
        if low in FILLERS or filler_pair or (closing[:1] == "-" and not opening and word.isalpha()
                                             and closing in ("-", "-,", "-;")):
            end = (nxt[2] if filler_pair and nxt is not None else closing).lstrip(",-")
            if kept and SENTENCE_END.search(end):
                kept[-1] = (kept[-1][0], kept[-1][1], kept[-1][2].rstrip(",;") + end)
            i += 2 if filler_pair else 1
            continue
        if kept and low and low not in REPEATABLE:
            prev = kept[-1]
            if prev[1].lower() == low and _stutter(prev[2]):
                kept[-1] = (prev[0], word, closing)  # "we we did" -> "we did"
                i += 1
                continue
            if (len(kept) >= 3 and kept[-3][1].lower() == prev[1].lower() and kept[-2][1].lower() == low
                    and prev[1].lower() != low and _stutter(kept[-2][2])):
                kept.pop()  # "I think I think" -> "I think"
                kept[-1] = (kept[-1][0], word, closing)
                i += 1
                continue
        kept.append((opening, word, closing))
        i += 1
    return kept


def _join_split_contractions(pieces: list[Piece]) -> list[Piece]:
    """"gon na" -> "gonna" (SPLIT_CONTRACTIONS), where no mark stands between the parts."""
    out: list[Piece] = []
    for piece in pieces:
        if out and not out[-1][2] and not piece[0]:
            whole = SPLIT_CONTRACTIONS.get((out[-1][1].lower(), piece[1].lower()))
            if whole:
                head = out[-1][1]
                out[-1] = (out[-1][0], head[:1] + whole[1:], piece[2])  # the first part's casing
                continue
        out.append(piece)
    return out


def _stutter(marks: str) -> bool:
    """Whether a repeat after these closing marks is a stutter ("we we did") rather than kept on
    purpose: a comma or more between the copies ("Got it, got it.", "Understood, understood.")
    is how transcripts, Whisper's included, write a repeat they keep. Medical dev, whole
    recordings: also dropping comma repeats of function words ("I, I got", "the, the") cost the
    medical CLM 9.98 -> 10.96% WER (the references keep them)."""
    if not marks or marks == "-":
        return True
    if KEEP_PUNCTUATED_REPEATS:
        return False
    return not SENTENCE_END.search(marks)


def write_styled(files: list[Path], style: WhisperStyle, out: Path) -> Path:
    """The restyled lines of `files` in one file (validated as they stream: errors name the
    original file and line)."""
    with out.open("w", encoding="utf-8") as f:
        for path in files:
            for line in style.lines(iter_lines(Path(path))):
                f.write(line + "\n")
    return out
