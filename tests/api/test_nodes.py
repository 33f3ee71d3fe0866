"""Several API nodes on one database and one data dir: one service, no job run twice, none lost.

Every case runs on SQLite (WAL, shared by the processes on one machine) and on a throwaway
PostgreSQL cluster (tests/support/postgres.py)."""
from __future__ import annotations

import json
import re
import shutil
import signal
import threading
import time

import pytest
from botocore.exceptions import ClientError

from tests.stream.audio import pcm_file
from tests.stream.helpers import cert, spec
from tests.stream.sdk_client import run_many_in_subprocess
from tests.support.postgres import initdb_path, throwaway_cluster
from tests.support.server import RunningServer, make_server

LEASE = {"JARGONAUT_LEASE_SECONDS": "3"}  # a dead node's work is taken over after 3 s
PENDING_LIMIT = 20  # jobs queued or in progress per account, over all nodes


@pytest.fixture(scope="module")
def postgres():
    if initdb_path() is None:
        pytest.skip("PostgreSQL is not installed: `make test` installs the Debian package postgresql")
    with throwaway_cluster() as cluster:
        yield cluster


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request) -> dict[str, str]:
    if request.param == "sqlite":
        return {}  # the default: DATA_DIR/jargonaut.db
    return {"JARGONAUT_DATABASE_URL": request.getfixturevalue("postgres").new_database()}


@pytest.fixture
def two_nodes(tmp_path, database):
    first = make_server(tmp_path, **LEASE, **database, JARGONAUT_MAX_STREAMS_PER_ACCOUNT="1",
                        JARGONAUT_MAX_PENDING_JOBS=str(PENDING_LIMIT))
    second = first.another_node()
    nodes = [first.start(), second.start()]
    yield nodes
    for node in nodes:
        if node.process is not None:
            node.process.send_signal(signal.SIGCONT)  # a test may leave one stopped
        node.stop()


def _completions(nodes: list[RunningServer], name: str) -> int:
    """Log lines that record the job as COMPLETED, over every node."""
    pattern = re.compile(rf"job {re.escape(name)} \(account \d+, [\w-]+\) COMPLETED in")
    return sum(len(pattern.findall(node.log_text())) for node in nodes)


def _wait_in_progress(client, name: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while client.get_transcription_job(TranscriptionJobName=name)["TranscriptionJob"]["TranscriptionJobStatus"] != "IN_PROGRESS":
        assert time.monotonic() < deadline, "the job never started"
        time.sleep(0.05)


def test_jobs_started_on_both_nodes_are_one_service(two_nodes):
    first, second = two_nodes
    clients = [first.client(), second.client()]
    names: list[list[str]] = [[], []]
    conflicts: list[str] = []

    def start_jobs(node: int) -> None:
        for i in range(8):
            name = f"node{node}-job{i}"
            # Missing media: each job fails fast at run time, so this test is about state, not decoding.
            clients[node].start_transcription_job(TranscriptionJobName=name, LanguageCode="en-US",
                                                  Media={"MediaFileUri": "s3://media/missing.wav"})
            names[node].append(name)
        try:
            clients[node].start_transcription_job(TranscriptionJobName="both", LanguageCode="en-US",
                                                  Media={"MediaFileUri": "s3://media/missing.wav"})
        except ClientError as exc:
            conflicts.append(exc.response["Error"]["Code"])

    first.bucket("media")
    threads = [threading.Thread(target=start_jobs, args=(node,)) for node in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert conflicts == ["ConflictException"], "the same name on two nodes at once must be refused once"

    # Each node sees the jobs started on the other.
    for name in names[0]:
        assert clients[1].get_transcription_job(TranscriptionJobName=name)["TranscriptionJob"]["TranscriptionJobName"] == name

    def listing(client) -> list[str]:
        seen, token = [], None
        while True:
            page = client.list_transcription_jobs(MaxResults=5, **({"NextToken": token} if token else {}))
            seen += [s["TranscriptionJobName"] for s in page["TranscriptionJobSummaries"]]
            token = page.get("NextToken")
            if not token:
                return seen

    on_first, on_second = listing(clients[0]), listing(clients[1])
    assert on_first == on_second, "both nodes list in the same order"
    assert sorted(on_first) == sorted(names[0] + names[1] + ["both"]), "no job lost, none listed twice"
    for node in (0, 1):  # newest first: a node's own jobs appear in the reverse of the order it started them
        own = [n for n in on_first if n.startswith(f"node{node}-")]
        assert own == list(reversed(names[node]))
    for name in names[0] + names[1]:
        job = first.wait_for_job(clients[0], name, timeout=60)
        assert job["TranscriptionJobStatus"] == "FAILED" and "missing.wav" in job["FailureReason"]


def test_pending_job_limit_counts_jobs_on_every_node(two_nodes, eval_dir):
    first, second = two_nodes
    shutil.copy(eval_dir / "medical/audio/CAR0001.mp3", first.bucket("media") / "long.mp3")  # ~10 min: stays pending
    outcomes: list[str] = []
    lock = threading.Lock()

    def start_jobs(node: RunningServer) -> None:
        client = node.client()
        for i in range(15):
            try:
                client.start_transcription_job(TranscriptionJobName=f"{node.port}-{i}", LanguageCode="en-US",
                                               Media={"MediaFileUri": "s3://media/long.mp3"})
                outcome = "started"
            except ClientError as exc:
                outcome = exc.response["Error"]["Code"]
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=start_jobs, args=(node,)) for node in two_nodes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("started") == PENDING_LIMIT, outcomes
    assert outcomes.count("LimitExceededException") == 30 - PENDING_LIMIT, outcomes


@pytest.mark.slow
def test_killed_node_job_is_finished_by_the_other_once(two_nodes, eval_dir):
    first, second = two_nodes
    shutil.copy(eval_dir / "general/audio/jfk.flac", first.bucket("media") / "jfk.flac")
    out = first.bucket("out")
    client = first.client()
    client.start_transcription_job(TranscriptionJobName="orphan", LanguageCode="en-US",
                                   Media={"MediaFileUri": "s3://media/jfk.flac"}, OutputBucketName="out")
    _wait_in_progress(client, "orphan")
    first.stop(signal.SIGKILL)

    job = second.wait_for_job(second.client(), "orphan", timeout=180)
    assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
    assert json.loads((out / "orphan.json").read_text())["jobName"] == "orphan"
    assert "orphan (account" in second.log_text() and "taken over" in second.log_text()
    assert _completions([first, second], "orphan") == 1


@pytest.mark.slow
@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_stalled_node_cannot_write_after_losing_its_lease(two_nodes, eval_dir):
    """Fencing: a node paused past its lease wakes up to find the job taken over; it writes nothing.
    PostgreSQL only: a node paused inside a SQLite write transaction would hold the file's one write
    lock, so the other node could not write at all (a property of SQLite, not of the fencing)."""
    first, second = two_nodes
    shutil.copy(eval_dir / "general/audio/jfk.flac", first.bucket("media") / "jfk.flac")
    client = second.client()
    first.client().start_transcription_job(TranscriptionJobName="fenced", LanguageCode="en-US",
                                           Media={"MediaFileUri": "s3://media/jfk.flac"})
    _wait_in_progress(client, "fenced")
    first.process.send_signal(signal.SIGSTOP)
    try:
        done = second.wait_for_job(client, "fenced", timeout=180)
    finally:
        first.process.send_signal(signal.SIGCONT)
    assert done["TranscriptionJobStatus"] == "COMPLETED", done.get("FailureReason")
    deadline = time.monotonic() + 120
    while "fenced (account" not in first.log_text() or "lease lost" not in first.log_text():
        assert time.monotonic() < deadline, "the paused node's worker never noticed it lost the lease"
        time.sleep(0.2)
    after = client.get_transcription_job(TranscriptionJobName="fenced")["TranscriptionJob"]
    assert after["TranscriptionJobStatus"] == "COMPLETED"
    assert after["CompletionTime"] == done["CompletionTime"], "the stale node rewrote the result"
    assert _completions([first, second], "fenced") == 1


@pytest.mark.slow
def test_stream_limit_counts_streams_on_every_node(two_nodes, eval_dir, tmp_path):
    first, second = two_nodes  # one stream per account, in all
    audio = pcm_file(eval_dir / "general/audio/jfk.flac", 8000, tmp_path / "jfk8.pcm")
    paced = {"bytes_per_second": 16000, "chunk_bytes": 1600}
    results = run_many_in_subprocess([spec(first, audio, 8000, **paced), spec(second, audio, 8000, **paced)],
                                     cert(first))
    errors = [r["error"] for r in results if r["error"]]
    assert [e["type"] for e in errors] == ["LimitExceededException"], results
    assert all(r["events"] for r in results if not r["error"])
    # Once the admitted stream has ended, either node admits a new one.
    again = run_many_in_subprocess([spec(second, audio, 8000)], cert(first))
    assert not again[0]["error"], again


def test_scratch_of_gone_nodes_is_removed_never_a_live_ones(tmp_path, database):
    """Scratch directories carry their node's tag; a node removes those of nodes that stopped
    beating (at its start and on its heartbeat), never those of a live node."""
    first = make_server(tmp_path, **LEASE, **database, JARGONAUT_NODE_ID="node-a").start()
    second = first.another_node(JARGONAUT_NODE_ID="node-b")
    try:
        live = first.data_dir / "jargonaut-job-node_a-inuse"  # node-a is running: this may be a job's
        live.mkdir()
        gone = first.data_dir / "jargonaut-clm-node_c-leftover"  # node-c never beat here: it is gone
        gone.mkdir()
        (gone / "counts.bin").write_bytes(b"spilled n-gram counts")
        second.start()
        assert not gone.exists(), "a gone node's scratch survived another node's start"
        assert live.exists(), "a live node's scratch was removed"
        time.sleep(2 * 3)  # two lease lengths: node-a beats all along
        assert live.exists(), "a live node's scratch was removed by the heartbeat"
        first.stop(signal.SIGKILL)
        deadline = time.monotonic() + 30
        while live.exists():  # node-a's beat lapses (plus one lease of grace), then node-b removes its scratch
            assert time.monotonic() < deadline, "the dead node's scratch was never removed"
            time.sleep(0.2)
    finally:
        first.stop()
        second.stop()
