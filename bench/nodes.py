"""Several nodes on one data dir and database: batch throughput with 1, 2 and 4 node processes,
and API latency with two nodes. Loopback only, bounded, stops by itself.

    python -m bench.nodes [--nodes 1,2,4] [--files 4] [--seconds 60] [--postgres] [--ray]

With --ray the counts are Ray worker processes instead: one API node (WORKERS=N) with
JARGONAUT_EXECUTOR at a local Ray cluster (tests/support/ray_cluster.py: a head without CPUs and
one worker node of N CPUs), so the jobs run on N speech actors.

The batch is the first `--seconds` of `--files` medical consultations (shared/eval/medical/audio),
started round-robin over the nodes (each node: WORKERS=1, so N nodes = N worker processes), after
an untimed warm-up of one job per worker process (model loading is not throughput).
Jobs per hour and audio hours per hour are compared with the 1-node run; on a machine with fewer
cores than nodes the ratio shows CPU, not coordination, saturating. Then 20 clients alternate
Get/List over both nodes of a 2-node service: p50/p99 per node.
"""
from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import threading
import time
import wave
from pathlib import Path

import numpy as np

from bench.api_latency import percentile
from jargonaut.asr.audio import TARGET_RATE, decode
from tests.support.postgres import throwaway_cluster
from tests.support.ray_cluster import RAY_ENV, local_ray_cluster
from tests.support.server import EVAL, RunningServer, make_server


def clips(out: Path, files: int, seconds: int) -> list[Path]:
    made = []
    for source in sorted((EVAL / "medical" / "audio").glob("*.mp3"))[:files]:
        samples = decode(source)[: seconds * TARGET_RATE]
        path = out / f"{source.stem}.wav"
        with wave.open(str(path), "wb") as handle:
            handle.setnchannels(1)
            handle.setsampwidth(2)
            handle.setframerate(TARGET_RATE)
            handle.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
        made.append(path)
    return made


def start_nodes(tmp: Path, count: int, database_url: str) -> list[RunningServer]:
    env = {"JARGONAUT_DATABASE_URL": database_url} if database_url else {}
    first = make_server(tmp, **env).start()
    return [first] + [first.another_node().start() for _ in range(count - 1)]


def start_ray_node(tmp: Path, workers: int, database_url: str, ray_address: str) -> list[RunningServer]:
    env = {"JARGONAUT_DATABASE_URL": database_url} if database_url else {}
    return [make_server(tmp, **env, **RAY_ENV, JARGONAUT_EXECUTOR=ray_address, JARGONAUT_WORKERS=str(workers))
            .start(timeout=180)]


def warm_up(nodes: list[RunningServer], clients: list, workers: int, path: Path) -> None:
    """One job per worker, not timed: every worker process has loaded its models before the batch."""
    for i in range(workers):
        clients[i % len(nodes)].start_transcription_job(
            TranscriptionJobName=f"warm-{i}", LanguageCode="en-US", Media={"MediaFileUri": f"s3://media/{path.name}"})
    for i in range(workers):
        nodes[0].wait_for_job(clients[0], f"warm-{i}", timeout=3600)


def batch(nodes: list[RunningServer], audio: list[Path], workers: int) -> tuple[float, float]:
    """(wall seconds for the whole batch, audio seconds)."""
    media = nodes[0].bucket("media")
    for path in audio:
        (media / path.name).write_bytes(path.read_bytes())
    clients = [node.client() for node in nodes]
    warm_up(nodes, clients, workers, audio[0])
    t0 = time.monotonic()
    for i, path in enumerate(audio):
        clients[i % len(nodes)].start_transcription_job(
            TranscriptionJobName=f"batch-{i}", LanguageCode="en-US", Media={"MediaFileUri": f"s3://media/{path.name}"})
    for i in range(len(audio)):
        job = nodes[0].wait_for_job(clients[0], f"batch-{i}", timeout=3600)
        assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
    wall = time.monotonic() - t0
    audio_s = sum(wave.open(str(p)).getnframes() / TARGET_RATE for p in audio)
    return wall, audio_s


def api_latency(nodes: list[RunningServer], clients: int = 20, requests: int = 20) -> dict[int, list[float]]:
    timings: dict[int, list[float]] = {i: [] for i in range(len(nodes))}
    lock = threading.Lock()

    def worker(index: int) -> None:
        node = index % len(nodes)
        client = nodes[node].client()
        for n in range(requests):
            t0 = time.perf_counter()
            if n % 2:
                client.list_transcription_jobs(MaxResults=20)
            else:
                client.get_transcription_job(TranscriptionJobName=f"batch-{n % 4}")
            with lock:
                timings[node].append((time.perf_counter() - t0) * 1000)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", default="1,2,4")
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=60, help="audio taken from each file")
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL cluster instead of SQLite")
    parser.add_argument("--ray", action="store_true", help="counts are Ray worker processes behind one API node")
    args = parser.parse_args()
    rows = []
    latency: dict[int, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp, (throwaway_cluster() if args.postgres else contextlib.nullcontext()) as pg:
        audio = clips(Path(tmp), args.files, args.seconds)
        for count in [int(n) for n in args.nodes.split(",")]:
            run_dir = Path(tmp) / f"nodes-{count}"
            run_dir.mkdir()
            with local_ray_cluster(workers=1, cpus_per_worker=count) if args.ray else contextlib.nullcontext() as ray:
                database = pg.new_database() if pg else ""
                nodes = start_ray_node(run_dir, count, database, ray.address) if ray else \
                    start_nodes(run_dir, count, database)
                try:
                    wall, audio_s = batch(nodes, audio, count)
                    rows.append((count, len(audio), wall, audio_s))
                    if count == 2 and not args.ray:
                        latency = api_latency(nodes)
                finally:
                    for node in nodes:
                        node.stop()
    base = rows[0][1] / rows[0][2]
    what = "ray workers" if args.ray else "nodes"
    print(f"\n{what:>5} {'jobs':>5} {'wall s':>8} {'jobs/h':>8} {'audio h/h':>10} {'ratio':>6}  ({'PostgreSQL' if args.postgres else 'SQLite'})")
    for count, jobs, wall, audio_s in rows:
        print(f"{count:5d} {jobs:5d} {wall:8.1f} {jobs / wall * 3600:8.0f} {audio_s / wall:10.2f} {jobs / wall / base:6.2f}")
    if latency:
        print(f"\nAPI with two nodes, 20 clients alternating Get/List\n{'node':>4} {'n':>5} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
        for node, values in latency.items():
            print(f"{node:4d} {len(values):5d} {percentile(values, 0.5):8.1f} {percentile(values, 0.99):8.1f} {statistics.fmean(values):8.1f}")


if __name__ == "__main__":
    main()
