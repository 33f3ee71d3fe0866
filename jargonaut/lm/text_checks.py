"""Warnings about training text that trains but will serve poorly, shown in the training report.

The n-gram model is over normalised words, so none of these stops training; they matter for what
the CLM keeps in the text's own form (domain terms and spelling conventions, lm.terms and
lm.spelling) and for how well the counts generalise."""
from __future__ import annotations

from pathlib import Path

from jargonaut.lm.text_style import TextProfile, profile_text
from jargonaut.lm.validate import iter_lines

SMALL_TEXT_WORDS = 10_000  # below this, most domain word sequences are seen once or never
LONG_LINE_WORDS = 200  # a "line" this long is usually a whole document without breaks
REPEATED_SHARE = 0.5
UNPUNCTUATED_SHARE = 0.5  # lines without any punctuation: ASR output or keyword lists
VERBATIM_PER_1000 = 5.0  # fillers or stutters per 1,000 words: a verbatim transcript
TAGGED_SHARE = 0.2  # lines starting with a speaker tag


def text_warnings(files: list[Path], profile: TextProfile | None = None) -> list[str]:
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
        warnings.append("The text is all lower case: transcripts keep Whisper's casing, but names and acronyms "
                        "the domain capitalises cannot be learnt from it and domain terms are kept as written. "
                        "Train on text with its usual capitalisation.")
    if upper and not lower:
        warnings.append("The text is all upper case: transcripts keep Whisper's casing, but the domain's own "
                        "spelling of names and acronyms cannot be learnt from it and domain terms are kept as "
                        "written. Train on text with its usual capitalisation.")
    if words < SMALL_TEXT_WORDS:
        warnings.append(f"The training text has {words:,} words; with less than {SMALL_TEXT_WORDS:,} the model "
                        "knows few word sequences of the domain. Add more text if you have it.")
    if words / lines > LONG_LINE_WORDS:
        warnings.append(f"Lines are {words // lines:,} words long on average; put one sentence or paragraph per "
                        "line so sentence starts and ends are learnt.")
    if lines >= 10 and repeated / lines >= REPEATED_SHARE:
        warnings.append(f"{100 * repeated // lines} % of the lines repeat earlier ones; repeated boilerplate "
                        "outweighs the rest of the text.")
    return warnings + style_warnings(profile or profile_text(files), all_lower=bool(lower and not upper))


def style_warnings(profile: TextProfile, all_lower: bool = False) -> list[str]:
    """What the restyling (lm.text_style) had to undo: text unlike what the speech will be."""
    warnings: list[str] = []
    if not profile.lines:
        return warnings
    if not all_lower and profile.lower_lines >= 0.8 * profile.lines:
        warnings.append(f"{100 * profile.lower_lines // profile.lines} % of the lines are all lower case; they "
                        "were recased for training (sentence starts, \"I\", the casing the rest of the text uses).")
    if profile.unpunctuated_lines >= UNPUNCTUATED_SHARE * profile.lines:
        warnings.append(f"{100 * profile.unpunctuated_lines // profile.lines} % of the lines have no punctuation "
                        "(ASR output or keyword lists?); the CLM learns word order best from sentences.")
    verbatim = profile.fillers + profile.repeats
    if profile.words and 1000 * verbatim / profile.words >= VERBATIM_PER_1000:
        warnings.append(f"The text reads like a verbatim transcript ({profile.fillers:,} fillers such as \"um\", "
                        f"{profile.repeats:,} repeated words); they were removed for training, as Whisper writes "
                        "clean text. Clean transcripts or documents of the domain serve better.")
    tagged = profile.tag_lines()
    if tagged >= TAGGED_SHARE * profile.lines:
        tags = ", ".join(sorted(f'"{t}:"' for t in profile.speaker_tags())[:5])
        warnings.append(f"{100 * tagged // profile.lines} % of the lines start with a speaker tag ({tags}); "
                        "the tags were left out of training.")
    return warnings
