"""Domain terms of a CLM: words the training text uses far more than general English does,
kept in the spelling the text uses (case, inner hyphens), for contextual biasing.

The n-gram model is over normalised lowercase words, which is right for scoring but not
for prompting Whisper: a prompt steers the transcript's style, so it must carry the
domain's own spelling ("BRCA1", "Escherichia", "PD-L1"). Salience is the log ratio of a
term's frequency in the domain text to its frequency in general English (`wordfreq`,
shipped inside its wheel); everyday words are never terms however often the domain uses
them, so a prompt built from terms cannot push ordinary words around.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path

from jargonaut.lm.validate import iter_lines

#: surface tokens: letters/digits with inner hyphens or apostrophes ("PD-L1", "Crohn's")
SURFACE = re.compile(r"[^\W_](?:[\w'\u2019-]*[^\W_])?")
SCAN_BYTES = 64 << 20  # terms come from the first 64 MB: enough for any vocabulary's head
MAX_TERMS = 20_000
MIN_SALIENCE = math.log(20.0)  # at least 20x likelier in the domain than in general English
MAX_GENERAL_ZIPF = 4.0  # words more common than ~1 in 100k words of English are not terms
MIN_LETTERS = 4
# ... except acronyms the text writes in capitals ("ASC", "BGP", "CV"): Whisper mishears them as
# other letters ("AFC", "BDP"), which term_spotting.py matches by letter names, not spelling.
ACRONYM_LETTERS = (2, 4)
# Large corpora are full of one-off typos ("exmaple", "Ddefinitely") that look rare to
# wordfreq: past 50k words a term must occur this often (a small corpus keeps singletons).
MIN_COUNT_LARGE = 3
LARGE_CORPUS_WORDS = 50_000
_POSSESSIVE = re.compile(r"['\u2019]s$")
_SENTENCES = re.compile(r"(?<=[.?!])\s+")


def _general_frequency():
    try:
        from wordfreq import word_frequency, zipf_frequency
    except ImportError:  # no prior installed: every word counts as rare in general English
        return lambda w: 0.0, lambda w: 0.0
    return (lambda w: word_frequency(w, "en")), (lambda w: zipf_frequency(w, "en"))


def _acronym(forms: Counter[str]) -> bool:
    """Whether the text mostly writes a short key in capital letters only (sentence starts
    included: sentence case would not capitalise a whole word)."""
    surface = forms.most_common(1)[0][0]
    return ACRONYM_LETTERS[0] <= len(surface) <= ACRONYM_LETTERS[1] and surface.isalpha() and surface.isupper()


def extract_terms(files: list[Path], scan_bytes: int = SCAN_BYTES, max_terms: int = MAX_TERMS) -> list[tuple[str, float]]:
    """(surface form, salience) of the domain terms of `files`, most salient first."""
    counts: Counter[str] = Counter()
    inner: Counter[str] = Counter()  # not sentence-initial: the casing a term has mid-sentence
    seen = 0
    for path in files:
        for line in iter_lines(Path(path)):
            for sentence in _SENTENCES.split(line):
                tokens = [_POSSESSIVE.sub("", t) for t in SURFACE.findall(sentence)]
                counts.update(tokens)
                inner.update(tokens[1:])
            seen += len(line) + 1
            if seen >= scan_bytes:
                break
        if seen >= scan_bytes:
            break
    total = sum(counts.values())
    if not total:
        return []
    by_key: dict[str, Counter[str]] = {}
    for surface, n in counts.items():
        by_key.setdefault(surface.lower(), Counter())[surface] += n
    min_count = 1 if total < LARGE_CORPUS_WORDS else MIN_COUNT_LARGE
    frequency, zipf = _general_frequency()
    out: list[tuple[str, float]] = []
    for key, forms in by_key.items():
        if not _acronym(forms) and (len(key) < 3 or (sum(ch.isalpha() for ch in key) < MIN_LETTERS
                                                     and not any(ch.isdigit() for ch in key))):
            continue
        if zipf(key) > MAX_GENERAL_ZIPF:
            continue
        n = sum(forms.values())
        if n < min_count:
            continue
        # Unseen in general English: as rare as wordfreq can tell (zipf 1 = 1e-8).
        general = max(frequency(key), 1e-8)
        salience = math.log(n / total) - math.log(general)
        if salience >= MIN_SALIENCE:
            mid = Counter({f: inner[f] for f in forms if inner[f]})
            out.append(((mid or forms).most_common(1)[0][0], salience))
    out.sort(key=lambda t: (-t[1], t[0]))
    return out[:max_terms]
