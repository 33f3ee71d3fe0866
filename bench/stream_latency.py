"""Real-time streaming latency, concurrency and accuracy through the amazon-transcribe SDK.

    python -m bench.stream_latency [--streams 2,4,6] [--seconds 30] [--language-model]

Loopback only, bounded (about 3 minutes), stops by itself. Audio is paced like a
microphone (each 100 ms chunk leaves once recorded) over HTTP/2 + TLS to a fresh server.
Measures, with the server's default base model (Whisper tiny.en, CPU):
  * end of utterance (result EndTime) -> its final result arriving, p50 / p95
  * speech onset (result StartTime) -> first partial of that utterance arriving
  * how many simultaneous real-time streams keep final latency bounded (p95 <= 2 s)
  * WER of the streamed finals vs WER of a batch transcription of the same audio
With --language-model every stream (and the batch run) uses a CLM trained through the API on
the medical LM text (language-model-name), so the two runs show what a CLM costs a stream.
"""
from __future__ import annotations

import argparse
import csv
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from jargonaut.asr.audio import decode
from jargonaut.asr.engine import SpeechEngine
from jargonaut.evaluate.metrics import normalise
from tests.stream.sdk_client import run_many_in_subprocess
from tests.support.server import EVAL, make_server

RATE = 16000
CHUNK_BYTES = 3200  # 100 ms of 16 kHz s16le
SUSTAIN_P95 = 2.0  # a stream "keeps up" while its finals arrive within this of the utterance end


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def load_clips(seconds: float) -> list[tuple[np.ndarray, str]]:
    """Evaluation clips (JFK, then LJSpeech) with their references, about `seconds` in all."""
    manifest = list(csv.DictReader((EVAL / "general" / "manifest.tsv").open(), delimiter="\t"))
    rows = [r for r in manifest if r["audio"].endswith("jfk.flac")] + [r for r in manifest if r["source"] == "ljspeech"]
    clips, total = [], 0.5
    for row in rows:
        clip = decode(EVAL / "general" / row["audio"], rate=RATE)
        clips.append((clip, row["reference"]))
        total += len(clip) / RATE + 1.0
        if total >= seconds:
            break
    return clips


def build_audio(clips: list[tuple[np.ndarray, str]], out: Path, rotate: int = 0) -> tuple[Path, str, float]:
    """The clips joined by 1 s pauses (starting at clip `rotate`): one speaker's stream."""
    order = clips[rotate % len(clips):] + clips[: rotate % len(clips)]
    pause = np.zeros(RATE, np.float32)
    parts = [pause[: RATE // 2]]
    for clip, _ in order:
        parts += [clip, pause]
    audio = np.concatenate(parts)
    out.write_bytes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
    return out, " ".join(ref for _, ref in order), len(audio) / RATE


def wer(reference: str, hypothesis: str) -> float:
    import jiwer

    return jiwer.wer(normalise(reference), normalise(hypothesis) or "<empty>")


def latencies(result: dict[str, Any]) -> tuple[list[float], list[float]]:
    """(final latencies, onset-to-first-partial latencies) in seconds for one stream."""
    start = result["audio_start"]
    finals, firsts, seen = [], [], set()
    for event in result["events"]:
        if event["id"] not in seen:
            seen.add(event["id"])
            if event["partial"]:
                firsts.append(event["t"] - (start + event["start"]))
        if not event["partial"]:
            finals.append(event["t"] - (start + event["end"]))
    return finals, firsts


def final_text(result: dict[str, Any]) -> str:
    return " ".join(e["text"] for e in result["events"] if not e["partial"])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def create_clm(server: Any, tmp: Path) -> str:
    """A COMPLETED WideBand CLM trained through the API on the medical LM text."""
    from tests.support.clm import create_role, read_policy, trust_policy

    bucket = server.bucket("bench-clm")
    (bucket / "train").mkdir(parents=True, exist_ok=True)
    for f in sorted((EVAL / "medical" / "lm-text").glob("*.txt")):  # the shipped text has a stray NUL
        (bucket / "train" / f.name).write_bytes(f.read_bytes().replace(b"\0", b""))
    role = create_role(server.data_dir, tmp, "BenchCLMRole", trust_policy(server.credentials["account_id"]),
                       read_policy("bench-clm"))
    client = server.client()
    client.create_language_model(LanguageCode="en-US", BaseModelName="WideBand", ModelName="bench-medical",
                                 InputDataConfig={"S3Uri": "s3://bench-clm/train/", "DataAccessRoleArn": role})
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        model = client.describe_language_model(ModelName="bench-medical")["LanguageModel"]
        if model["ModelStatus"] != "IN_PROGRESS":
            break
        time.sleep(1)
    if model["ModelStatus"] != "COMPLETED":
        raise RuntimeError(f"CLM training failed: {model.get('FailureReason')}")
    return "bench-medical"


def run_streams(server: Any, audios: list[Path], n: int, language_model: str | None = None) -> list[dict[str, Any]]:
    """n simultaneous streams; stream i speaks the clips in another order (independent speakers)."""
    creds = server.credentials
    spec = {
        "endpoint": f"https://127.0.0.1:{server.tls_port}", "access_key_id": creds["access_key_id"],
        "secret_access_key": creds["secret_access_key"], "sample_rate": RATE,
        "bytes_per_second": RATE * 2, "chunk_bytes": CHUNK_BYTES, "mic": True,
    }
    if language_model:
        spec["language_model_name"] = language_model
    specs = [dict(spec, audio_path=str(audios[i % len(audios)]), delay_start=round(i * 0.37, 2)) for i in range(n)]
    results = run_many_in_subprocess(specs, server.data_dir / "tls" / "cert.pem", timeout=600)
    for r in results:
        if r["error"]:
            raise RuntimeError(f"stream failed: {r['error']}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--streams", default="2,4,6", help="concurrency levels to try (max 6)")
    parser.add_argument("--seconds", type=float, default=30.0, help="audio per stream (max 60)")
    parser.add_argument("--language-model", action="store_true", help="stream with a medical CLM")
    args = parser.parse_args()
    levels = [min(int(n), 6) for n in args.streams.split(",") if n.strip()]
    seconds = min(args.seconds, 60.0)
    load_at_start = os.getloadavg()[0]  # other work on the machine skews every timing here
    with tempfile.TemporaryDirectory() as tmp:
        clips = load_clips(seconds)
        streams = [build_audio(clips, Path(tmp) / f"stream{i}.pcm", rotate=i) for i in range(max(levels + [1]))]
        audio, reference, duration = streams[0]
        audios, references = [s[0] for s in streams], [s[1] for s in streams]
        samples = np.frombuffer(audio.read_bytes(), "<i2").astype(np.float32) / 32768
        server = make_server(Path(tmp), JARGONAUT_MAX_STREAMS_PER_ACCOUNT="8").start()
        try:
            clm_name, clm = None, None
            if args.language_model:
                from jargonaut.lm.train import load_clm

                clm_name = create_clm(server, Path(tmp))
                clm = load_clm(next((server.data_dir).rglob("*.clm")))  # the same artefact, for the batch run
            t = time.monotonic()
            engine = SpeechEngine.from_settings()
            batch = engine.recognize(samples, engine.base_models["WideBand"], clm).text
            batch_s = time.monotonic() - t
            time.sleep(3)  # let the server warm its stream model up
            single = run_streams(server, audios, 1, clm_name)[0]
            finals, firsts = latencies(single)
            rows = []
            for n in levels:
                cpu_before = cpu_seconds(server.process.pid)
                results = run_streams(server, audios, n, clm_name)
                cpu_per_stream_s = (cpu_seconds(server.process.pid) - cpu_before) / (n * duration)
                lat = [x for r in results for x in latencies(r)[0]]
                first = [x for r in results for x in latencies(r)[1]]
                stream_wer = statistics.mean(wer(references[i % len(references)], final_text(r)) for i, r in enumerate(results))
                rows.append((n, percentile(lat, 0.5), percentile(lat, 0.95), max(lat), percentile(first, 0.5), stream_wer,
                             cpu_per_stream_s))
        finally:
            server.stop()
    stream_text = final_text(single)
    w_stream, w_batch = wer(reference, stream_text), wer(reference, batch)
    print(f"\nStreaming latency, Whisper tiny.en on CPU{' with a medical CLM' if args.language_model else ''}, "
          f"{duration:.1f} s of paced audio per stream "
          f"({len(finals)} utterances), loopback HTTP/2 + TLS via amazon-transcribe SDK\n")
    print(f"{'metric':<44}{'value':>10}{'target':>12}")
    print(f"{'end of utterance -> final, p50 (s)':<44}{percentile(finals, .5):>10.2f}{'< 1.0':>12}")
    print(f"{'end of utterance -> final, p95 (s)':<44}{percentile(finals, .95):>10.2f}{'':>12}")
    print(f"{'speech onset -> first partial, p50 (s)':<44}{percentile(firsts, .5):>10.2f}{'< 1.5':>12}")
    print(f"{'speech onset -> first partial, p95 (s)':<44}{percentile(firsts, .95):>10.2f}{'':>12}")
    print(f"{'WER streaming finals vs reference (%)':<44}{100 * w_stream:>10.1f}{'':>12}")
    print(f"{'WER batch transcription vs reference (%)':<44}{100 * w_batch:>10.1f}{'':>12}")
    print(f"{'WER gap streaming - batch (points)':<44}{100 * (w_stream - w_batch):>10.1f}{'<= 2':>12}")
    print(f"{'WER streaming vs batch transcript (%)':<44}{100 * wer(batch, stream_text):>10.1f}{'':>12}")
    print(f"{'batch decode time (s)':<44}{batch_s:>10.2f}{'':>12}")
    print(f"\nSimultaneous real-time streams (keeps up: final p95 <= {SUSTAIN_P95:.1f} s)\n")
    print(f"{'streams':>8}{'final p50':>11}{'final p95':>11}{'final max':>11}{'1st partial p50':>17}{'WER %':>8}"
          f"{'server CPU s/stream-s':>23}{'keeps up':>10}")
    sustained = 1 if percentile(finals, .95) <= SUSTAIN_P95 else 0
    for n, p50, p95, worst, first, w, cpu in rows:
        ok = p95 <= SUSTAIN_P95
        if ok:
            sustained = max(sustained, n)
        print(f"{n:>8}{p50:>11.2f}{p95:>11.2f}{worst:>11.2f}{first:>17.2f}{100 * w:>8.1f}{cpu:>23.3f}{'yes' if ok else 'no':>10}")
    print(f"\nsimultaneous real-time streams sustained: {sustained} (target >= 4)")
    if rows:
        cpu = max(r[-1] for r in rows)
        print(f"server CPU per real-time stream: {cpu:.2f} core -> about {int(2 / cpu) if cpu else 0} streams on 2 "
              f"dedicated cores (machine load average at start: {load_at_start:.1f} on {os.cpu_count()} CPUs)")
    print(f"stream transcript: {stream_text}")
    print(f"batch transcript:  {batch}")


if __name__ == "__main__":
    main()
