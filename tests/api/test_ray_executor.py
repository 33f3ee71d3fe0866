"""JARGONAUT_EXECUTOR pointing at a real Ray cluster on loopback: a head (no CPUs, so work goes
to the workers) and two worker nodes of 1 CPU each, each a raylet of its own (`ray.cluster_utils`).
Jobs and CLM trainings run in Ray worker processes; a lost Ray node or a lost API node still
ends with the job finished exactly once (the node's lease + fencing token, Ray's retries)."""
from __future__ import annotations

import json
import re
import signal
import sqlite3
import time
import urllib.request
import wave
from pathlib import Path

import numpy as np
import pytest

from jargonaut.asr.audio import TARGET_RATE, decode
from tests.support.clm import create_role, read_policy, trust_policy, wait_for_model
from tests.support.ray_cluster import RAY_ENV, LocalRay, local_ray_cluster, node_args
from tests.support.server import EVAL, RunningServer, make_server

pytestmark = pytest.mark.slow

SERVER = {"JARGONAUT_LEASE_SECONDS": "3", "JARGONAUT_WORKERS": "1"}
RAN_ON = r"job {name} \(account \d+, [\w-]+\) ran on Ray node (\w+) \(pid (\d+)\)"


@pytest.fixture(scope="module")
def ray_cluster():
    with local_ray_cluster(workers=2) as ray:
        yield ray


def worker_ids(ray: LocalRay) -> set[str]:
    return {node.node_id for node in ray.cluster.worker_nodes}


def ray_server(tmp_path: Path, address: str) -> RunningServer:
    return make_server(tmp_path, **SERVER, **RAY_ENV, JARGONAUT_EXECUTOR=address)


def clip(path: Path, seconds: int) -> Path:
    """The first `seconds` of a medical consultation as 16 kHz WAV: long enough to be killed mid-decode."""
    samples = decode(sorted((EVAL / "medical" / "audio").glob("*.mp3"))[0])[: seconds * TARGET_RATE]
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(TARGET_RATE)
        handle.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def wait_for_log(server: RunningServer, pattern: str, timeout: float = 300) -> re.Match:
    deadline = time.monotonic() + timeout
    while (found := re.search(pattern, server.log_text())) is None:
        assert time.monotonic() < deadline, f"no log line {pattern!r}:\n{server.log_text()[-3000:]}"
        time.sleep(0.2)
    return found


def completions(servers: list[RunningServer], name: str) -> int:
    """COMPLETED transitions logged for the job (the Ray workers' lines reach their node's log)."""
    pattern = re.compile(rf"job {re.escape(name)} \(account \d+, [\w-]+\) COMPLETED in")
    return sum(len(pattern.findall(server.log_text())) for server in servers)


def job_row(server: RunningServer, name: str) -> sqlite3.Row:
    with sqlite3.connect(server.data_dir / "jargonaut.db") as db:
        db.row_factory = sqlite3.Row
        return db.execute("select status, attempts, fence from transcription_jobs where name = ?", (name,)).fetchone()


def test_job_and_training_run_on_ray_workers(ray_cluster, tmp_path, eval_dir):
    """Through Ray Client (ray://): no Ray node is needed on the API node's machine."""
    server = ray_server(tmp_path, ray_cluster.client_address).start(timeout=180)
    try:
        client = server.client()
        account = server.credentials["account_id"]
        bucket = server.bucket("clm-data")
        lines = (eval_dir / "biomed-tts/train.txt").read_text().splitlines()
        (bucket / "train").mkdir(parents=True, exist_ok=True)
        (bucket / "train/part-1.txt").write_text("\n".join(lines[:400]) + "\n")
        role = create_role(server.data_dir, tmp_path, "TranscribeCLMRole", trust_policy(account), read_policy("clm-data"))
        client.create_language_model(LanguageCode="en-US", BaseModelName="WideBand", ModelName="ray-clm",
                                     InputDataConfig={"S3Uri": "s3://clm-data/train/", "DataAccessRoleArn": role})
        model = wait_for_model(client, "ray-clm", timeout=600)
        assert model["ModelStatus"] == "COMPLETED", model.get("FailureReason")
        trained = wait_for_log(server, r"language model ray-clm \(account \d+, [\w-]+\) trained on Ray node (\w+) \(pid (\d+)\)")
        assert trained.group(1) in worker_ids(ray_cluster)
        assert int(trained.group(2)) != server.process.pid

        (server.bucket("media") / "jfk.flac").write_bytes((eval_dir / "general/audio/jfk.flac").read_bytes())
        client.start_transcription_job(TranscriptionJobName="on-ray", LanguageCode="en-US",
                                       Media={"MediaFileUri": "s3://media/jfk.flac"},
                                       ModelSettings={"LanguageModelName": "ray-clm"})
        job = server.wait_for_job(client, "on-ray", timeout=600)
        assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
        ran = wait_for_log(server, RAN_ON.format(name="on-ray"))
        assert ran.group(1) in worker_ids(ray_cluster)
        assert int(ran.group(2)) != server.process.pid
        assert _transcript_text(client, "on-ray").strip()
    finally:
        server.stop()


def _transcript_text(client, name: str) -> str:
    uri = client.get_transcription_job(TranscriptionJobName=name)["TranscriptionJob"]["Transcript"]["TranscriptFileUri"]
    with urllib.request.urlopen(uri, timeout=30) as response:
        return json.loads(response.read())["results"]["transcripts"][0]["transcript"]


def test_lost_ray_node_job_completes_elsewhere_once(ray_cluster, tmp_path):
    server = ray_server(tmp_path, ray_cluster.address).start(timeout=180)
    try:
        clip(server.bucket("media") / "long.wav", 300)  # a warm 1-CPU actor decodes a minute in seconds
        client = server.client()
        client.start_transcription_job(TranscriptionJobName="survivor", LanguageCode="en-US",
                                       Media={"MediaFileUri": "s3://media/long.wav"})
        running = wait_for_log(server, r"job survivor \(account \d+, [\w-]+\) runs on Ray node (\w+) \(pid (\d+)\)")
        victim = next(node for node in ray_cluster.cluster.worker_nodes if node.node_id == running.group(1))
        time.sleep(3)  # into the decode (five minutes of audio take the actor well over this)
        assert client.get_transcription_job(TranscriptionJobName="survivor")["TranscriptionJob"][
            "TranscriptionJobStatus"] == "IN_PROGRESS"
        ray_cluster.cluster.remove_node(victim, allow_graceful=False)  # the raylet and its workers die mid-job

        job = server.wait_for_job(client, "survivor", timeout=600)
        assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
        ran = wait_for_log(server, RAN_ON.format(name="survivor"))
        assert ran.group(1) != running.group(1) and ran.group(1) in worker_ids(ray_cluster)
        row = job_row(server, "survivor")
        assert (row["status"], row["attempts"]) == ("COMPLETED", 1), "Ray retried the call; the node claimed once"
        wait_for_log(server, r"job survivor \(account \d+, [\w-]+\) COMPLETED in")
        assert completions([server], "survivor") == 1
    finally:
        server.stop()
        if len(ray_cluster.cluster.worker_nodes) < 2:
            ray_cluster.cluster.add_node(**node_args())  # the next test gets two workers again
            ray_cluster.cluster.wait_for_nodes()


def test_killed_api_node_job_is_finished_by_the_other_once(ray_cluster, tmp_path):
    first = ray_server(tmp_path, ray_cluster.address)
    second = first.another_node()
    nodes = [first.start(timeout=180), second.start(timeout=180)]
    try:
        clip(first.bucket("media") / "long.wav", 60)
        first.client().start_transcription_job(TranscriptionJobName="orphan", LanguageCode="en-US",
                                               Media={"MediaFileUri": "s3://media/long.wav"})
        wait_for_log(first, r"job orphan \(account \d+, [\w-]+\) runs on Ray node")
        first.stop(signal.SIGKILL)  # its lease lapses; Ray ends the actors this driver owned

        job = second.wait_for_job(second.client(), "orphan", timeout=600)
        assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
        assert "orphan (account" in second.log_text() and "taken over" in second.log_text()
        ran = wait_for_log(second, RAN_ON.format(name="orphan"))
        assert ran.group(1) in worker_ids(ray_cluster)
        row = job_row(second, "orphan")
        assert (row["status"], row["attempts"]) == ("COMPLETED", 2)
        wait_for_log(second, r"job orphan \(account \d+, [\w-]+\) COMPLETED in")
        assert completions(nodes, "orphan") == 1
    finally:
        for node in nodes:
            node.stop()


def test_unknown_executor_stops_the_server_with_a_clear_message(tmp_path):
    server = make_server(tmp_path, JARGONAUT_EXECUTOR="celery")
    with pytest.raises(RuntimeError) as exited:
        server.start(timeout=120)
    assert "JARGONAUT_EXECUTOR='celery': use local, ray, ray://HOST:PORT (Ray Client) or HOST:PORT" in str(exited.value)
