"""Job settings beyond the media (issue 18) through boto3 against a real server: subtitles,
channel identification, vocabulary filters — each checked against Amazon's documented format."""
from __future__ import annotations

import json
import re
import shutil
import urllib.error
import urllib.request
import uuid

import pytest
from botocore.exceptions import ClientError

SRT_TIMING = re.compile(r"^(\d\d):(\d\d):(\d\d),(\d\d\d) --> (\d\d):(\d\d):(\d\d),(\d\d\d)$")
VTT_TIMING = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> (\d\d):(\d\d):(\d\d)\.(\d\d\d)$")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def media(server, eval_dir):
    bucket = server.bucket("settings-media")
    for clip in ("LJ001-0001.flac", "LJ001-0003.flac"):
        shutil.copy(eval_dir / "general/audio" / clip, bucket / clip)
    shutil.copy(eval_dir / "general/audio/jfk.flac", bucket / "jfk.flac")
    return bucket


def _transcript_of(job: dict) -> dict:
    uri = job["Transcript"]["TranscriptFileUri"]
    return json.loads(urllib.request.urlopen(uri).read())


def _seconds(groups: tuple[str, ...]) -> tuple[float, float]:
    h1, m1, s1, ms1, h2, m2, s2, ms2 = (int(g) for g in groups)
    return h1 * 3600 + m1 * 60 + s1 + ms1 / 1000, h2 * 3600 + m2 * 60 + s2 + ms2 / 1000


def parse_cues(text: str, subtitle_format: str) -> list[tuple[int, float, float, list[str]]]:
    """(number, start, end, lines) per cue; asserts the file's framing on the way."""
    timing = SRT_TIMING if subtitle_format == "srt" else VTT_TIMING
    blocks = text.strip("\n").split("\n\n")
    if subtitle_format == "vtt":
        assert blocks[0] == "WEBVTT"
        blocks = blocks[1:]
    cues = []
    for block in blocks:
        number, times, *lines = block.split("\n")
        match = timing.match(times)
        assert match, times
        start, end = _seconds(match.groups())
        cues.append((int(number), start, end, lines))
    return cues


def check_subtitles(text: str, subtitle_format: str, start_index: int, transcript: dict) -> None:
    cues = parse_cues(text, subtitle_format)
    assert cues
    assert [c[0] for c in cues] == list(range(start_index, start_index + len(cues)))
    words = [i for i in transcript["results"]["items"] if i["type"] == "pronunciation"]
    first, last = float(words[0]["start_time"]), float(words[-1]["end_time"])
    previous_end = 0.0
    for _, start, end, lines in cues:
        assert 1 <= len(lines) <= 2 and all(0 < len(line) <= 42 for line in lines), lines
        assert previous_end <= start <= end  # in order, never overlapping
        assert first - 0.001 <= start and end <= last + 0.001
        previous_end = end
    # The cues say exactly what the transcript says, in order (punctuation included).
    shown = " ".join(" ".join(lines) for *_, lines in cues)
    assert shown == transcript["results"]["transcripts"][0]["transcript"]


def test_subtitles_in_the_service_bucket(server, media):
    client = server.client()
    name = unique("subs")
    started = client.start_transcription_job(
        TranscriptionJobName=name, LanguageCode="en-US", Media={"MediaFileUri": "s3://settings-media/LJ001-0003.flac"},
        Subtitles={"Formats": ["srt", "vtt"], "OutputStartIndex": 1},
    )["TranscriptionJob"]
    assert started["Subtitles"]["Formats"] == ["srt", "vtt"] and "SubtitleFileUris" not in started["Subtitles"]
    job = server.wait_for_job(client, name)
    assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
    transcript = _transcript_of(job)
    subtitles = job["Subtitles"]
    assert subtitles["OutputStartIndex"] == 1
    uris = subtitles["SubtitleFileUris"]
    assert [u.split("?")[0].rsplit(".", 1)[1] for u in uris] == ["srt", "vtt"]
    texts = {}
    for uri in uris:
        response = urllib.request.urlopen(uri)
        subtitle_format = uri.split("?")[0].rsplit(".", 1)[1]
        texts[subtitle_format] = response.read().decode()
        check_subtitles(texts[subtitle_format], subtitle_format, 1, transcript)
    assert len(parse_cues(texts["srt"], "srt")) >= 2  # a 10-second, 150-character sentence needs more than one cue
    # Both formats carry the same cues.
    assert [c[1:] for c in parse_cues(texts["srt"], "srt")] == [c[1:] for c in parse_cues(texts["vtt"], "vtt")]
    # A subtitle URL is pre-signed like the transcript's.
    with pytest.raises(urllib.error.HTTPError) as unsigned:
        urllib.request.urlopen(uris[0].split("?")[0])
    assert unsigned.value.code == 403
    # Deleting the job deletes its subtitle files.
    client.delete_transcription_job(TranscriptionJobName=name)
    with pytest.raises(urllib.error.HTTPError) as gone:
        urllib.request.urlopen(uris[1])
    assert gone.value.code in (400, 404)


def test_subtitles_beside_the_transcript_in_the_output_bucket(server, media):
    client = server.client()
    out = server.bucket("subs-out")
    name = unique("subs-out")
    client.start_transcription_job(
        TranscriptionJobName=name, LanguageCode="en-US", Media={"MediaFileUri": "s3://settings-media/jfk.flac"},
        OutputBucketName="subs-out", OutputKey="folder/custom.json", Subtitles={"Formats": ["vtt"]},
    )
    job = server.wait_for_job(client, name)
    assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
    assert job["Subtitles"] == {
        "Formats": ["vtt"], "OutputStartIndex": 0, "SubtitleFileUris": ["s3://subs-out/folder/custom.vtt"],
    }
    transcript = json.loads((out / "folder/custom.json").read_text())
    check_subtitles((out / "folder/custom.vtt").read_text(), "vtt", 0, transcript)
    assert not (out / "folder/custom.srt").exists()


def test_subtitles_bad_format_is_a_clear_error(server, media):
    client = server.client()
    with pytest.raises(ClientError) as bad:
        client.start_transcription_job(
            TranscriptionJobName=unique("subs-bad"), LanguageCode="en-US",
            Media={"MediaFileUri": "s3://settings-media/jfk.flac"}, Subtitles={"Formats": ["ass"]},
        )
    assert bad.value.response["Error"]["Code"] == "BadRequestException"
    assert "Subtitles.Formats" in bad.value.response["Error"]["Message"]
