"""Batch job real-time factor, end to end through the API, against plain faster-whisper.

    python -m bench.batch_rtf [--long]

Both sides use the same model (Whisper tiny.en, CTranslate2 int8), beam 5, on this machine.
The job time runs from StartTranscriptionJob to COMPLETED as seen by a polling client.
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from faster_whisper import WhisperModel

from jargonaut.asr.audio import probe
from jargonaut.asr.base_models import default_model_dir
from tests.support.server import EVAL, make_server

FILES = ["general/audio/jfk.flac", "general/audio/OSR_us_000_0034_8k.wav", "general/audio/LDC93S1_8k.wav",
         "general/audio/LJ001-0001.flac", "general/audio/LJ001-0002.flac"]
LONG = ["medical/audio/CAR0001.mp3"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--long", action="store_true", help="add a 10-minute consultation")
    args = parser.parse_args()
    files = [EVAL / f for f in FILES + (LONG if args.long else [])]
    peer = WhisperModel(default_model_dir(), device="cpu", compute_type="int8")
    peer.transcribe(str(files[0]), language="en", beam_size=5)  # warm-up, like the server's first job
    with tempfile.TemporaryDirectory() as tmp:
        server = make_server(Path(tmp)).start()
        try:
            client = server.client()
            bucket = server.bucket("bench")
            for f in files:
                shutil.copy(f, bucket / f.name)
            server.wait_for_job(client, _start(client, "warmup", files[0].name))
            rows = []
            for i, f in enumerate(files):
                duration = probe(f).duration
                t0 = time.perf_counter()
                job = server.wait_for_job(client, _start(client, f"bench-{i}", f.name), timeout=3600)
                service_s = time.perf_counter() - t0
                assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
                t0 = time.perf_counter()
                segments, _ = peer.transcribe(str(f), language="en", beam_size=5, word_timestamps=True)
                list(segments)
                peer_s = time.perf_counter() - t0
                rows.append((f.name, duration, service_s, peer_s))
        finally:
            server.stop()
    print(f"\n{'file':32} {'audio s':>8} {'job s':>8} {'job RTF':>8} {'fw s':>8} {'fw RTF':>8} {'ratio':>6}")
    for name, duration, service_s, peer_s in rows:
        print(f"{name:32} {duration:8.1f} {service_s:8.2f} {service_s / duration:8.3f} {peer_s:8.2f} {peer_s / duration:8.3f} {service_s / peer_s:6.2f}")
    total_audio = sum(r[1] for r in rows)
    total_service = sum(r[2] for r in rows)
    total_peer = sum(r[3] for r in rows)
    print(f"{'TOTAL':32} {total_audio:8.1f} {total_service:8.2f} {total_service / total_audio:8.3f} {total_peer:8.2f} "
          f"{total_peer / total_audio:8.3f} {total_service / total_peer:6.2f}")
    print("ratio = job wall time / faster-whisper wall time (word timestamps on both sides)")


def _start(client, name: str, key: str) -> str:
    client.start_transcription_job(TranscriptionJobName=name, LanguageCode="en-US", Media={"MediaFileUri": f"s3://bench/{key}"})
    return name


if __name__ == "__main__":
    main()
