"""Job settings beyond the media (issue 18) through boto3 against a real server: subtitles,
channel identification, vocabulary filters, speaker labels — each checked against Amazon's
documented format."""
from __future__ import annotations

import json
import re
import shutil
import time
import urllib.error
import urllib.request
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.support.clm import create_role, read_policy, trust_policy
from tests.support.media import make_sequence, make_stereo

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


@pytest.fixture(scope="module")
def stereo_call(server, eval_dir, tmp_path_factory):
    """ch_0 says LJ001-0002 ("in being comparatively modern") at once, ch_1 says JFK's line from 3 s on."""
    bucket = server.bucket("settings-media")
    path = make_stereo(eval_dir / "general/audio/LJ001-0002.flac", eval_dir / "general/audio/jfk.flac",
                       tmp_path_factory.mktemp("stereo") / "call.wav", right_delay=3.0)
    shutil.copy(path, bucket / "call.wav")
    return "s3://settings-media/call.wav"


def _words(items: list[dict]) -> list[str]:
    return [i["alternatives"][0]["content"].lower() for i in items if i["type"] == "pronunciation"]


def check_channels(transcript: dict) -> None:
    results = transcript["results"]
    labels = results["channel_labels"]
    assert labels["number_of_channels"] == 2
    assert [c["channel_label"] for c in labels["channels"]] == ["ch_0", "ch_1"]
    left, right = (_words(c["items"]) for c in labels["channels"])
    assert "modern" in left and "americans" not in left
    assert "americans" in right and "modern" not in right
    for channel in labels["channels"]:
        for item in channel["items"]:
            assert item["channel_label"] == channel["channel_label"] and "id" not in item
            if item["type"] == "pronunciation":
                assert isinstance(item["start_time"], str) and isinstance(item["end_time"], str)
    assert all(float(i["start_time"]) >= 2.5 for i in labels["channels"][1]["items"] if i["type"] == "pronunciation")
    # results.items: both channels, every item labelled, ids in order, each channel's items as in channel_labels.
    items = results["items"]
    assert [i["id"] for i in items] == list(range(len(items)))
    for label, channel in zip(("ch_0", "ch_1"), labels["channels"]):
        assert [{k: v for k, v in i.items() if k != "id"} for i in items if i["channel_label"] == label] == channel["items"]
    # The combined transcript in time order: the left channel's sentence comes first.
    text = results["transcripts"][0]["transcript"].lower()
    assert text.index("modern") < text.index("americans")
    segments = results["audio_segments"]
    assert {s["channel_label"] for s in segments} == {"ch_0", "ch_1"}
    starts = [float(s["start_time"]) for s in segments]
    assert starts == sorted(starts)
    assert sorted(i for s in segments for i in s["items"]) == [i["id"] for i in items]


def test_channel_identification(server, media, stereo_call):
    client = server.client()
    name = unique("channels")
    client.start_transcription_job(
        TranscriptionJobName=name, LanguageCode="en-US", Media={"MediaFileUri": stereo_call},
        Settings={"ChannelIdentification": True},
    )
    job = server.wait_for_job(client, name)
    assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
    assert job["Settings"]["ChannelIdentification"] is True
    check_channels(_transcript_of(job))


def test_channel_identification_needs_two_channels(server, media):
    client = server.client()
    name = unique("mono-channels")
    client.start_transcription_job(
        TranscriptionJobName=name, LanguageCode="en-US", Media={"MediaFileUri": "s3://settings-media/jfk.flac"},
        Settings={"ChannelIdentification": True},
    )
    job = server.wait_for_job(client, name)
    assert job["TranscriptionJobStatus"] == "FAILED"
    assert "two channels" in job["FailureReason"] and "ChannelIdentification" in job["FailureReason"]


@pytest.fixture(scope="module")
def clm(server, eval_dir, tmp_path_factory):
    """A biomed CLM trained through the API (the documented role and data layout)."""
    bucket = server.bucket("settings-clm")
    (bucket / "train").mkdir(parents=True, exist_ok=True)
    shutil.copy(eval_dir / "biomed-tts/train.txt", bucket / "train/biomed.txt")
    account = server.credentials["account_id"]
    role = create_role(server.data_dir, tmp_path_factory.mktemp("roles"), "SettingsCLMRole", trust_policy(account),
                       read_policy("settings-clm"))
    client = server.client()
    name = unique("settings-clm")
    client.create_language_model(LanguageCode="en-US", BaseModelName="WideBand", ModelName=name,
                                 InputDataConfig={"S3Uri": "s3://settings-clm/train/", "DataAccessRoleArn": role})
    deadline = time.monotonic() + 300
    while (model := client.describe_language_model(ModelName=name)["LanguageModel"])["ModelStatus"] == "IN_PROGRESS":
        assert time.monotonic() < deadline
        time.sleep(0.5)
    assert model["ModelStatus"] == "COMPLETED", model.get("FailureReason")
    return name


@pytest.mark.slow
def test_channels_subtitles_vocabulary_and_filter_with_a_clm(server, eval_dir, tmp_path, clm):
    """A two-channel biomed call with a CLM and a custom vocabulary: each channel decoded through the
    fused decoder (CLM scorer + phrase boost), a vocabulary filter masking a drug name in both item
    lists, subtitles from the result."""
    client = server.client()
    masked = unique("drug-filter")
    client.create_vocabulary_filter(VocabularyFilterName=masked, LanguageCode="en-US", Words=["warfarin"])
    # The CLM alone hears "all parp" on the right channel; on the left it hears apixaban on some
    # CPUs, and "to pick up an" on others (an AVX2-only EPYC), where the gate then takes Whisper's
    # own "warfare and". The vocabulary is the user's explicit request: it holds either way.
    vocabulary = unique("drug-vocab")
    client.create_vocabulary(VocabularyName=vocabulary, LanguageCode="en-US",
                             Phrases=["Olaparib", "apixaban", "warfarin"])
    assert wait_for_vocabulary(client, vocabulary)["VocabularyState"] == "READY"
    path = make_stereo(eval_dir / "biomed-tts/wav16/test_001.wav", eval_dir / "biomed-tts/wav16/test_002.wav",
                       tmp_path / "biomed-call.wav", right_delay=5.0)
    shutil.copy(path, server.bucket("settings-media") / "biomed-call.wav")
    name = unique("channels-clm")
    client.start_transcription_job(
        TranscriptionJobName=name, LanguageCode="en-US", Media={"MediaFileUri": "s3://settings-media/biomed-call.wav"},
        Settings={"ChannelIdentification": True, "VocabularyFilterName": masked, "VocabularyFilterMethod": "mask",
                  "VocabularyName": vocabulary},
        ModelSettings={"LanguageModelName": clm},
        Subtitles={"Formats": ["srt"], "OutputStartIndex": 1},
    )
    job = server.wait_for_job(client, name, timeout=300)
    assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
    assert job["ModelSettings"] == {"LanguageModelName": clm}
    transcript = _transcript_of(job)
    left, right = (_words(c["items"]) for c in transcript["results"]["channel_labels"]["channels"])
    assert {"apixaban", "***"} <= set(left) and "warfarin" not in left and not {"olaparib", "brca2"} & set(left), left
    assert {"olaparib", "tumors", "mutations"} <= set(right) and not {"apixaban", "***"} & set(right), right
    assert "Olaparib" in [i["alternatives"][0]["content"] for i in transcript["results"]["channel_labels"]["channels"][1]["items"]]
    assert "***" in [i["alternatives"][0]["content"] for i in transcript["results"]["items"]]
    assert "warfarin" not in transcript["results"]["transcripts"][0]["transcript"].lower()
    srt = urllib.request.urlopen(job["Subtitles"]["SubtitleFileUris"][0]).read().decode()
    check_subtitles(srt, "srt", 1, transcript)
    assert "***" in srt and "warfarin" not in srt.lower()


# ---- vocabulary filters ------------------------------------------------------------------
def test_vocabulary_filter_lifecycle(server, media):
    client = server.client()
    name = unique("filter")
    created = client.create_vocabulary_filter(VocabularyFilterName=name, LanguageCode="en-US", Words=["Country", "darn"])
    assert created["VocabularyFilterName"] == name and created["LanguageCode"] == "en-US"
    got = client.get_vocabulary_filter(VocabularyFilterName=name)
    assert got["LastModifiedTime"] == created["LastModifiedTime"]
    assert urllib.request.urlopen(got["DownloadUri"]).read().decode().split() == ["Country", "darn"]
    with pytest.raises(urllib.error.HTTPError) as unsigned:
        urllib.request.urlopen(got["DownloadUri"].split("?")[0])
    assert unsigned.value.code == 403
    with pytest.raises(ClientError) as twice:
        client.create_vocabulary_filter(VocabularyFilterName=name, LanguageCode="en-US", Words=["x"])
    assert twice.value.response["Error"]["Code"] == "ConflictException"
    # Update from a UTF-8 file in a bucket (one word a line, a BOM and blank lines tolerated).
    (media / "filter.txt").write_bytes("\ufeffsubmarine\n\nswear\n".encode())
    updated = client.update_vocabulary_filter(VocabularyFilterName=name, VocabularyFilterFileUri="s3://settings-media/filter.txt")
    assert updated["LanguageCode"] == "en-US" and updated["LastModifiedTime"] >= created["LastModifiedTime"]
    got = client.get_vocabulary_filter(VocabularyFilterName=name)
    assert urllib.request.urlopen(got["DownloadUri"]).read().decode().split() == ["submarine", "swear"]
    # Listing: newest first, NameContains, pages.
    second = unique("filter")
    client.create_vocabulary_filter(VocabularyFilterName=second, LanguageCode="en-US", Words=["heck"])
    page = client.list_vocabulary_filters(NameContains="filter-", MaxResults=1)
    assert [f["VocabularyFilterName"] for f in page["VocabularyFilters"]] == [second]
    rest = client.list_vocabulary_filters(NameContains="filter-", MaxResults=100, NextToken=page["NextToken"])
    assert name in [f["VocabularyFilterName"] for f in rest["VocabularyFilters"]]
    for n in (name, second):
        client.delete_vocabulary_filter(VocabularyFilterName=n)
    with pytest.raises(ClientError) as gone:
        client.get_vocabulary_filter(VocabularyFilterName=name)
    assert gone.value.response["Error"]["Code"] == "NotFoundException"
    with pytest.raises(ClientError) as gone:
        client.delete_vocabulary_filter(VocabularyFilterName=name)
    assert gone.value.response["Error"]["Code"] == "NotFoundException"


@pytest.mark.parametrize("kwargs, fragment", [
    ({"Words": ["two words"]}, "one word"),
    ({"Words": ["r2d2"]}, "character set"),
    ({"Words": ["fine"], "VocabularyFilterFileUri": "s3://settings-media/filter.txt"}, "not both"),
    ({}, "not both"),
    ({"VocabularyFilterFileUri": "s3://settings-media/missing.txt"}, "could not be found"),
    ({"VocabularyFilterFileUri": "s3://settings-media/latin1.txt"}, "UTF-8"),
    ({"VocabularyFilterFileUri": "s3://settings-media/huge.txt"}, "50 KB"),
    ({"Words": ["fine"], "LanguageCode": "xx-XX"}, "xx-XX"),
])
def test_vocabulary_filter_rules(server, media, kwargs, fragment):
    (media / "latin1.txt").write_bytes("p\u00e9diatre\n".encode("latin-1"))
    (media / "huge.txt").write_text("word\n" * 11000)
    params = {"VocabularyFilterName": unique("bad-filter"), "LanguageCode": "en-US", **kwargs}
    with pytest.raises(ClientError) as bad:
        server.client().create_vocabulary_filter(**params)
    assert bad.value.response["Error"]["Code"] == "BadRequestException"
    assert fragment in bad.value.response["Error"]["Message"]


@pytest.fixture(scope="module")
def jfk_filter(server, media):
    name = unique("jfk-filter")
    server.client().create_vocabulary_filter(VocabularyFilterName=name, LanguageCode="en-US", Words=["COUNTRY", "americans"])
    return name


@pytest.mark.parametrize("method", ["mask", "remove", "tag"])
def test_vocabulary_filter_on_a_job(server, media, jfk_filter, method):
    client = server.client()
    name = unique(f"filtered-{method}")
    client.start_transcription_job(
        TranscriptionJobName=name, LanguageCode="en-US", Media={"MediaFileUri": "s3://settings-media/jfk.flac"},
        Settings={"VocabularyFilterName": jfk_filter, "VocabularyFilterMethod": method}, Subtitles={"Formats": ["srt"]},
    )
    job = server.wait_for_job(client, name)
    assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
    assert job["Settings"]["VocabularyFilterName"] == jfk_filter
    transcript = _transcript_of(job)
    results = transcript["results"]
    words = [i for i in results["items"] if i["type"] == "pronunciation"]
    text = results["transcripts"][0]["transcript"]
    srt = urllib.request.urlopen(job["Subtitles"]["SubtitleFileUris"][0]).read().decode()
    check_subtitles(srt, "srt", 0, transcript)  # subtitles show what the transcript shows
    contents = [w["alternatives"][0]["content"] for w in words]
    assert "fellow" in [c.lower() for c in contents]  # unfiltered words untouched
    if method == "mask":
        assert contents.count("***") >= 2 and "country" not in text.lower() and "***" in text and "***" in srt
        assert not any("vocabulary_filter_match" in w for w in words)
    elif method == "remove":
        assert contents.count("") >= 2 and "country" not in text.lower() and "americans" not in text.lower()
        assert "  " not in text and "country" not in srt.lower()
    else:
        tagged = [w for w in words if w.get("vocabulary_filter_match")]
        assert {w["alternatives"][0]["content"].lower() for w in tagged} == {"country", "americans"}
        assert "country" in text.lower()
    # Segments agree with the items they list.
    by_id = {i["id"]: i for i in results["items"]}
    for segment in results["audio_segments"]:
        assert all(by_id[i]["alternatives"][0]["content"] != "country" for i in segment["items"]) or method == "tag"


def test_vocabulary_filter_settings_errors(server, media, jfk_filter):
    client = server.client()
    cases = [
        ({"VocabularyFilterName": jfk_filter}, "VocabularyFilterMethod"),
        ({"VocabularyFilterName": "no-such-filter", "VocabularyFilterMethod": "mask"}, "no-such-filter"),
    ]
    for settings, fragment in cases:
        with pytest.raises(ClientError) as bad:
            client.start_transcription_job(
                TranscriptionJobName=unique("filter-bad"), LanguageCode="en-US",
                Media={"MediaFileUri": "s3://settings-media/jfk.flac"}, Settings=settings)
        assert bad.value.response["Error"]["Code"] == "BadRequestException"
        assert fragment in bad.value.response["Error"]["Message"]


# ---- custom vocabularies -----------------------------------------------------------------
def wait_for_vocabulary(client, name: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while (vocabulary := client.get_vocabulary(VocabularyName=name))["VocabularyState"] == "PENDING":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    return vocabulary


TABLE = (
    "Phrase\tIPA\tSoundsLike\tDisplayAs\n"
    "fellow-Americans\t\t\tFellow-Americans\n"
    "COUNTRY\t\t\t\n"
    "A.B.C.\t\t\tABC\n"
    "Los-Angeles\t\tlos-ann-jeh-less\tLos Angeles\n"
    "Pembrolizumab\tp ɛ m b r oʊ l ɪ z u m æ b\t\t\n"
)


def test_vocabulary_lifecycle(server, media):
    client = server.client()
    name = unique("vocab")
    created = client.create_vocabulary(VocabularyName=name, LanguageCode="en-US", Phrases=["Jargonaut", "Los-Angeles"])
    assert created["VocabularyState"] == "PENDING"
    ready = wait_for_vocabulary(client, name)
    assert ready["VocabularyState"] == "READY" and "FailureReason" not in ready
    table = urllib.request.urlopen(ready["DownloadUri"]).read().decode().splitlines()
    assert table == ["Phrase\tSoundsLike\tIPA\tDisplayAs", "Jargonaut\t\t\t", "Los-Angeles\t\t\t"]
    # Update from a table file: PENDING again, then READY with the file's rows.
    (media / "vocab.txt").write_text(TABLE)
    updated = client.update_vocabulary(VocabularyName=name, LanguageCode="en-US", VocabularyFileUri="s3://settings-media/vocab.txt")
    assert updated["VocabularyState"] == "PENDING"
    ready = wait_for_vocabulary(client, name)
    assert ready["VocabularyState"] == "READY", ready.get("FailureReason")
    rows = urllib.request.urlopen(ready["DownloadUri"]).read().decode().splitlines()
    assert rows[1:] == ["fellow-Americans\t\t\tFellow-Americans", "COUNTRY\t\t\t", "A.B.C.\t\t\tABC",
                        "Los-Angeles\tlos-ann-jeh-less\t\tLos Angeles", "Pembrolizumab\t\tp ɛ m b r oʊ l ɪ z u m æ b\t"]
    with pytest.raises(ClientError) as twice:
        client.create_vocabulary(VocabularyName=name, LanguageCode="en-US", Phrases=["x"])
    assert twice.value.response["Error"]["Code"] == "ConflictException"
    listed = client.list_vocabularies(StateEquals="READY", NameContains=name)
    assert listed["Status"] == "READY" and [v["VocabularyName"] for v in listed["Vocabularies"]] == [name]
    assert listed["Vocabularies"][0]["VocabularyState"] == "READY"
    assert client.list_vocabularies(StateEquals="FAILED", NameContains=name)["Vocabularies"] == []
    client.delete_vocabulary(VocabularyName=name)
    for call in (client.get_vocabulary, client.delete_vocabulary):
        with pytest.raises(ClientError) as gone:
            call(VocabularyName=name)
        assert gone.value.response["Error"]["Code"] == "NotFoundException"


@pytest.mark.parametrize("content, fragment", [
    ("Phrase\tDisplayAs\nfine\t\nLos Angeles\tLA\n", "line 3"),
    ("Phrase\tIPA\tSoundsLike\nword\tw ɜ r d\twerd\n", "both IPA and SoundsLike"),
    ("Phrase\tColour\nword\tred\n", "Colour"),
    ("Phrase\tDisplayAs\nr2d2\tR2-D2\n", "character set"),
    ("Phrase\tIPA\nword\tw 3 r d\n", "IPA"),
    (b"caf\xe9\n", "UTF-8"),
])
def test_vocabulary_file_problems_fail_it(server, media, content, fragment):
    client = server.client()
    name = unique("bad-vocab")
    data = content if isinstance(content, bytes) else content.encode()
    (media / f"{name}.txt").write_bytes(data)
    client.create_vocabulary(VocabularyName=name, LanguageCode="en-US", VocabularyFileUri=f"s3://settings-media/{name}.txt")
    failed = wait_for_vocabulary(client, name)
    assert failed["VocabularyState"] == "FAILED"
    assert fragment in failed["FailureReason"], failed["FailureReason"]
    assert "DownloadUri" not in failed
    # A FAILED vocabulary can't be used by a job.
    with pytest.raises(ClientError) as bad:
        client.start_transcription_job(TranscriptionJobName=unique("vocab-job"), LanguageCode="en-US",
                                       Media={"MediaFileUri": "s3://settings-media/jfk.flac"}, Settings={"VocabularyName": name})
    assert bad.value.response["Error"]["Code"] == "BadRequestException" and "FAILED" in bad.value.response["Error"]["Message"]


@pytest.mark.parametrize("kwargs, fragment", [
    ({"Phrases": ["ok"], "VocabularyFileUri": "s3://settings-media/vocab.txt"}, "not both"),
    ({}, "not both"),
    ({"Phrases": ["ok"], "LanguageCode": "xx-XX"}, "xx-XX"),
    ({"Phrases": ["ok"], "DataAccessRoleArn": "arn:aws:iam::123456789012:role/R"}, "DataAccessRoleArn"),
])
def test_vocabulary_request_errors(server, media, kwargs, fragment):
    params = {"VocabularyName": unique("bad-vocab"), "LanguageCode": "en-US", **kwargs}
    with pytest.raises(ClientError) as bad:
        server.client().create_vocabulary(**params)
    assert bad.value.response["Error"]["Code"] == "BadRequestException"
    assert fragment in bad.value.response["Error"]["Message"]


def test_vocabulary_on_a_job_display_as(server, media):
    client = server.client()
    vocabulary = unique("jfk-vocab")
    (media / f"{vocabulary}.txt").write_text(TABLE)
    client.create_vocabulary(VocabularyName=vocabulary, LanguageCode="en-US",
                             VocabularyFileUri=f"s3://settings-media/{vocabulary}.txt")
    assert wait_for_vocabulary(client, vocabulary)["VocabularyState"] == "READY"
    name = unique("vocab-job")
    client.start_transcription_job(TranscriptionJobName=name, LanguageCode="en-US",
                                   Media={"MediaFileUri": "s3://settings-media/jfk.flac"},
                                   Settings={"VocabularyName": vocabulary})
    job = server.wait_for_job(client, name)
    assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
    assert job["Settings"]["VocabularyName"] == vocabulary
    results = _transcript_of(job)["results"]
    items = results["items"]
    assert [i["id"] for i in items] == list(range(len(items)))
    contents = [i["alternatives"][0]["content"] for i in items]
    assert "Fellow-Americans" in contents and "COUNTRY" in contents  # DisplayAs, and the phrase as the table spells it
    assert "fellow" not in [c.lower() for c in contents]
    merged = items[contents.index("Fellow-Americans")]
    assert float(merged["end_time"]) - float(merged["start_time"]) > 0.5  # spans both words
    assert "Fellow-Americans" in results["transcripts"][0]["transcript"]
    assert sorted(i for s in results["audio_segments"] for i in s["items"]) == list(range(len(items)))


def test_display_as_in_every_alternative(server, media):
    """DisplayAs reaches the beam's other readings too: each reading that says the phrase writes it
    the vocabulary's way, and its transcript follows its items."""
    client = server.client()
    vocabulary = unique("jfk-alt-vocab")
    (media / f"{vocabulary}.txt").write_text(TABLE)
    client.create_vocabulary(VocabularyName=vocabulary, LanguageCode="en-US",
                             VocabularyFileUri=f"s3://settings-media/{vocabulary}.txt")
    assert wait_for_vocabulary(client, vocabulary)["VocabularyState"] == "READY"
    name = unique("vocab-alternatives")
    client.start_transcription_job(TranscriptionJobName=name, LanguageCode="en-US",
                                   Media={"MediaFileUri": "s3://settings-media/jfk.flac"},
                                   Settings={"VocabularyName": vocabulary, "ShowAlternatives": True, "MaxAlternatives": 3})
    job = server.wait_for_job(client, name)
    assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
    alternatives = [a for s in _transcript_of(job)["results"]["segments"] for a in s["alternatives"]]
    contents = [[i["content"] for i in a["items"]] for a in alternatives]
    assert any("Fellow-Americans" in c for c in contents)
    for alternative, said in zip(alternatives, contents):
        lowered = [c.lower() for c in said]
        assert ("fellow", "americans") not in zip(lowered, lowered[1:])  # never the phrase's words one by one
        assert all(set(i) == {"start_time", "end_time", "confidence", "content", "type"}
                   for i in alternative["items"] if i["type"] == "pronunciation")
        if "Fellow-Americans" in said:
            assert "Fellow-Americans" in alternative["transcript"]


def test_sounds_like_finds_a_phrase_by_its_sound(server, media):
    """A phrase Whisper can't spell ("Kuntree") is found by its SoundsLike pieces: JFK's "country"
    is what "coun-try" run together says, so it comes out written as the phrase."""
    client = server.client()
    vocabulary = unique("sounds-like")
    (media / f"{vocabulary}.txt").write_text("Phrase\tIPA\tSoundsLike\tDisplayAs\nKuntree\t\tcoun-try\t\n")
    client.create_vocabulary(VocabularyName=vocabulary, LanguageCode="en-US",
                             VocabularyFileUri=f"s3://settings-media/{vocabulary}.txt")
    assert wait_for_vocabulary(client, vocabulary)["VocabularyState"] == "READY"
    name = unique("sounds-like-job")
    client.start_transcription_job(TranscriptionJobName=name, LanguageCode="en-US",
                                   Media={"MediaFileUri": "s3://settings-media/jfk.flac"},
                                   Settings={"VocabularyName": vocabulary})
    job = server.wait_for_job(client, name)
    assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
    results = _transcript_of(job)["results"]
    contents = _words(results["items"])
    assert "kuntree" in contents and "country" not in contents, contents
    assert "Kuntree" in results["transcripts"][0]["transcript"]


def test_language_identification_needs_a_multilingual_model(server, media):
    with pytest.raises(ClientError) as bad:
        server.client().start_transcription_job(
            TranscriptionJobName=unique("identify"), IdentifyLanguage=True, LanguageOptions=["en-US", "en-GB"],
            Media={"MediaFileUri": "s3://settings-media/jfk.flac"})
    assert bad.value.response["Error"]["Code"] == "BadRequestException"
    message = bad.value.response["Error"]["Message"]
    assert "IdentifyLanguage" in message and "multilingual" in message and "LanguageCode" in message


@pytest.mark.parametrize("settings, member", [
    ({"ShowAlternatives": True}, "Settings.MaxAlternatives"),
    ({"MaxAlternatives": 3}, "Settings.ShowAlternatives"),
    ({"ShowAlternatives": True, "MaxAlternatives": 3, "ChannelIdentification": True}, "Settings.ChannelIdentification"),
])
def test_settings_not_built_are_refused_by_name(server, media, settings, member):
    with pytest.raises(ClientError) as bad:
        server.client().start_transcription_job(
            TranscriptionJobName=unique("refused"), LanguageCode="en-US", Settings=settings,
            Media={"MediaFileUri": "s3://settings-media/jfk.flac"})
    assert bad.value.response["Error"]["Code"] == "BadRequestException"
    assert member in bad.value.response["Error"]["Message"]


def _terms_in(transcript: dict, terms: set[str]) -> set[str]:
    return terms & {w.lower() for w in _words(transcript["results"]["items"])}


@pytest.mark.slow
def test_vocabulary_boosts_its_phrases_in_the_decoder(server, eval_dir):
    """Drug names Whisper splits into pieces ("Pemberla's U-Mab") come out whole with a vocabulary."""
    bucket = server.bucket("settings-media")
    shutil.copy(eval_dir / "biomed-tts/wav16/test_000.wav", bucket / "biomed-000.wav")
    client = server.client()
    vocabulary = unique("drugs")
    client.create_vocabulary(VocabularyName=vocabulary, LanguageCode="en-US", Phrases=["pembrolizumab", "nivolumab"])
    assert wait_for_vocabulary(client, vocabulary)["VocabularyState"] == "READY"
    plain, boosted = unique("plain"), unique("boosted")
    media = {"MediaFileUri": "s3://settings-media/biomed-000.wav"}
    client.start_transcription_job(TranscriptionJobName=plain, LanguageCode="en-US", Media=media)
    client.start_transcription_job(TranscriptionJobName=boosted, LanguageCode="en-US", Media=media,
                                   Settings={"VocabularyName": vocabulary})
    terms = {"pembrolizumab", "nivolumab"}
    without = _terms_in(_transcript_of(server.wait_for_job(client, plain)), terms)
    job = server.wait_for_job(client, boosted)
    assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
    transcript = _transcript_of(job)
    assert _terms_in(transcript, terms) == terms and len(without) < len(terms), (without, transcript["results"]["transcripts"])
    # Written as the vocabulary spells them.
    assert {"pembrolizumab", "nivolumab"} <= {i["alternatives"][0]["content"] for i in transcript["results"]["items"]}


def test_alternatives_from_the_beam(server, media):
    client = server.client()
    name = unique("alternatives")
    client.start_transcription_job(TranscriptionJobName=name, LanguageCode="en-US",
                                   Media={"MediaFileUri": "s3://settings-media/LJ001-0003.flac"},
                                   Settings={"ShowAlternatives": True, "MaxAlternatives": 4})
    job = server.wait_for_job(client, name)
    assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
    assert job["Settings"]["ShowAlternatives"] is True and job["Settings"]["MaxAlternatives"] == 4
    results = _transcript_of(job)["results"]
    segments = results["segments"]
    assert len(segments) == len(results["audio_segments"])
    assert any(len(s["alternatives"]) >= 2 for s in segments)  # a 10-second sentence has more than one reading
    for segment, audio_segment in zip(segments, results["audio_segments"]):
        assert isinstance(segment["start_time"], str) and isinstance(segment["end_time"], str)
        assert 1 <= len(segment["alternatives"]) <= 4
        # The first alternative is the transcript itself.
        assert segment["alternatives"][0]["transcript"] == audio_segment["transcript"]
        readings = [a["transcript"] for a in segment["alternatives"]]
        assert len(set(readings)) == len(readings)  # each says something different
        for alternative in segment["alternatives"]:
            words = [i for i in alternative["items"] if i["type"] == "pronunciation"]
            assert words and all(set(i) == {"start_time", "end_time", "confidence", "content", "type"} for i in words)
            for item in alternative["items"]:
                assert isinstance(item["confidence"], str) and 0 <= float(item["confidence"]) <= 1
            starts = [float(i["start_time"]) for i in words]
            assert starts == sorted(starts)
            # each segment is re-read after a lead-in silence, which its timings leave out again
            assert float(segment["start_time"]) <= starts[0] and float(words[-1]["end_time"]) <= float(segment["end_time"]) + 1.0


# ---- speaker labels ----------------------------------------------------------------------
SPEAKER = re.compile(r"^spk_\d+$")


@pytest.fixture(scope="module")
def two_voices(server, eval_dir, tmp_path_factory):
    """LJSpeech's reader (a woman), then JFK (a man), then the reader again: the URI and each
    part's (start, end) seconds."""
    audio = eval_dir / "general/audio"
    path, spans = make_sequence([audio / "LJ001-0001.flac", audio / "jfk.flac", audio / "LJ001-0003.flac"],
                                tmp_path_factory.mktemp("voices") / "two-voices.wav")
    shutil.copy(path, server.bucket("settings-media") / "two-voices.wav")
    return "s3://settings-media/two-voices.wav", spans


def check_speaker_labels(results: dict, max_speakers: int) -> dict[str, str]:
    """Amazon's speaker-label format and its internal consistency; returns each item id's label."""
    labels = results["speaker_labels"]
    words = [i for i in results["items"] if i["type"] == "pronunciation"]
    assert words and all(SPEAKER.match(i["speaker_label"]) for i in results["items"])  # every item labelled
    found = {i["speaker_label"] for i in words}
    assert labels["speakers"] == len(found) <= max_speakers
    assert found == {f"spk_{n}" for n in range(len(found))}  # numbered from spk_0 without gaps
    assert labels["channel_label"] == "ch_0"
    # The segments are the words' runs of one speaker, in order, with the words' own times.
    flat = [entry for segment in labels["segments"] for entry in segment["items"]]
    assert flat == [{"start_time": i["start_time"], "speaker_label": i["speaker_label"], "end_time": i["end_time"]}
                    for i in words]
    for segment in labels["segments"]:
        assert all(isinstance(segment[k], str) for k in ("start_time", "end_time", "speaker_label"))
        assert {e["speaker_label"] for e in segment["items"]} == {segment["speaker_label"]}
        assert (segment["start_time"], segment["end_time"]) == (segment["items"][0]["start_time"], segment["items"][-1]["end_time"])
    assert all(a["speaker_label"] != b["speaker_label"] for a, b in zip(labels["segments"], labels["segments"][1:]))
    # audio_segments: one speaker each, covering every item once.
    by_id = {i["id"]: i for i in results["items"]}
    for segment in results["audio_segments"]:
        assert {by_id[i]["speaker_label"] for i in segment["items"]} == {segment["speaker_label"]}
    assert sorted(i for s in results["audio_segments"] for i in s["items"]) == sorted(by_id)
    return {str(i["id"]): i["speaker_label"] for i in results["items"]}


def labels_inside(results: dict, span: tuple[float, float], margin: float = 1.0) -> set[str]:
    """The speakers of the words well inside one voice's part (a word at a turn may be heard with its neighbour)."""
    return {i["speaker_label"] for i in results["items"] if i["type"] == "pronunciation"
            and span[0] + margin <= float(i["start_time"]) and float(i["end_time"]) <= span[1] - margin}


def test_speaker_labels_tell_two_voices_apart(server, media, two_voices):
    uri, (reader, jfk, reader_again) = two_voices
    client = server.client()
    name = unique("speakers")
    client.start_transcription_job(TranscriptionJobName=name, LanguageCode="en-US", Media={"MediaFileUri": uri},
                                   Settings={"ShowSpeakerLabels": True, "MaxSpeakerLabels": 4},
                                   Subtitles={"Formats": ["vtt"]})
    job = server.wait_for_job(client, name)
    assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
    assert job["Settings"]["ShowSpeakerLabels"] is True and job["Settings"]["MaxSpeakerLabels"] == 4
    transcript = _transcript_of(job)
    results = transcript["results"]
    check_speaker_labels(results, 4)
    assert results["speaker_labels"]["speakers"] == 2
    first, second, third = (labels_inside(results, span) for span in (reader, jfk, reader_again))
    assert len(first) == len(second) == 1 and first != second  # the man is not the woman
    assert third == first  # and the woman is known again after him
    text = urllib.request.urlopen(job["Subtitles"]["SubtitleFileUris"][0]).read().decode()
    check_subtitles(text, "vtt", 0, transcript)  # subtitles are unchanged by speaker labels


@pytest.mark.parametrize("settings, fragment", [
    ({"ShowSpeakerLabels": True, "MaxSpeakerLabels": 31}, "Settings.MaxSpeakerLabels"),
    ({"ShowSpeakerLabels": True}, "Settings.MaxSpeakerLabels"),
    ({"MaxSpeakerLabels": 3}, "Settings.ShowSpeakerLabels"),
    ({"ShowSpeakerLabels": True, "MaxSpeakerLabels": 2, "ChannelIdentification": True}, "Settings.ChannelIdentification"),
])
def test_speaker_label_settings_errors(server, media, settings, fragment):
    with pytest.raises(ClientError) as bad:
        server.client().start_transcription_job(
            TranscriptionJobName=unique("speakers-bad"), LanguageCode="en-US", Settings=settings,
            Media={"MediaFileUri": "s3://settings-media/jfk.flac"})
    assert bad.value.response["Error"]["Code"] == "BadRequestException"
    assert fragment in bad.value.response["Error"]["Message"]


@pytest.mark.slow
def test_speaker_labels_with_a_clm_and_a_vocabulary_filter(server, eval_dir, tmp_path, clm):
    """A biomed sentence (a synthetic voice) then JFK, decoded with the biomed CLM, a filter masking
    a word: the CLM's words, the masked word and the speakers all in one transcript."""
    client = server.client()
    masked = unique("speaker-filter")
    client.create_vocabulary_filter(VocabularyFilterName=masked, LanguageCode="en-US", Words=["country"])
    path, (biomed, jfk) = make_sequence([eval_dir / "biomed-tts/wav16/test_002.wav", eval_dir / "general/audio/jfk.flac"],
                                        tmp_path / "biomed-then-jfk.wav")
    shutil.copy(path, server.bucket("settings-media") / "biomed-then-jfk.wav")
    name = unique("speakers-clm")
    client.start_transcription_job(
        TranscriptionJobName=name, LanguageCode="en-US", Media={"MediaFileUri": "s3://settings-media/biomed-then-jfk.wav"},
        Settings={"ShowSpeakerLabels": True, "MaxSpeakerLabels": 2, "VocabularyFilterName": masked,
                  "VocabularyFilterMethod": "mask"},
        ModelSettings={"LanguageModelName": clm},
    )
    job = server.wait_for_job(client, name, timeout=300)
    assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
    assert job["ModelSettings"] == {"LanguageModelName": clm}
    results = _transcript_of(job)["results"]
    check_speaker_labels(results, 2)
    assert {"tumors", "mutations"} <= set(_words(results["items"]))
    assert "***" in _words(results["items"]) and "country" not in _words(results["items"])
    synthetic, man = labels_inside(results, biomed, margin=0.5), labels_inside(results, jfk)
    assert len(synthetic) == len(man) == 1 and synthetic != man
