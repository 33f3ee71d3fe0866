"""A minimal WebSocket streaming client: `websockets` + event-stream frames + a pre-signed URL."""
from __future__ import annotations

import asyncio
import json
import ssl
import time
from pathlib import Path
from typing import Any

from amazon_transcribe.eventstream import EventStreamBuffer
from websockets.asyncio.client import connect

from jargonaut.stream.framing import audio_event


async def stream_ws(url: str, audio: bytes, chunk: int = 3200, bytes_per_second: float = 0,
                    cert: Path | None = None) -> dict[str, Any]:
    ssl_ctx = ssl.create_default_context(cafile=str(cert)) if url.startswith("wss") else None
    out: dict[str, Any] = {"events": [], "exceptions": []}
    t0 = time.monotonic()
    async with connect(url, ssl=ssl_ctx, max_size=None, open_timeout=30) as ws:
        async def write() -> None:
            sent = 0
            try:
                for i in range(0, len(audio), chunk):
                    await ws.send(audio_event(audio[i:i + chunk]))
                    sent += len(audio[i:i + chunk])
                    if bytes_per_second:
                        await asyncio.sleep(max(0.0, t0 + sent / bytes_per_second - time.monotonic()))
                await ws.send(audio_event(b""))
            except Exception:  # noqa: BLE001 - the server may close first (exceptions)
                pass

        async def read() -> None:
            async for frame in ws:
                buffer = EventStreamBuffer()
                buffer.add_data(frame if isinstance(frame, bytes) else frame.encode())
                for message in buffer:
                    body = json.loads(message.payload)
                    if message.headers.get(":message-type") == "exception":
                        out["exceptions"].append({"type": message.headers.get(":exception-type"), "message": body.get("Message")})
                        continue
                    for res in body["Transcript"]["Results"]:
                        alt = res["Alternatives"][0]
                        out["events"].append({"t": time.monotonic() - t0, "id": res["ResultId"], "partial": res["IsPartial"],
                                              "start": res["StartTime"], "end": res["EndTime"], "text": alt["Transcript"],
                                              "items": alt["Items"]})

        await asyncio.gather(write(), read())
    return out


def run_ws(url: str, audio: bytes, **kwargs: Any) -> dict[str, Any]:
    return asyncio.run(stream_ws(url, audio, **kwargs))
