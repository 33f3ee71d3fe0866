"""Buckets belong to one account: other accounts need the owner's bucket policy (issue 17).
Also: the output location is checked at StartTranscriptionJob, and no message shows a server path."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.support.clm import create_role, read_policy, trust_policy, wait_for_model
from tests.support.server import REPO


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def cli(server, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """`jargonaut <group> --data-dir D <command> ...`, the documented way."""
    return subprocess.run([sys.executable, "-m", "jargonaut.cli", args[0], "--data-dir", str(server.data_dir), *args[1:]],
                          cwd=REPO, env=server.env, capture_output=True, text=True, check=check)


def new_account(server) -> dict:
    return json.loads(cli(server, "accounts", "create").stdout)


def start_job(client, name: str, uri: str, **extra):
    return client.start_transcription_job(TranscriptionJobName=name, LanguageCode="en-US", Media={"MediaFileUri": uri}, **extra)


def bad_request(call, **kwargs) -> str:
    with pytest.raises(ClientError) as bad:
        call(**kwargs)
    assert bad.value.response["Error"]["Code"] == "BadRequestException", bad.value.response
    assert bad.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return bad.value.response["Error"]["Message"]


def put_policy(server, tmp_path, bucket: str, owner: str, statements: list[dict]) -> None:
    path = tmp_path / f"{bucket}-{uuid.uuid4().hex[:6]}-policy.json"
    path.write_text(json.dumps({"Version": "2012-10-17", "Statement": statements}))
    cli(server, "buckets", "policy", "--name", bucket, "--account", owner, "--set", str(path))


@pytest.mark.slow
def test_another_accounts_bucket_is_denied_until_its_owner_grants(server, eval_dir, tmp_path):
    owner = server.credentials["account_id"]
    other = new_account(server)
    mine, theirs = server.client(), server.client(other)
    bucket_a = unique("tenant-a")
    a = server.bucket(bucket_a)
    (a / "private").mkdir()
    (a / "shared").mkdir()
    (a / "train").mkdir()
    shutil.copy(eval_dir / "general/audio/jfk.flac", a / "private/jfk.flac")
    shutil.copy(eval_dir / "general/audio/jfk.flac", a / "shared/jfk.flac")
    original = (a / "private/jfk.flac").read_bytes()
    (a / "train/part-1.txt").write_text((eval_dir / "biomed-tts/train.txt").read_text())
    bucket_b = unique("tenant-b")
    b = server.bucket(bucket_b, account=other["account_id"])
    shutil.copy(eval_dir / "general/audio/jfk.flac", b / "jfk.flac")

    # B reads A's media: the job fails, no transcript.
    stolen = unique("stolen")
    start_job(theirs, stolen, f"s3://{bucket_a}/private/jfk.flac")
    job = server.wait_for_job(theirs, stolen)
    assert job["TranscriptionJobStatus"] == "FAILED" and "Transcript" not in job
    assert "denied" in job["FailureReason"] and "another account" in job["FailureReason"], job["FailureReason"]
    # B writes over A's FLAC: refused at Start, A's object untouched, no job recorded.
    overwrite = unique("overwrite")
    message = bad_request(theirs.start_transcription_job, TranscriptionJobName=overwrite, LanguageCode="en-US",
                          Media={"MediaFileUri": f"s3://{bucket_b}/jfk.flac"}, OutputBucketName=bucket_a,
                          OutputKey="private/jfk.flac")
    assert "write permission" in message and f"s3://{bucket_a}/private/jfk.flac" in message
    assert (a / "private/jfk.flac").read_bytes() == original
    with pytest.raises(ClientError) as missing:
        theirs.get_transcription_job(TranscriptionJobName=overwrite)
    assert missing.value.response["Error"]["Code"] == "NotFoundException"
    # B trains from A's prefix with B's own role whose policy names A's bucket: the model fails.
    role_b = create_role(server.data_dir, tmp_path, "ReadsA", trust_policy(other["account_id"]), read_policy(bucket_a),
                         account=other["account_id"])
    model = unique("borrowed")
    theirs.create_language_model(LanguageCode="en-US", BaseModelName="WideBand", ModelName=model,
                                 InputDataConfig={"S3Uri": f"s3://{bucket_a}/train/", "DataAccessRoleArn": role_b})
    failed = wait_for_model(theirs, model)
    assert failed["ModelStatus"] == "FAILED" and "another account" in failed["FailureReason"], failed
    theirs.delete_language_model(ModelName=model)

    # A grants B: read shared/, list the bucket for B's role, write under from-b/ only.
    b_root = f"arn:aws:iam::{other['account_id']}:root"
    put_policy(server, tmp_path, bucket_a, owner, [
        {"Effect": "Allow", "Principal": {"AWS": other["account_id"]}, "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{bucket_a}/shared/*"},
        {"Effect": "Allow", "Principal": {"AWS": b_root}, "Action": "s3:PutObject",
         "Resource": [f"arn:aws:s3:::{bucket_a}/from-b/*", f"arn:aws:s3:::{bucket_a}/shared/*"]},
        {"Effect": "Allow", "Principal": {"AWS": role_b}, "Action": ["s3:ListBucket", "s3:GetObject"],
         "Resource": [f"arn:aws:s3:::{bucket_a}", f"arn:aws:s3:::{bucket_a}/train/*"]},
    ])
    listed = cli(server, "buckets", "list", "--account", owner).stdout
    assert f"{bucket_a}\t{owner}\tpolicy" in listed and bucket_b not in listed
    granted = unique("granted")
    start_job(theirs, granted, f"s3://{bucket_a}/shared/jfk.flac", OutputBucketName=bucket_a, OutputKey="from-b/")
    job = server.wait_for_job(theirs, granted)
    assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
    assert json.loads((a / f"from-b/{granted}.json").read_text())["accountId"] == other["account_id"]
    # B may replace its own transcript there (the same job name again), nothing else of A's.
    theirs.delete_transcription_job(TranscriptionJobName=granted)
    start_job(theirs, granted, f"s3://{bucket_a}/shared/jfk.flac", OutputBucketName=bucket_a, OutputKey="from-b/")
    assert server.wait_for_job(theirs, granted)["TranscriptionJobStatus"] == "COMPLETED"
    # The grant is exactly what the policy says: private/ stays private ...
    still_private = unique("still-private")
    start_job(theirs, still_private, f"s3://{bucket_a}/private/jfk.flac")
    assert "denied" in server.wait_for_job(theirs, still_private)["FailureReason"]
    # ... and PutObject on shared/ doesn't let B replace A's object there (only the owner's jobs replace).
    message = bad_request(theirs.start_transcription_job, TranscriptionJobName=unique("replace"), LanguageCode="en-US",
                          Media={"MediaFileUri": f"s3://{bucket_b}/jfk.flac"}, OutputBucketName=bucket_a,
                          OutputKey="shared/jfk.flac")
    assert "already exists" in message
    # The role granted by the bucket policy now trains.
    trained = unique("granted-model")
    theirs.create_language_model(LanguageCode="en-US", BaseModelName="WideBand", ModelName=trained,
                                 InputDataConfig={"S3Uri": f"s3://{bucket_a}/train/", "DataAccessRoleArn": role_b})
    assert wait_for_model(theirs, trained)["ModelStatus"] == "COMPLETED"
    # An explicit Deny in the bucket policy binds the owner too.
    put_policy(server, tmp_path, bucket_a, owner, [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket_a}/private/*"},
    ])
    locked = unique("locked")
    start_job(mine, locked, f"s3://{bucket_a}/private/jfk.flac")
    assert "denies s3:GetObject" in server.wait_for_job(mine, locked)["FailureReason"]


def test_bucket_cli_ownership_rules(server, tmp_path):
    owner = server.credentials["account_id"]
    other = new_account(server)["account_id"]
    name = unique("cli-owned")
    assert cli(server, "buckets", "create", "--name", name).stdout.strip() == f"created {name}"
    assert (server.data_dir / "buckets" / name).is_dir()
    again = cli(server, "buckets", "create", "--name", name)
    assert again.returncode == 0 and "already owned" in again.stdout
    taken = cli(server, "buckets", "create", "--name", name, "--account", other, check=False)
    assert taken.returncode != 0 and "belongs to another account" in taken.stderr
    for command in (["delete"], ["policy"]):
        refused = cli(server, "buckets", *command, "--name", name, "--account", other, check=False)
        assert refused.returncode != 0 and "doesn't exist in account" in refused.stderr
    bad_policy = tmp_path / "bad.json"
    bad_policy.write_text(json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"AWS": other}, "Action": "s3:GetObject",
                                                     "Resource": "arn:aws:s3:::someone-else/*"}]}))
    rejected = cli(server, "buckets", "policy", "--name", name, "--set", str(bad_policy), check=False)
    assert rejected.returncode != 0 and "invalid resource" in rejected.stderr
    for invalid in ("UPPER", "a", "has_underscore", "dots..dots"):
        assert "not valid" in cli(server, "buckets", "create", "--name", invalid, check=False).stderr
    (server.data_dir / "buckets" / name / "object.txt").write_text("x")
    assert "not empty" in cli(server, "buckets", "delete", "--name", name, check=False).stderr
    (server.data_dir / "buckets" / name / "object.txt").unlink()
    cli(server, "buckets", "delete", "--name", name)
    assert not (server.data_dir / "buckets" / name).exists()
    assert name not in cli(server, "buckets", "list", "--account", owner).stdout


@pytest.mark.slow
def test_mkdir_buckets_single_and_multi_account(fresh_server, eval_dir):
    """The README's `mkdir -p data/buckets/media` works while there is one account; with more,
    an unowned directory is nobody's until `jargonaut buckets create` assigns it."""
    server = fresh_server.start()
    account = server.credentials["account_id"]
    media = server.data_dir / "buckets" / "media"
    media.mkdir(parents=True)
    shutil.copy(eval_dir / "general/audio/jfk.flac", media / "jfk.flac")
    client = server.client()
    start_job(client, "single", "s3://media/jfk.flac")
    assert server.wait_for_job(client, "single")["TranscriptionJobStatus"] == "COMPLETED"
    assert f"media\t{account}" in cli(server, "buckets", "list").stdout

    other = new_account(server)
    orphan = server.data_dir / "buckets" / "orphan"
    orphan.mkdir()
    shutil.copy(eval_dir / "general/audio/jfk.flac", orphan / "jfk.flac")
    assert "orphan\t(no owner)" in cli(server, "buckets", "list").stdout
    for who, name in ((client, "orphan-a"), (server.client(other), "orphan-b")):
        start_job(who, name, "s3://orphan/jfk.flac")
        reason = server.wait_for_job(who, name)["FailureReason"]
        assert "not been assigned" in reason and "jargonaut buckets create" in reason
    cli(server, "buckets", "create", "--name", "orphan", "--account", other["account_id"])
    start_job(server.client(other), "adopted", "s3://orphan/jfk.flac")
    assert server.wait_for_job(server.client(other), "adopted")["TranscriptionJobStatus"] == "COMPLETED"
    start_job(client, "not-mine", "s3://orphan/jfk.flac")
    assert "another account" in server.wait_for_job(client, "not-mine")["FailureReason"]


def test_output_location_is_checked_at_start(server, eval_dir):
    client = server.client()
    media = server.bucket("checked-media")
    shutil.copy(eval_dir / "general/audio/LDC93S1_8k.wav", media / "speech.wav")
    out = server.bucket("checked-out")
    (out / "taken.json").mkdir(exist_ok=True)
    (out / "taken.json" / "inner.txt").write_text("x")
    (out / "report.pdf").write_text("an object, not a folder")
    other = new_account(server)
    server.bucket("checked-theirs", account=other["account_id"])
    cases = [
        ({"OutputBucketName": "checked-out", "OutputKey": "../../x.json"}, "'..'"),
        ({"OutputBucketName": "checked-out", "OutputKey": "./x.json"}, "'.'"),
        ({"OutputBucketName": "checked-out", "OutputKey": "a//x.json"}, "empty"),
        ({"OutputBucketName": "checked-out", "OutputKey": "report.pdf/x.json"}, "s3://checked-out/report.pdf is an object"),
        ({"OutputBucketName": "checked-out", "OutputKey": "taken.json"}, "s3://checked-out/taken.json is a folder"),
        ({"OutputBucketName": "no-such-output-bucket"}, "no-such-output-bucket doesn't exist"),
        ({"OutputBucketName": "checked-theirs"}, "write permission"),
    ]
    for extra, fragment in cases:
        name = unique("out")
        message = bad_request(client.start_transcription_job, TranscriptionJobName=name, LanguageCode="en-US",
                              Media={"MediaFileUri": "s3://checked-media/speech.wav"}, **extra)
        assert fragment in message, (extra, message)
        assert str(server.data_dir) not in message and "buckets/" not in message
        with pytest.raises(ClientError):
            client.get_transcription_job(TranscriptionJobName=name)  # nothing was queued
    # The owner replaces its own object at OutputKey, as on Amazon.
    name = unique("replace-own")
    start_job(client, name, "s3://checked-media/speech.wav", OutputBucketName="checked-out", OutputKey="report.pdf")
    assert server.wait_for_job(client, name)["TranscriptionJobStatus"] == "COMPLETED"
    assert json.loads((out / "report.pdf").read_text())["jobName"] == name


def test_no_failure_reason_or_error_shows_a_server_path(server, eval_dir):
    client = server.client()
    bucket = server.bucket("pathless")
    (bucket / "noise.mp3").write_bytes(b"\x00\x01not audio" * 500)
    good = (eval_dir / "general/audio/LDC93S1_8k.wav").read_bytes()
    (bucket / "truncated.wav").write_bytes(good[:44] + b"\xff" * 10)
    shutil.copy(eval_dir / "general/audio/LDC93S1_8k.wav", bucket / "speech.wav")
    names = []
    for key in ("noise.mp3", "truncated.wav", "missing.wav", "../escape.wav"):
        names.append(unique("pathless"))
        start_job(client, names[-1], f"s3://pathless/{key}")
    # An object appears where the output "folder" must be after Start: the write fails at run time.
    late = unique("late-folder")
    start_job(client, late, "s3://pathless/speech.wav", OutputBucketName="pathless", OutputKey="later/x.json")
    (bucket / "later").write_text("now an object")
    names.append(late)
    reasons = []
    for name in names:
        job = server.wait_for_job(client, name)
        assert job["TranscriptionJobStatus"] == "FAILED"
        reasons.append(job["FailureReason"])
    assert "s3://pathless/later is an object" in reasons[-1]
    messages = reasons + [bad_request(client.start_transcription_job, TranscriptionJobName=unique("bad"), LanguageCode="en-US",
                                      Media={"MediaFileUri": "s3://pathless/speech.wav"}, **extra)
                          for extra in ({"OutputBucketName": "pathless", "OutputKey": "speech.wav/x.json"},
                                        {"OutputBucketName": "pathless", "OutputKey": "../x.json"})]
    for job in client.list_transcription_jobs(Status="FAILED", MaxResults=100)["TranscriptionJobSummaries"]:
        messages.append(job["FailureReason"])
    roots = {str(server.data_dir), str(server.data_dir.resolve()), tempfile.gettempdir(), str(REPO)}
    for message in messages:
        assert not any(root in message for root in roots), message
        assert "jargonaut-job-" not in message and "/buckets/" not in message, message
