"""Get/List latency under 50 concurrent clients, loopback only, bounded in count and time.

    python -m bench.api_latency [--clients 50] [--requests 40]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

from tests.support.server import make_server


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=40, help="per client, alternating Get and List")
    parser.add_argument("--jobs", type=int, default=200, help="jobs in the table")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = make_server(Path(tmp)).start()
        try:
            seed = server.client()
            for i in range(args.jobs):
                seed.start_transcription_job(TranscriptionJobName=f"job-{i}", LanguageCode="en-US",
                                             Media={"MediaFileUri": "s3://none/missing.wav"})
            server.wait_for_job(seed, f"job-{args.jobs - 1}")
            timings: dict[str, list[float]] = {"GetTranscriptionJob": [], "ListTranscriptionJobs": []}
            lock = threading.Lock()
            barrier = threading.Barrier(args.clients)
            deadline = time.monotonic() + 120

            def worker(index: int) -> None:
                client = server.client()
                barrier.wait()
                for n in range(args.requests):
                    if time.monotonic() > deadline:
                        return
                    t0 = time.perf_counter()
                    if n % 2:
                        client.list_transcription_jobs(JobNameContains="job-1", MaxResults=20)
                        op = "ListTranscriptionJobs"
                    else:
                        client.get_transcription_job(TranscriptionJobName=f"job-{(index * 7 + n) % args.jobs}")
                        op = "GetTranscriptionJob"
                    with lock:
                        timings[op].append((time.perf_counter() - t0) * 1000)

            threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.clients)]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - t0
        finally:
            server.stop()
    total = sum(len(v) for v in timings.values())
    print(f"\n{args.clients} concurrent clients, {total} requests in {wall:.1f} s ({total / wall:.0f} req/s), {args.jobs} jobs stored")
    print(f"{'operation':24} {'n':>6} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    for op, values in timings.items():
        print(f"{op:24} {len(values):6d} {percentile(values, 0.5):8.1f} {percentile(values, 0.99):8.1f} {statistics.fmean(values):8.1f}")


if __name__ == "__main__":
    main()
