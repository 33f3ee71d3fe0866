"""TranscriptEvent results from recognised words: items, transcript text, stable prefixes."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from jargonaut.asr.types import Word

_LEADING = re.compile(r"^[\"'“‘(\[¿¡]+")
_TRAILING = re.compile(r"[.,!?;:…\"'”’)\]]+$")
_SENTENCE_PUNCT = ".,!?;:…"

# stability level -> (hypotheses that must agree, trailing words never locked)
_STABILITY_RULES = {"high": (1, 2), "medium": (2, 1), "low": (3, 1)}


def _split(text: str) -> tuple[str, str]:
    """' Hello,' -> ('Hello', ','); only sentence punctuation becomes an item, as Amazon does."""
    core = _LEADING.sub("", text.strip())
    match = _TRAILING.search(core)
    trailing = match.group(0) if match else ""
    if trailing:
        core = core[: -len(trailing)]
    marks = [c for c in trailing if c in _SENTENCE_PUNCT][:1]
    return core, "".join(marks)


def _norm(word: Word) -> str:
    return re.sub(r"[^\w']", "", word.text.lower())


def build_items(words: list[Word], stable_count: int | None) -> list[dict[str, Any]]:
    """Items for `words`; `stable_count` words are Stable (None: stabilization off, no field)."""
    items: list[dict[str, Any]] = []
    for index, word in enumerate(words):
        core, mark = _split(word.text)
        extra = {} if stable_count is None else {"Stable": index < stable_count}
        if core:
            items.append({
                "StartTime": round(word.start, 3), "EndTime": round(max(word.end, word.start), 3),
                "Type": "pronunciation", "Content": core, "Confidence": round(float(word.probability), 4),
                "VocabularyFilterMatch": False, **extra,
            })
        if mark and items:
            items.append({
                "StartTime": round(word.end, 3), "EndTime": round(word.end, 3), "Type": "punctuation",
                "Content": mark, "Confidence": 0.0, "VocabularyFilterMatch": False, **extra,
            })
    return items


def items_text(items: list[dict[str, Any]]) -> str:
    parts: list[str] = []
    for item in items:
        sep = "" if item["Type"] == "punctuation" or not parts else " "
        parts.append(sep + item["Content"])
    return "".join(parts)


@dataclass(frozen=True)
class WordFilter:
    """A vocabulary filter on a stream: `mask` shows `***`, `remove` drops the word, `tag` keeps
    it; the items left of a filtered word say VocabularyFilterMatch: true."""

    words: frozenset[str]
    method: str

    def apply(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for item in items:
            if item["Type"] == "pronunciation" and item["Content"].lower() in self.words:
                if self.method == "remove":
                    continue
                item = {**item, "VocabularyFilterMatch": True}
                if self.method == "mask":
                    item["Content"] = "***"
            out.append(item)
        return out


@dataclass(frozen=True)
class PhraseDisplay:
    """A custom vocabulary on a stream: each phrase said (its words in a row, any case) becomes
    one item written as the vocabulary writes it (DisplayAs, else the phrase's words)."""

    phrases: tuple[tuple[tuple[str, ...], str], ...]  # (lower-case words, display), longest first

    @classmethod
    def of(cls, entries: list[dict[str, str]]) -> "PhraseDisplay":
        from jargonaut.asr.vocabulary import display_text, spoken_forms

        pairs = {tuple(w.replace(".", "").lower() for w in form): display_text(e)
                 for e in entries for form in spoken_forms(e)}
        return cls(tuple(sorted(pairs.items(), key=lambda pair: -len(pair[0]))))

    def apply(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        i = 0
        while i < len(items):
            for keys, display in self.phrases if items[i]["Type"] == "pronunciation" else ():
                run = items[i : i + len(keys)]
                if len(run) == len(keys) and all(
                    r["Type"] == "pronunciation" and r["Content"].replace(".", "").lower() == k for r, k in zip(run, keys)
                ):
                    out.append({**run[0], "Content": display, "EndTime": run[-1]["EndTime"],
                                "Confidence": min(r["Confidence"] for r in run)})
                    i += len(keys)
                    break
            else:
                out.append(items[i])
                i += 1
        return out


def result(result_id: str, start: float, end: float, words: list[Word], partial: bool,
           stable_count: int | None, word_filter: WordFilter | None = None,
           display: PhraseDisplay | None = None, speaker: int | None = None) -> dict[str, Any]:
    items = build_items(words, stable_count)
    if speaker is not None:  # show-speaker-label: Amazon writes the speaker as a string, "0", "1", ...
        items = [{**item, "Speaker": str(speaker)} for item in items]
    if display is not None:
        items = display.apply(items)
    if word_filter is not None:
        items = word_filter.apply(items)
    return {
        "ResultId": result_id,
        "StartTime": round(start, 3),
        "EndTime": round(max(end, start), 3),
        "IsPartial": partial,
        "ChannelId": "ch_0",
        "Alternatives": [{"Transcript": items_text(items), "Items": items}],
    }


@dataclass
class Stabilizer:
    """Locks a growing prefix of an utterance's words so that partials never rewrite it.

    A word locks once `agree` successive hypotheses had it at the same place and it is not
    among the last `tail` words; later hypotheses are re-aligned behind the locked words.
    """

    stability: str = "high"

    def __post_init__(self) -> None:
        self.agree, self.tail = _STABILITY_RULES.get(self.stability, _STABILITY_RULES["high"])
        self.locked: list[Word] = []
        self._history: list[list[str]] = []

    def _merge(self, words: list[Word]) -> list[Word]:
        if not self.locked:
            return list(words)
        locked_norm = [_norm(w) for w in self.locked]
        new_norm = [_norm(w) for w in words]
        if new_norm[: len(locked_norm)] == locked_norm:
            return self.locked + list(words[len(locked_norm):])
        # Find where the locked prefix ends in the new hypothesis, then keep what follows.
        matcher = difflib.SequenceMatcher(a=locked_norm, b=new_norm, autojunk=False)
        cut = len(locked_norm)
        for block in matcher.get_matching_blocks():
            if block.size and block.a + block.size == len(locked_norm):
                cut = block.b + block.size
        tail = [w for w in words[cut:] if w.start >= self.locked[-1].end - 0.05] if cut < len(words) else []
        return self.locked + tail

    def update(self, words: list[Word], final: bool = False) -> tuple[list[Word], int]:
        """Merge a new hypothesis; returns (words to show, how many of them are stable)."""
        if final:
            locked = [_norm(w) for w in self.locked]
            if [_norm(w) for w in words[: len(locked)]] == locked:
                return list(words), len(words)  # same words: keep the final's aligned timings
            merged = self._merge(words)
            return merged, len(merged)
        merged = self._merge(words)
        norms = [_norm(w) for w in merged]
        self._history = (self._history + [norms])[-self.agree:]
        limit = len(merged) - self.tail
        count = len(self.locked)
        while count < limit and len(self._history) >= self.agree and all(
            len(h) > count and h[count] == norms[count] for h in self._history
        ):
            count += 1
        self.locked = merged[:count]
        return merged, count
