"""Real-time streaming transcription (issue #5): HTTP/2 and WebSocket, one incremental recogniser.

Entry point: `asgi.wrap_streaming(app, services)` (called by `jargonaut.api.app.create_app`)
serves `POST /stream-transcription` (HTTP/2, raw ASGI) and
`GET /stream-transcription-websocket` and hands every other request to `app`.

Modules, one job each:
  framing     event-stream messages in and out (the SDK's own codec)
  params      request parameters (headers or query), validation, echoed headers
  chain       the SigV4 chunk-signature chain of HTTP/2 audio events
  media       pcm / flac / ogg-opus bytes -> 16 kHz float32 (PyAV)
  vad         streaming Silero VAD (faster-whisper's model)
  window      short encoder windows for short utterances (per decode thread)
  recogniser  utterance segmentation, partial / final decoding, result timing
  results     TranscriptEvent results, items, stable prefixes (stabilization)
  scheduler   the shared decode pool (finals before partials, off the event loop)
  context     base-model choice, CLM resolution hook, per-account stream limit
  session     one stream, transport-independent: audio in, frames out
  http2, websocket, asgi   the transports and the dispatcher

Custom language models: when `services` has `language_models` with
`resolve_for_stream(account_id, name, language_code, sample_rate) -> object` (raising
BadRequestError for unknown, foreign, unfinished or wrong-band models), the object is passed
to `SpeechEngine.recognize(..., language_model=obj)`; without it any
`language-model-name` is refused with BadRequestException.

Settings (environment): JARGONAUT_MAX_STREAMS_PER_ACCOUNT (default 4),
JARGONAUT_STREAM_DECODERS (decode threads, default 2, plus one for finals only),
JARGONAUT_STREAM_CPU_THREADS (CTranslate2 threads per decode, default 1),
JARGONAUT_STREAM_DEBUG=1 (debug logging of audio and decode timings).
"""
