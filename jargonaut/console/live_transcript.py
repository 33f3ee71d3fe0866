"""A transcript JSON (Amazon's shape) as the words the console's player highlights."""
from __future__ import annotations

import json
from dataclasses import dataclass

LOW_CONFIDENCE = 0.5  # words below this are marked for a second look


@dataclass(frozen=True)
class Word:
    content: str
    start: float | None
    end: float | None
    confidence: float
    punctuation: bool

    @property
    def low_confidence(self) -> bool:
        return not self.punctuation and self.confidence < LOW_CONFIDENCE


@dataclass(frozen=True)
class Transcript:
    text: str
    words: list[Word]

    @property
    def low_confidence_count(self) -> int:
        return sum(1 for w in self.words if w.low_confidence)


def parse(body: bytes) -> Transcript:
    results = json.loads(body)["results"]
    text = " ".join(t["transcript"] for t in results.get("transcripts", []))
    words = []
    for item in results.get("items", []):
        best = item["alternatives"][0]
        punctuation = item.get("type") == "punctuation"
        words.append(Word(
            content=best["content"],
            start=None if punctuation or "start_time" not in item else float(item["start_time"]),
            end=None if punctuation or "end_time" not in item else float(item["end_time"]),
            confidence=float(best.get("confidence") or 0.0),
            punctuation=punctuation,
        ))
    return Transcript(text, words)
