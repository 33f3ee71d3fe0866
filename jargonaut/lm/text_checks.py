"""Warnings about training text that trains but will serve poorly, shown in the training report.

The n-gram model is over normalised words, so none of these stops training; they matter for what
the CLM keeps in the text's own form (domain terms and spelling conventions, lm.terms and
lm.spelling) and for how well the counts generalise."""
from __future__ import annotations

from pathlib import Path

from jargonaut.lm.validate import iter_lines

SMALL_TEXT_WORDS = 10_000  # below this, most domain word sequences are seen once or never
LONG_LINE_WORDS = 200  # a "line" this long is usually a whole document without breaks
REPEATED_SHARE = 0.5


def text_warnings(files: list[Path]) -> list[str]:
    upper = lower = words = lines = 0
    seen: set[int] = set()
    repeated = 0
    for path in files:
        for line in iter_lines(path):
            text = line.strip()
            if not text:
                continue
            lines += 1
            words += len(text.split())
            upper += sum(1 for ch in text if ch.isupper())
            lower += sum(1 for ch in text if ch.islower())
            key = hash(text)
            repeated += key in seen
            seen.add(key)
    warnings: list[str] = []
    if not lines:
        return warnings
    if lower and not upper:
        warnings.append("The text is all lower case: domain terms are kept as written, so transcripts will spell "
                        "names and acronyms in lower case. Train on text with its usual capitalisation.")
    if upper and not lower:
        warnings.append("The text is all upper case: domain terms are kept as written, so transcripts will spell "
                        "them in capitals. Train on text with its usual capitalisation.")
    if words < SMALL_TEXT_WORDS:
        warnings.append(f"The training text has {words:,} words; with less than {SMALL_TEXT_WORDS:,} the model "
                        "knows few word sequences of the domain. Add more text if you have it.")
    if words / lines > LONG_LINE_WORDS:
        warnings.append(f"Lines are {words // lines:,} words long on average; put one sentence or paragraph per "
                        "line so sentence starts and ends are learnt.")
    if lines >= 10 and repeated / lines >= REPEATED_SHARE:
        warnings.append(f"{100 * repeated // lines} % of the lines repeat earlier ones; repeated boilerplate "
                        "outweighs the rest of the text.")
    return warnings
