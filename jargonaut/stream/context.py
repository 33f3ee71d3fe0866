"""What every stream needs from the server: base model choice, CLM resolution, limits, decoders."""
from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from jargonaut.asr.base_models import BaseModel, band_for_rate
from jargonaut.errors import BadRequestError
from jargonaut.regions import AllowedRegions
from jargonaut.service.stream_leases import StreamLeases
from jargonaut.stream.params import StreamParams
from jargonaut.stream.results import WordFilter
from jargonaut.stream.scheduler import DecodePool
from jargonaut.stream.speakers import StreamSpeakers

log = logging.getLogger(__name__)


def _setting(services: Any, name: str, default: int) -> int:
    """The Settings attribute (environment and TOML already applied there), else the default."""
    value = getattr(services.settings, name, None)
    return int(value) if value not in (None, "") else default


class StreamLimiter:
    """Concurrent streams per account, counted in the database across every node
    (service/stream_leases.py). An admission is one short write, done on the event loop: it is
    once per stream, and a thread hop would cost as much."""

    def __init__(self, leases: StreamLeases) -> None:
        self.leases = leases
        self.limit = leases.limit

    def acquire(self, account_id: str) -> "Lease":
        return Lease(self, self.leases.admit(account_id))

    def release(self, lease_id: str) -> None:
        self.leases.release(lease_id)

    def active(self, account_id: str) -> int:
        return self.leases.active(account_id)


@dataclass
class Lease:
    limiter: StreamLimiter
    lease_id: str
    released: bool = False

    def release(self) -> None:
        if not self.released:
            self.released = True
            self.limiter.release(self.lease_id)


class StreamContext:
    def __init__(self, services: Any) -> None:
        self.services = services
        self.settings = services.settings
        self.engine = services.speech
        if self.engine.options.stream_debug:
            logging.getLogger("jargonaut.stream").setLevel(logging.DEBUG)
        self.regions = AllowedRegions(self.settings.regions)
        self.limiter = StreamLimiter(services.stream_leases)
        self.pool = DecodePool(self.engine, _setting(services, "stream_decoders", 2))
        threading.Thread(target=self._warm_up, name="stream-warmup", daemon=True).start()

    def _warm_up(self) -> None:
        """Load the model and the VAD before the first stream, so its first partial is not late."""
        try:
            from jargonaut.stream.vad import StreamingVad

            StreamingVad().accept(np.zeros(1024, np.float32))
            self.engine.warm_up(self.services.base_models.values(), self.engine.options.stream_decode,
                                self.pool.workers)
        except Exception:  # noqa: BLE001 - the first stream will load it (and report errors) instead
            log.exception("stream warm-up failed")

    def base_model(self, params: StreamParams) -> BaseModel:
        name = band_for_rate(params.sample_rate)
        base = self.services.base_models[name]
        if params.language_code not in base.languages:
            raise BadRequestError(f"Language {params.language_code} is not available for {name} audio.")
        return base

    async def vocabulary(self, account_id: str, region: str, params: StreamParams) -> list[dict[str, str]] | None:
        """The stream's custom vocabulary entries (READY, same language), or None."""
        if not params.vocabulary_name:
            return None
        vocabularies = getattr(self.services, "vocabularies", None)
        if vocabularies is None:
            raise BadRequestError("Custom vocabularies are not available on this server.")
        return await asyncio.to_thread(vocabularies.entries_for_job, account_id, region, params.vocabulary_name,
                                       params.language_code)

    async def word_filter(self, account_id: str, region: str, params: StreamParams) -> WordFilter | None:
        """The stream's vocabulary filter (its words when the stream starts)."""
        if not params.vocabulary_filter_name:
            return None
        filters = getattr(self.services, "vocabulary_filters", None)
        if filters is None:
            raise BadRequestError("Vocabulary filters are not available on this server.")
        words = await asyncio.to_thread(filters.words_for_job, account_id, region, params.vocabulary_filter_name,
                                        params.language_code)
        return WordFilter(frozenset(w.lower() for w in words), params.vocabulary_filter_method or "mask")

    async def speakers(self, params: StreamParams) -> StreamSpeakers | None:
        """The stream's speaker labeller (`show-speaker-label`), its encoder loaded off the event loop."""
        if not params.show_speaker_label:
            return None
        from jargonaut.asr.speaker_encoder import EncoderUnavailable

        try:
            return await asyncio.to_thread(StreamSpeakers)
        except EncoderUnavailable as exc:
            raise BadRequestError(f"show-speaker-label: {exc}.") from None

    async def language_model(self, account_id: str, region: str, params: StreamParams) -> object | None:
        """Hook for custom language models: `services.language_models.resolve_for_stream`."""
        if not params.language_model_name:
            return None
        models = getattr(self.services, "language_models", None)
        if models is None or not hasattr(models, "resolve_for_stream"):
            raise BadRequestError("Custom language models are not available on this server.")
        # A database read and an artefact load: off the event loop.
        return await asyncio.to_thread(
            models.resolve_for_stream,
            account_id, region, params.language_model_name, params.language_code, params.sample_rate,
        )
