"""One streaming session, transport-independent: audio bytes in, event-stream frames out."""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, AsyncIterator, Awaitable, Callable

import numpy as np

from jargonaut.asr.base_models import whisper_language
from jargonaut.asr.vocabulary import vocabulary_phrases
from jargonaut.errors import BadRequestError, JargonautError
from jargonaut.stream.chain import ChainError
from jargonaut.stream.framing import FramingError, exception_event, transcript_event
from jargonaut.stream.media import open_decoder
from jargonaut.stream.params import StreamParams
from jargonaut.stream.recogniser import SegmenterConfig, StreamRecogniser
from jargonaut.stream.results import PhraseDisplay, WordFilter
from jargonaut.stream.speakers import StreamSpeakers

log = logging.getLogger(__name__)
SendFrame = Callable[[bytes], Awaitable[None]]
IDLE_TIMEOUT_S = 15.0  # Amazon Transcribe ends a stream that sends no audio for 15 s


async def receive_or_timeout(receive: Callable[[], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
    """The next ASGI message; a client silent for IDLE_TIMEOUT_S ends its stream (and frees its slot)."""
    try:
        return await asyncio.wait_for(receive(), IDLE_TIMEOUT_S)
    except asyncio.TimeoutError:
        raise BadRequestError(
            f"Your stream timed out: no audio was received for {IDLE_TIMEOUT_S:.0f} seconds."
        ) from None


class ClientGone(Exception):
    """The client disconnected mid-stream; nothing more can be sent."""


async def run_session(
    params: StreamParams,
    base: Any,
    language_model: object | None,
    pool: Any,
    audio: AsyncIterator[bytes],
    send_frame: SendFrame,
    word_filter: WordFilter | None = None,
    vocabulary: list[dict[str, str]] | None = None,
    speakers: StreamSpeakers | None = None,
) -> None:
    """Decode, recognise and answer until the audio ends; protocol errors become exception events."""

    async def emit(transcript: dict[str, Any]) -> None:
        await send_frame(transcript_event(transcript))

    recogniser = StreamRecogniser(
        base, pool, emit, language_model=language_model,
        stability=params.stability if params.stabilization else None, word_filter=word_filter,
        phrases=vocabulary_phrases(vocabulary) if vocabulary else None,
        display=PhraseDisplay.of(vocabulary) if vocabulary else None,
        language=whisper_language(params.language_code), speakers=speakers,
        config=SegmenterConfig.for_sample_rate(params.sample_rate),
    )
    queue: asyncio.Queue[np.ndarray | None] = asyncio.Queue()
    worker = asyncio.create_task(recogniser.run(queue))
    decoder = open_decoder(params.media_encoding, params.sample_rate)
    try:
        async for data in audio:
            log.debug("audio %d bytes", len(data))
            samples = decoder.feed(data)
            if len(samples):
                queue.put_nowait(samples)
            if worker.done():
                break  # the recogniser failed; its error is raised below
        tail = await asyncio.to_thread(decoder.finish)
        if len(tail):
            queue.put_nowait(tail)
        queue.put_nowait(None)
        await worker
    except ClientGone:
        worker.cancel()
    except (ChainError, FramingError) as exc:
        worker.cancel()
        await _try_send(send_frame, exception_event("BadRequestException", str(exc)))
    except JargonautError as exc:
        worker.cancel()
        await _try_send(send_frame, exception_event(exc.aws_type, exc.message))
    except Exception as exc:  # noqa: BLE001
        log.exception("stream failed")
        worker.cancel()
        await _try_send(send_frame, exception_event(
            "InternalFailureException", f"The stream failed ({type(exc).__name__}); try again."))
    finally:
        decoder.close()
        if not worker.done():
            worker.cancel()


async def _try_send(send_frame: SendFrame, frame: bytes) -> None:
    try:
        await send_frame(frame)
    except Exception:  # noqa: BLE001 - the client is gone; nothing left to tell it
        pass


def log_stream_start(transport: str, request_id: str, account_id: str, region: str, params: Any) -> float:
    """One server-log line per stream start; returns the start time for `log_stream_end`."""
    log.info("stream %s (account %s, %s) started over %s: %s %d Hz%s", request_id, account_id, region, transport,
             params.media_encoding, params.sample_rate,
             f", CLM {params.language_model_name}" if params.language_model_name else "")
    return time.monotonic()


def log_stream_end(request_id: str, began: float) -> None:
    log.info("stream %s ended after %.1f s", request_id, time.monotonic() - began)
