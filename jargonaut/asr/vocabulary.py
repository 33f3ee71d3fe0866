"""Custom vocabulary phrases in a transcript: how a phrase is spoken (its words) and written
(DisplayAs, else its words as the vocabulary spells them), applied to a built transcript."""
from __future__ import annotations

from typing import Any

from jargonaut.asr.transcript import retext


def phrase_words(phrase: str) -> list[str]:
    """The spoken words of a phrase: `Los-Angeles` -> ['Los', 'Angeles']; `A.B.C.` stays one word."""
    return [w for w in phrase.split("-") if w]


def display_text(entry: dict[str, str]) -> str:
    """How a recognised phrase is written: DisplayAs, else the phrase's words."""
    return entry.get("DisplayAs") or " ".join(phrase_words(entry["Phrase"]))


def _key(word: str) -> str:
    # "A.B.C." is spoken letter by letter; Whisper writes it "ABC": compare without periods or case.
    return word.replace(".", "").lower()


def apply_display_as(transcript: dict[str, Any], entries: list[dict[str, str]]) -> None:
    """Every place the transcript says a vocabulary phrase (its words in a row, any case), in
    place: one item with the phrase as written, from the first word's start to the last's end."""
    patterns = sorted(
        {tuple(_key(w) for w in phrase_words(e["Phrase"])): display_text(e) for e in entries}.items(),
        key=lambda pattern: -len(pattern[0]),  # the longest phrase wins where phrases overlap
    )
    results = transcript["results"]
    by_id = {item["id"]: item for item in results["items"]}
    items: list[dict[str, Any]] = []
    for segment in results.get("audio_segments", []):
        ids = []
        for item in _replace([by_id[i] for i in segment["items"]], patterns):
            item = {**item, "id": len(items)}
            items.append(item)
            ids.append(item["id"])
        segment["items"] = ids
    results["items"] = items
    for channel in (results.get("channel_labels") or {}).get("channels", []):
        channel["items"] = [{k: v for k, v in i.items() if k != "id"} for i in items
                            if i.get("channel_label") == channel["channel_label"]]
    for segment in results.get("segments", []):  # ShowAlternatives: every reading, written the same way
        for alternative in segment["alternatives"]:
            alternative["items"] = [_flat(i) for i in _replace([_nested(i) for i in alternative["items"]], patterns)]
    retext(results)


def _nested(flat: dict[str, Any]) -> dict[str, Any]:
    """An alternative's flat item (content and confidence beside the times) as a results item."""
    item = {k: v for k, v in flat.items() if k not in ("content", "confidence")}
    return {**item, "alternatives": [{"confidence": flat["confidence"], "content": flat["content"]}]}


def _flat(item: dict[str, Any]) -> dict[str, Any]:
    return {**{k: v for k, v in item.items() if k != "alternatives"}, **item["alternatives"][0]}


def _replace(items: list[dict[str, Any]], patterns: list[tuple[tuple[str, ...], str]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    i = 0
    while i < len(items):
        item = items[i]
        for keys, display in patterns if item["type"] == "pronunciation" else []:
            run = items[i : i + len(keys)]
            if len(run) == len(keys) and all(
                r["type"] == "pronunciation" and _key(r["alternatives"][0]["content"]) == k for r, k in zip(run, keys)
            ):
                confidence = min(float(r["alternatives"][0]["confidence"]) for r in run)
                merged = {**run[0], "alternatives": [{"confidence": f"{confidence:.3f}", "content": display}],
                          "end_time": run[-1]["end_time"]}
                out.append(merged)
                i += len(keys)
                break
        else:
            out.append(item)
            i += 1
    return out
