"""Fault campaign against one server, loopback only, bounded in count and time.

Two accounts; 50 API clients for 60 s; 10 queued transcription jobs; 4 real-time streams through the
`amazon-transcribe` SDK; 5 SIGKILLs of the server at random moments, each followed by a restart.
Afterwards every job must reach a final state exactly once and the data directory must hold nothing
that no resource owns.

    python -m bench.fault_campaign [--clients 50] [--seconds 60] [--jobs 10] [--streams 4] [--kills 5]
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import botocore.exceptions

from tests.stream.audio import pcm_file
from tests.stream.helpers import spec
from tests.stream.sdk_client import run_many_in_subprocess
from tests.support.server import EVAL, RunningServer, make_server

AUDIO = EVAL / "general" / "audio" / "jfk.flac"
TERMINAL = ("COMPLETED", "FAILED")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies_ms: list[float] = field(default_factory=list)
    requests: int = 0
    client_errors: int = 0  # 4xx with an AWS error type: expected for the probes
    server_errors: int = 0  # 5xx: must stay 0
    unreachable: int = 0  # the server was down (killed, restarting)
    rss_peak: float = 0.0
    breaches: int = 0  # a probe that must be refused (another account's job or bucket, bad input) succeeded

    def record(self, ms: float | None, kind: str) -> None:
        with self.lock:
            self.requests += 1
            if ms is not None:
                self.latencies_ms.append(ms)
            if kind == "4xx":
                self.client_errors += 1
            elif kind == "5xx":
                self.server_errors += 1
            elif kind == "down":
                self.unreachable += 1


def create_account(server: RunningServer) -> dict[str, str]:
    out = subprocess.run(
        [sys.executable, "-m", "jargonaut.cli", "accounts", "create", "--data-dir", str(server.data_dir)],
        env=server.env, capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout)


def create_bucket(server: RunningServer, name: str, account_id: str) -> Path:
    subprocess.run(
        [sys.executable, "-m", "jargonaut.cli", "buckets", "create", "--name", name, "--account", account_id,
         "--data-dir", str(server.data_dir)],
        env=server.env, capture_output=True, text=True, check=True,
    )
    return server.data_dir / "buckets" / name


def api_client(server: RunningServer, index: int, accounts: list[dict[str, str]], job_names: list[list[str]],
               deadline: float, tally: Tally) -> None:
    account = index % len(accounts)
    other = (account + 1) % len(accounts)
    client = server.client(accounts[account], validate=False)
    rng = random.Random(index)
    while time.monotonic() < deadline:
        probe = rng.randrange(5)
        t0 = time.perf_counter()
        try:
            if probe == 0:
                client.get_transcription_job(TranscriptionJobName=rng.choice(job_names[account]))
            elif probe == 1:
                client.list_transcription_jobs(MaxResults=5)
            elif probe == 2:  # another account's job: must be NotFound
                client.get_transcription_job(TranscriptionJobName=rng.choice(job_names[other]))
            elif probe == 3:  # output into another account's bucket: must be refused at Start
                client.start_transcription_job(
                    TranscriptionJobName=f"probe-{index}-{rng.randrange(10**9)}", LanguageCode="en-US",
                    Media={"MediaFileUri": f"s3://campaign-{account}/jfk.flac"},
                    OutputBucketName=f"campaign-{other}")
            else:  # bad input: must be a 400
                client.get_transcription_job(TranscriptionJobName="")
            tally.record((time.perf_counter() - t0) * 1000, "ok")
            if probe >= 2:
                with tally.lock:
                    tally.breaches += 1
        except botocore.exceptions.ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            tally.record((time.perf_counter() - t0) * 1000, "5xx" if status >= 500 else "4xx")
        except (botocore.exceptions.EndpointConnectionError, botocore.exceptions.ConnectionClosedError,
                botocore.exceptions.ReadTimeoutError, ConnectionError):
            tally.record(None, "down")
            time.sleep(0.2)


def leftovers(data_dir: Path, live_jobs: set[str], finished: bool) -> list[str]:
    """Files that no live resource accounts for: scratch directories, half-written temp files,
    transcripts of jobs that no longer exist, and (once every job is final) pinned CLM links."""
    found: list[str] = []
    for path in data_dir.glob("jargonaut-*"):
        found.append(path.name)
    for path in data_dir.rglob("*.tmp*"):
        found.append(str(path.relative_to(data_dir)))
    for transcript in (data_dir / "transcripts").rglob("*.json"):
        if transcript.stem not in live_jobs:
            found.append(str(transcript.relative_to(data_dir)))
    if finished:
        found += [str(p.relative_to(data_dir)) for p in (data_dir / "job-models").rglob("*.clm")]
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--jobs", type=int, default=10)
    parser.add_argument("--streams", type=int, default=4)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    tally = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        server = make_server(Path(tmp)).start()
        try:
            accounts = [server.credentials, create_account(server)]
            for i, account in enumerate(accounts):
                bucket = create_bucket(server, f"campaign-{i}", account["account_id"])
                shutil.copy(AUDIO, bucket / "jfk.flac")
            job_names: list[list[str]] = [[], []]
            for n in range(args.jobs):
                owner = n % 2
                name = f"campaign-job-{n}"
                server.client(accounts[owner]).start_transcription_job(
                    TranscriptionJobName=name, LanguageCode="en-US",
                    Media={"MediaFileUri": f"s3://campaign-{owner}/jfk.flac"})
                job_names[owner].append(name)
            time.sleep(2)
            rss_before = rss_mib(server.process.pid)
            stop_sampling = threading.Event()

            def sample_rss() -> None:
                while not stop_sampling.wait(0.25):
                    if server.process is not None:
                        tally.rss_peak = max(tally.rss_peak, rss_mib(server.process.pid))

            sampler = threading.Thread(target=sample_rss, daemon=True)
            sampler.start()
            deadline = time.monotonic() + args.seconds
            clients = [threading.Thread(target=api_client, args=(server, i, accounts, job_names, deadline, tally))
                       for i in range(args.clients)]
            pcm = pcm_file(AUDIO, 16000, Path(tmp) / "jfk16.pcm")
            sessions: list[dict] = []
            client_failures: list[str] = []

            def run_streams() -> None:
                # Rounds of concurrent streams until the deadline; a kill may end a round early.
                while time.monotonic() < deadline - 5:
                    specs = [spec(server, pcm, 16000, bytes_per_second=32000 * 2) for _ in range(args.streams)]
                    try:
                        sessions.extend(run_many_in_subprocess(specs, server.data_dir / "tls" / "cert.pem",
                                                               timeout=120))
                    except Exception as exc:  # noqa: BLE001 - the client itself failed (e.g. connection refused)
                        client_failures.append(type(exc).__name__)
                        time.sleep(1)

            streamer = threading.Thread(target=run_streams)
            for thread in clients:
                thread.start()
            streamer.start()
            kill_times = sorted(rng.uniform(3, args.seconds - 3) for _ in range(args.kills))
            start = time.monotonic()
            for at in kill_times:
                time.sleep(max(0.0, start + at - time.monotonic()))
                server.stop(signal.SIGKILL)
                server.start()
            for thread in clients:
                thread.join()
            streamer.join()
            # Every job must end, exactly once, in a final state.
            owner_client = [server.client(a) for a in accounts]
            wait_until = time.monotonic() + 600
            states: dict[str, str] = {}
            for owner, names in enumerate(job_names):
                for name in names:
                    while True:
                        try:
                            job = owner_client[owner].get_transcription_job(TranscriptionJobName=name)["TranscriptionJob"]
                            states[name] = job["TranscriptionJobStatus"]
                        except botocore.exceptions.ClientError:
                            states[name] = "LOST"
                        if states[name] in TERMINAL or states[name] == "LOST" or time.monotonic() > wait_until:
                            break
                        time.sleep(1)
            time.sleep(1)
            rss_after = rss_mib(server.process.pid)
            stop_sampling.set()
            live = {name for name, state in states.items() if state != "LOST"}
            left = leftovers(server.data_dir, live, finished=all(st in TERMINAL for st in states.values()))
        finally:
            server.stop()
    lost = sum(1 for s in states.values() if s == "LOST")
    stuck = sum(1 for s in states.values() if s not in TERMINAL and s != "LOST")
    completed = sum(1 for s in states.values() if s == "COMPLETED")
    finals = sum(1 for sess in sessions if not sess["error"] and any(not e["partial"] for e in sess["events"]))
    errors = [sess["error"]["type"] for sess in sessions if sess["error"]]
    stream_summary = (f"{len(sessions)} sessions: {finals} with a final result, {len(errors)} ended by an error "
                      f"({', '.join(sorted(set(errors))) or '-'}); {len(client_failures)} client runs could not connect")
    print(f"\nfault campaign: {args.clients} clients x {args.seconds:.0f} s, 2 accounts, {args.jobs} jobs, "
          f"{args.streams} streams, {args.kills} SIGKILLs at {', '.join(f'{t:.1f}' for t in kill_times)} s")
    rows = [
        ("requests", tally.requests),
        ("  4xx (probes, expected)", tally.client_errors),
        ("  5xx (must be 0)", tally.server_errors),
        ("  unreachable (server down)", tally.unreachable),
        ("  refusals that succeeded (must be 0)", tally.breaches),
        ("latency p50 / p99 ms", f"{percentile(tally.latencies_ms, .5):.1f} / {percentile(tally.latencies_ms, .99):.1f}"),
        ("jobs completed", f"{completed}/{args.jobs}"),
        ("jobs lost (must be 0)", lost),
        ("jobs stuck IN_PROGRESS (must be 0)", stuck),
        ("leftover files (must be 0)", len(left)),
        ("streams", stream_summary),
        ("server RSS MiB before / peak / after", f"{rss_before:.0f} / {tally.rss_peak:.0f} / {rss_after:.0f}"),
    ]
    for label, value in rows:
        print(f"{label:38} {value}")
    if left:
        print("leftovers:", *left[:20], sep="\n  ")


if __name__ == "__main__":
    main()
