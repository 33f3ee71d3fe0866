"""Stream audio through the real `amazon-transcribe` SDK (HTTP/2, awscrt) and record what comes back.

awscrt reads SSL_CERT_FILE when the client is created, so run this in a process whose
environment trusts the server's self-signed certificate (`run_in_subprocess`).
Usage: python -m tests.stream.sdk_client '<json spec>'  -> one JSON object on stdout.
"""
from __future__ import annotations

import asyncio
import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


async def stream(spec: dict[str, Any]) -> dict[str, Any]:
    from amazon_transcribe.auth import StaticCredentialResolver
    from amazon_transcribe.client import TranscribeStreamingClient
    from amazon_transcribe.endpoints import StaticEndpointResolver

    client = TranscribeStreamingClient(
        region=spec.get("region", "us-east-1"),
        endpoint_resolver=StaticEndpointResolver(spec["endpoint"]),
        credential_resolver=StaticCredentialResolver(spec["access_key_id"], spec["secret_access_key"]),
    )
    if spec.get("date_event") is not None:
        # Give one audio event a :date far outside any clock (int64 limits, year 10000).
        signer, target, calls = client._event_signer, int(spec["date_event"]), [0]
        original_sign, date_ms = signer.sign, int(spec["date_ms"])

        class FarDate(datetime.datetime):
            def timestamp(self) -> float:  # the serializer writes int(timestamp() * 1000)
                return date_ms / 1000

        def sign_far(payload, prior, creds):  # type: ignore[no-untyped-def]
            headers = original_sign(payload, prior, creds)
            calls[0] += 1
            if calls[0] == target:
                headers[":date"] = FarDate(2000, 1, 1)
            return headers

        signer.sign = sign_far
    if spec.get("tamper_event") is not None:
        # Corrupt the chunk signature of one audio event: the chain breaks from there on.
        signer, target, calls = client._event_signer, int(spec["tamper_event"]), [0]
        original = signer.sign

        def sign(payload, prior, creds):  # type: ignore[no-untyped-def]
            headers = original(payload, prior, creds)
            calls[0] += 1
            if calls[0] == target:
                sig = bytearray(headers[":chunk-signature"])
                sig[0] ^= 0xFF
                headers[":chunk-signature"] = bytes(sig)
            return headers

        signer.sign = sign
    audio = Path(spec["audio_path"]).read_bytes()
    chunk = int(spec.get("chunk_bytes", 3200))
    pace = float(spec.get("bytes_per_second", 0))  # 0: as fast as possible
    mic = bool(spec.get("mic", False))  # like a microphone: a chunk leaves once it has been "recorded"
    delay_start = float(spec.get("delay_start", 0))
    kwargs: dict[str, Any] = dict(
        language_code=spec.get("language_code", "en-US"),
        media_sample_rate_hz=int(spec["sample_rate"]),
        media_encoding=spec.get("media_encoding", "pcm"),
    )
    for key in ("language_model_name", "enable_partial_results_stabilization", "partial_results_stability", "session_id",
                "vocabulary_name", "show_speaker_label",
                "vocab_filter_name", "vocab_filter_method"):
        if spec.get(key) is not None:
            kwargs[key] = spec[key]
    out: dict[str, Any] = {"events": [], "error": None, "headers": {}}
    t0 = time.monotonic()
    try:
        response = await client.start_stream_transcription(**kwargs)
    except Exception as exc:  # noqa: BLE001 - reported to the test
        out["error"] = {"type": type(exc).__name__, "message": str(getattr(exc, "message", exc)), "phase": "start"}
        return out
    r = response.response
    out["headers"] = {
        "request_id": r.request_id, "language_code": r.language_code, "sample_rate": r.media_sample_rate_hz,
        "media_encoding": r.media_encoding, "session_id": r.session_id,
        "stabilization": r.enable_partial_results_stabilization, "stability": r.partial_results_stability,
        "language_model_name": r.language_model_name,
        "vocab_filter_name": r.vocab_filter_name, "vocab_filter_method": r.vocab_filter_method,
        "show_speaker_label": r.show_speaker_label,
    }
    out["started_at"] = time.monotonic() - t0

    async def write() -> None:
        if delay_start:
            await asyncio.sleep(delay_start)
        start = time.monotonic()
        sent = 0
        try:
            for i in range(0, len(audio), chunk):
                if mic and pace:
                    wait = start + (sent + len(audio[i:i + chunk])) / pace - time.monotonic()
                    if wait > 0:
                        await asyncio.sleep(wait)
                await response.input_stream.send_audio_event(audio_chunk=audio[i:i + chunk])
                sent += len(audio[i:i + chunk])
                if pace and not mic:
                    delay = start + sent / pace - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
            await response.input_stream.end_stream()
        except Exception:  # noqa: BLE001 - the server may end the stream first (exceptions)
            pass
        out["sent_at"] = time.monotonic() - t0
        out["audio_start"] = start - t0

    async def read() -> None:
        try:
            async for event in response.output_stream:
                now = time.monotonic() - t0
                for res in event.transcript.results:
                    alt = res.alternatives[0] if res.alternatives else None
                    out["events"].append({
                        "t": now, "id": res.result_id, "partial": res.is_partial, "start": res.start_time,
                        "end": res.end_time, "text": alt.transcript if alt else "",
                        "items": [
                            {"type": i.item_type, "content": i.content, "start": i.start_time, "end": i.end_time,
                             "confidence": i.confidence, "stable": i.stable, "speaker": i.speaker}
                            for i in (alt.items if alt else [])
                        ],
                    })
        except Exception as exc:  # noqa: BLE001
            out["error"] = {"type": type(exc).__name__, "message": str(getattr(exc, "message", exc)), "phase": "stream"}

    await asyncio.gather(write(), read())
    out["finished_at"] = time.monotonic() - t0
    return out


def run_in_subprocess(spec: dict[str, Any], cert: Path, timeout: float = 300) -> dict[str, Any]:
    env = dict(os.environ, SSL_CERT_FILE=str(cert))
    proc = subprocess.run(
        [sys.executable, "-m", "tests.stream.sdk_client", json.dumps(spec)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"sdk client failed: {proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_many_in_subprocess(specs: list[dict[str, Any]], cert: Path, timeout: float = 300) -> list[dict[str, Any]]:
    """Several streams at once from one client process (one event loop)."""
    env = dict(os.environ, SSL_CERT_FILE=str(cert))
    proc = subprocess.run(
        [sys.executable, "-m", "tests.stream.sdk_client", json.dumps(specs)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"sdk client failed: {proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


async def _main(arg: Any) -> Any:
    if isinstance(arg, list):
        return list(await asyncio.gather(*(stream(s) for s in arg)))
    return await stream(arg)


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_main(json.loads(sys.argv[1])))))
