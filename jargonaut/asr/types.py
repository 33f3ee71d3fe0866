"""Recognition results shared by every decoder (faster-whisper path and our own)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Word:
    """One recognised word; `text` keeps Whisper's casing and attached punctuation."""

    start: float
    end: float
    text: str
    probability: float


@dataclass
class Segment:
    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)


@dataclass
class Recognition:
    """A whole file's result."""

    segments: list[Segment]
    duration: float
    language: str = "en"

    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())
