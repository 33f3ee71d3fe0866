"""Fetch a job's media and check it against what the request says (format, sample rate)."""
from __future__ import annotations

from pathlib import Path

from jargonaut.asr import audio
from jargonaut.errors import MediaError
from jargonaut.storage.objects import ObjectAccess, ObjectAccessDenied, ObjectNotFound, parse_uri


def fetch_media(store: ObjectAccess, uri: str, destination: Path) -> None:
    ref = parse_uri(uri)
    try:
        store.download(ref, destination)
    except ObjectNotFound as exc:
        raise MediaError(
            f"The media file {uri} could not be found ({exc}). Check that the bucket and key are correct."
        ) from exc
    except ObjectAccessDenied as exc:
        raise MediaError(
            f"Access to the media file {uri} was denied ({exc}). Check the object's permissions."
        ) from exc


def check_media(path: Path, media_format: str | None, sample_rate: int | None) -> audio.MediaInfo:
    info = audio.probe(path)
    if media_format and info.media_format != media_format and not (
        {info.media_format, media_format} <= {"mp4", "m4a"}
    ):
        raise MediaError(
            f"The media format you specified ({media_format}) doesn't match the detected media format "
            f"({info.media_format}). Check the media format and try your request again."
        )
    if not audio.MIN_RATE <= info.sample_rate <= audio.MAX_RATE:
        raise MediaError(
            f"The audio's sample rate is {info.sample_rate} Hz; it must be between "
            f"{audio.MIN_RATE} and {audio.MAX_RATE} Hz."
        )
    if sample_rate and sample_rate != info.sample_rate:
        raise MediaError(
            f"The specified sample rate ({sample_rate} Hz) doesn't match the sample rate detected in your "
            f"input media file ({info.sample_rate} Hz). Omit MediaSampleRateHertz or set it to {info.sample_rate}."
        )
    return info


def probe_object(store: ObjectAccess, uri: str, scratch: Path) -> audio.MediaInfo:
    """Format and sample rate of an audio object `store` may read (the console's band choice)."""
    target = scratch / "media"
    fetch_media(store, uri, target)
    return audio.probe(target)
