"""Speaker labels on streams (issue 18): `show-speaker-label` through the streaming SDK (HTTP/2)
and the WebSocket URL; finals carry `Speaker` ("0", "1", ...) on their items, partials none."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.stream.audio import pcm_file
from tests.stream.helpers import cert, finals, spec
from tests.stream.sdk_client import run_in_subprocess
from tests.support.media import make_sequence
from tests.support.server import EVAL

LEAD = 0.5  # pcm_file's silence before the audio


def _voices(tmp_path: Path, clips: list[Path]) -> tuple[Path, list[tuple[float, float]]]:
    """The clips one after another as 16 kHz PCM, and each one's (start, end) seconds in the stream."""
    wav, spans = make_sequence(clips, tmp_path / "voices.wav")
    return pcm_file(wav, 16000, tmp_path / "voices.pcm"), [(a + LEAD, b + LEAD) for a, b in spans]


def speakers_inside(items: list[dict], span: tuple[float, float], margin: float = 1.0) -> set[str]:
    """The speakers of the final words well inside one voice's part."""
    return {i["speaker"] for i in items if i["type"] == "pronunciation"
            and span[0] + margin <= i["start"] and i["end"] <= span[1] - margin}


@pytest.mark.slow
def test_sdk_stream_tells_two_voices_apart(stream_server, tmp_path) -> None:
    """LJSpeech's reader, JFK, the reader again, streamed at twice real time: the reader keeps her
    speaker after JFK, and JFK's differs."""
    audio = EVAL / "general/audio"
    path, (reader, jfk, reader_again) = _voices(
        tmp_path, [audio / "LJ001-0001.flac", audio / "jfk.flac", audio / "LJ001-0003.flac"])
    out = run_in_subprocess(spec(stream_server, path, 16000, show_speaker_label=True, bytes_per_second=64000),
                            cert(stream_server))
    assert out["error"] is None, out["error"]
    assert out["headers"]["show_speaker_label"] is True
    final_items = [i for e in finals(out["events"]) for i in e["items"]]
    assert final_items and all(isinstance(i["speaker"], str) and i["speaker"].isdigit() for i in final_items)
    # One speaker per final; numbered from "0" in order of first appearance.
    per_final = [{i["speaker"] for i in e["items"]} for e in finals(out["events"]) if e["items"]]
    assert all(len(s) == 1 for s in per_final)
    order = list(dict.fromkeys(s.pop() for s in per_final))
    assert order == [str(n) for n in range(len(order))]
    assert all(i["speaker"] is None for e in out["events"] if e["partial"] for i in e["items"])  # partials: none
    first, man, again = (speakers_inside(final_items, span) for span in (reader, jfk, reader_again))
    assert len(first) == len(man) == 1 and first != man, (first, man, again)
    assert again == first
