"""Subtitles (SubRip .srt, WebVTT .vtt) made from a finished transcript's items.

Like Amazon, subtitles come from the transcript file itself, so whatever the transcript
shows (a vocabulary filter's `***`, a removed word) the subtitles show too. A cue is shown
while its words are spoken and ends at a natural pause, at the end of a sentence, or when
it would no longer fit on two lines. Amazon's docs give no line length; we use the
broadcast convention of at most two lines of 42 characters, split where the lines are
most even.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FORMATS = ("srt", "vtt")
MAX_LINE_CHARS = 42
MAX_LINES = 2
PAUSE_SECONDS = 0.8  # a silence this long between words ends the cue
MAX_CUE_SECONDS = 7.0  # a reader needs a fresh cue now and then even without a pause
_SENTENCE_END = (".", "?", "!")


@dataclass
class Cue:
    start: float
    end: float
    words: list[str]  # each word with the punctuation that follows it


def cues_from_items(items: list[dict[str, Any]]) -> list[Cue]:
    cues: list[Cue] = []
    current: Cue | None = None
    for item in items:
        content = item["alternatives"][0]["content"]
        if item["type"] == "punctuation":
            if current is not None and current.words:
                current.words[-1] += content
                if content in _SENTENCE_END:
                    cues.append(current)
                    current = None
            continue
        if not content:  # a word a vocabulary filter removed leaves nothing to show
            continue
        start, end = float(item["start_time"]), float(item["end_time"])
        if current is not None and (
            start - current.end >= PAUSE_SECONDS
            or end - current.start > MAX_CUE_SECONDS
            or _lines(current.words + [content]) is None
        ):
            cues.append(current)
            current = None
        if current is None:
            current = Cue(start, end, [content])
        else:
            current.words.append(content)
            current.end = max(current.end, end)
    if current is not None:
        cues.append(current)
    # Two channels can speak at once (items in time order): a cue ends where the next one
    # begins, so a player never shows two cues at the same time.
    for before, after in zip(cues, cues[1:]):
        before.end = min(before.end, max(before.start, after.start))
    return cues


def _lines(words: list[str]) -> list[str] | None:
    """The cue's text as at most two lines of MAX_LINE_CHARS, split most evenly; None if it can't fit."""
    text = " ".join(words)
    if len(text) <= MAX_LINE_CHARS:
        return [text]
    best: list[str] | None = None
    for split in range(1, len(words)):
        first, second = " ".join(words[:split]), " ".join(words[split:])
        if len(first) <= MAX_LINE_CHARS and len(second) <= MAX_LINE_CHARS:
            if best is None or max(len(first), len(second)) < max(len(best[0]), len(best[1])):
                best = [first, second]
    return best


def _lines_of(cue: Cue) -> list[str]:
    # A single word longer than a line (a URL, a long compound) still gets shown, on its own.
    return _lines(cue.words) or [" ".join(cue.words)]


def _timestamp(seconds: float, decimal_mark: str) -> str:
    millis = round(max(seconds, 0.0) * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{decimal_mark}{millis:03d}"


def render(cues: list[Cue], subtitle_format: str, start_index: int = 0) -> str:
    """SubRip or WebVTT text; cues numbered from `start_index` (Amazon's OutputStartIndex) in both."""
    decimal_mark = "," if subtitle_format == "srt" else "."
    blocks = [] if subtitle_format == "srt" else ["WEBVTT"]
    for number, cue in enumerate(cues, start=start_index):
        timing = f"{_timestamp(cue.start, decimal_mark)} --> {_timestamp(cue.end, decimal_mark)}"
        blocks.append("\n".join([str(number), timing, *_lines_of(cue)]))
    return "\n\n".join(blocks) + "\n"
