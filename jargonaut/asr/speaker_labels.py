"""Amazon Transcribe's speaker-label output (ShowSpeakerLabels) on a built transcript.

`speaker_label` ("spk_0", "spk_1", ...) on every item (punctuation takes its word's speaker),
`results.speaker_labels` = {channel_label, speakers, segments: runs of one speaker's words,
each with its times (strings) and its words' times and label}, and `audio_segments` split
where the speaker changes, each with its `speaker_label`, as Amazon writes them.
"""
from __future__ import annotations

from typing import Any

from jargonaut.asr.transcript import items_text


def label(speaker: int) -> str:
    return f"spk_{speaker}"


def pronunciation_spans(transcript: dict[str, Any]) -> list[tuple[float, float]]:
    """(start, end) seconds of each pronunciation item, the units speakers are given to."""
    return [(float(i["start_time"]), float(i["end_time"]))
            for i in transcript["results"]["items"] if i["type"] == "pronunciation"]


def apply_speaker_labels(transcript: dict[str, Any], speakers: list[int]) -> None:
    """In place: `speakers` holds one speaker index per pronunciation item, in order."""
    results = transcript["results"]
    words = [i for i in results["items"] if i["type"] == "pronunciation"]
    if len(words) != len(speakers):
        raise ValueError(f"{len(speakers)} speakers for {len(words)} words")
    current = label(speakers[0]) if speakers else label(0)
    spoken = iter(speakers)
    for item in results["items"]:
        if item["type"] == "pronunciation":
            current = label(next(spoken))
        item["speaker_label"] = current
    results["speaker_labels"] = {
        "channel_label": "ch_0",
        "speakers": len(set(speakers)),
        "segments": _speaker_segments(words),
    }
    if "audio_segments" in results:
        results["audio_segments"] = _split_by_speaker(results["audio_segments"], results["items"])


def _speaker_segments(words: list[dict[str, Any]]) -> list[dict[str, Any]]:
    segments: list[dict[str, Any]] = []
    for word in words:
        entry = {"start_time": word["start_time"], "speaker_label": word["speaker_label"], "end_time": word["end_time"]}
        if segments and segments[-1]["speaker_label"] == word["speaker_label"]:
            segments[-1]["items"].append(entry)
            segments[-1]["end_time"] = word["end_time"]
        else:
            segments.append({"start_time": word["start_time"], "speaker_label": word["speaker_label"],
                             "end_time": word["end_time"], "items": [entry]})
    return segments


def _split_by_speaker(audio_segments: list[dict[str, Any]], items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_id = {item["id"]: item for item in items}
    out: list[dict[str, Any]] = []
    for segment in audio_segments:
        runs: list[list[dict[str, Any]]] = []
        for item in (by_id[i] for i in segment["items"]):
            if runs and runs[-1][-1]["speaker_label"] == item["speaker_label"]:
                runs[-1].append(item)
            else:
                runs.append([item])
        for run in runs:
            timed = [i for i in run if "start_time" in i]
            if not timed:  # punctuation alone: it stays with the run before it
                if out:
                    out[-1]["items"].extend(i["id"] for i in run)
                    out[-1]["transcript"] = items_text([by_id[i] for i in out[-1]["items"]])
                continue
            out.append({
                "id": len(out),
                "transcript": items_text(run),
                "start_time": timed[0]["start_time"] if len(runs) > 1 else segment["start_time"],
                "end_time": timed[-1]["end_time"] if len(runs) > 1 else segment["end_time"],
                "speaker_label": run[0]["speaker_label"],
                "items": [i["id"] for i in run],
            })
    return out
