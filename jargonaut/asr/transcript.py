"""Amazon Transcribe's transcript JSON, built from a recognition result.

Times and confidences are strings, punctuation is a separate item without times, and
`audio_segments` group item ids by segment, exactly as Amazon writes them.
"""
from __future__ import annotations

import re
from typing import Any

from jargonaut.asr.types import Recognition, Segment, Word

_LEADING_PUNCT = re.compile(r"^([\"'“‘(\[¿¡]+)")
_TRAILING_PUNCT = re.compile(r"([.,!?;:…\"'”’)\]]+)$")
_SENTENCE_PUNCT = set(".,!?;:…")


def _time(seconds: float) -> str:
    return f"{max(seconds, 0.0):.3f}".rstrip("0").rstrip(".") if seconds else "0.0"


def _split_word(text: str) -> tuple[str, str, str]:
    """' Hello,' -> ('', 'Hello', ',') ; keeps apostrophes inside words (don't, patients')."""
    core = text.strip()
    lead = _LEADING_PUNCT.match(core)
    leading = lead.group(1) if lead else ""
    core = core[len(leading):]
    trail = _TRAILING_PUNCT.search(core)
    trailing = trail.group(1) if trail else ""
    if trailing and core[: -len(trailing)]:
        core = core[: -len(trailing)]
    elif trailing:  # the whole token is punctuation
        core, trailing = "", core
    return leading, core, trailing


def _punctuation_items(marks: str) -> list[str]:
    # Amazon emits sentence punctuation only; quotes and brackets are dropped.
    return [c for c in marks if c in _SENTENCE_PUNCT][:1]


def build_items(words: list[Word], first_id: int = 0) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for word in words:
        _, core, trailing = _split_word(word.text)
        if core:
            items.append(
                {
                    "id": first_id + len(items),
                    "type": "pronunciation",
                    "alternatives": [{"confidence": f"{word.probability:.3f}", "content": core}],
                    "start_time": _time(word.start),
                    "end_time": _time(max(word.end, word.start)),
                }
            )
        for mark in _punctuation_items(trailing):
            if not items:
                continue  # punctuation before any word carries nothing
            items.append(
                {"id": first_id + len(items), "type": "punctuation", "alternatives": [{"confidence": "0.0", "content": mark}]}
            )
    return items


def items_text(items: list[dict[str, Any]]) -> str:
    out: list[str] = []
    for item in items:
        content = item["alternatives"][0]["content"]
        if not content:
            continue  # a word a vocabulary filter removed
        if item["type"] == "punctuation" or not out:
            out.append(content)
        else:
            out.append(" " + content)
    return "".join(out)


def build_transcript(job_name: str, account_id: str, recognition: Recognition, status: str = "COMPLETED") -> dict[str, Any]:
    all_items: list[dict[str, Any]] = []
    audio_segments: list[dict[str, Any]] = []
    for segment in recognition.segments:
        items = build_items(segment.words, first_id=len(all_items))
        if not items:
            continue
        all_items.extend(items)
        audio_segments.append(
            {
                "id": len(audio_segments),
                "transcript": items_text(items),
                "start_time": _time(segment.start),
                "end_time": _time(segment.end),
                "items": [item["id"] for item in items],
            }
        )
    return {
        "jobName": job_name,
        "accountId": account_id,
        "status": status,
        "results": {
            "transcripts": [{"transcript": items_text(all_items)}],
            "items": all_items,
            "audio_segments": audio_segments,
        },
    }


def build_channel_transcript(job_name: str, account_id: str, channels: list[Recognition],
                             status: str = "COMPLETED") -> dict[str, Any]:
    """Channel identification: each channel recognised on its own, labelled `ch_0`, `ch_1`.

    `results.items` and `audio_segments` interleave the channels' segments in time order (the
    combined transcript reads as the conversation went); `channel_labels` groups items by channel.
    """
    timeline: list[tuple[float, int, Any]] = [
        (segment.start, number, segment) for number, recognition in enumerate(channels) for segment in recognition.segments
    ]
    timeline.sort(key=lambda entry: (entry[0], entry[1]))
    all_items: list[dict[str, Any]] = []
    audio_segments: list[dict[str, Any]] = []
    per_channel: list[list[dict[str, Any]]] = [[] for _ in channels]
    for _, number, segment in timeline:
        label = f"ch_{number}"
        items = build_items(segment.words, first_id=len(all_items))
        if not items:
            continue
        for item in items:
            item["channel_label"] = label
            per_channel[number].append({k: v for k, v in item.items() if k != "id"})
        all_items.extend(items)
        audio_segments.append(
            {
                "id": len(audio_segments),
                "transcript": items_text(items),
                "start_time": _time(segment.start),
                "end_time": _time(segment.end),
                "channel_label": label,
                "items": [item["id"] for item in items],
            }
        )
    return {
        "jobName": job_name,
        "accountId": account_id,
        "status": status,
        "results": {
            "transcripts": [{"transcript": " ".join(s["transcript"] for s in audio_segments)}],
            "channel_labels": {
                "channels": [{"channel_label": f"ch_{n}", "items": items} for n, items in enumerate(per_channel)],
                "number_of_channels": len(channels),
            },
            "items": all_items,
            "audio_segments": audio_segments,
        },
    }


MASK = "***"


def apply_vocabulary_filter(transcript: dict[str, Any], words: list[str], method: str) -> None:
    """Amazon's vocabulary filter methods on a built transcript, in place: `mask` shows `***`,
    `remove` leaves the item with empty content, `tag` keeps the word and marks the item
    `vocabulary_filter_match: true`. Whole words, case-insensitive, in every alternative."""
    filtered = {w.lower() for w in words}
    results = transcript["results"]
    all_items = list(results["items"])
    for channel in (results.get("channel_labels") or {}).get("channels", []):
        all_items.extend(channel["items"])
    for segment in results.get("segments", []):
        for alternative in segment["alternatives"]:
            all_items.extend(alternative["items"])
    for item in all_items:
        if item["type"] != "pronunciation":
            continue
        matched = False
        for alternative in item.get("alternatives", [item]):  # segment alternatives' items are flat
            if alternative["content"].lower() in filtered:
                matched = True
                if method == "mask":
                    alternative["content"] = MASK
                elif method == "remove":
                    alternative["content"] = ""
        if matched and method == "tag":
            item["vocabulary_filter_match"] = True
    retext(results)


def retext(results: dict[str, Any]) -> None:
    """Transcript texts again from the (changed) items."""
    by_id = {item["id"]: item for item in results["items"]}
    for segment in results.get("audio_segments", []):
        segment["transcript"] = items_text([by_id[i] for i in segment["items"]])
    for segment in results.get("segments", []):
        for alternative in segment["alternatives"]:
            alternative["transcript"] = items_text([{"type": i["type"], "alternatives": [i]} for i in alternative["items"]])
    if "channel_labels" in results:
        text = " ".join(s["transcript"] for s in results["audio_segments"] if s["transcript"])
    else:
        text = items_text(results["items"])
    results["transcripts"] = [{"transcript": text}]


def alternative_segments(segments: list[Segment], alternatives: list[list[tuple[list[Word], float]]]) -> list[dict[str, Any]]:
    """Amazon's `results.segments` (ShowAlternatives): per segment, its alternatives best first,
    each a transcript and flat items (content and confidence beside the times)."""
    out = []
    for segment, options in zip(segments, alternatives):
        entries = []
        for words, _ in options:
            items = build_items(words)
            if items:
                flat = [{**{k: v for k, v in i.items() if k not in ("id", "alternatives")}, **i["alternatives"][0]}
                        for i in items]
                entries.append({"transcript": items_text(items), "items": flat})
        if entries:
            out.append({"start_time": _time(segment.start), "end_time": _time(segment.end), "alternatives": entries})
    return out
