"""Custom language models through the Transcribe API (boto3 and the AWS CLI)."""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid

import jiwer
import pytest
from botocore.exceptions import ClientError
from whisper_normalizer.english import EnglishTextNormalizer

from tests.api.test_aws_cli import aws
from tests.support.clm import create_role, read_policy, trust_policy, wait_for_model


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def clm_setup(server, eval_dir, tmp_path_factory):
    """A bucket with biomed training text and a documented data access role."""
    tmp = tmp_path_factory.mktemp("roles")
    bucket = server.bucket("clm-data")
    (bucket / "biomed" / "train").mkdir(parents=True, exist_ok=True)
    (bucket / "biomed" / "tune").mkdir(parents=True, exist_ok=True)
    lines = (eval_dir / "biomed-tts/train.txt").read_text().splitlines()
    (bucket / "biomed/train/part-1.txt").write_text("\n".join(lines[:-40]) + "\n")
    (bucket / "biomed/tune/tuning.txt").write_text("\n".join(lines[-40:]) + "\n")
    account = server.credentials["account_id"]
    arn = create_role(server.data_dir, tmp, "TranscribeCLMRole", trust_policy(account), read_policy("clm-data"))
    assert arn == f"arn:aws:iam::{account}:role/TranscribeCLMRole"
    return {"bucket": bucket, "role": arn, "tmp": tmp}


def _create(client, name: str, role: str, base: str = "WideBand", prefix: str = "s3://clm-data/biomed/train/",
            tuning: str | None = "s3://clm-data/biomed/tune/", language: str = "en-US") -> dict:
    config = {"S3Uri": prefix, "DataAccessRoleArn": role}
    if tuning:
        config["TuningDataS3Uri"] = tuning
    return client.create_language_model(LanguageCode=language, BaseModelName=base, ModelName=name, InputDataConfig=config)


def test_create_describe_list_delete_with_boto3(server, clm_setup):
    client = server.client()
    name = unique("biomed")
    created = _create(client, name, clm_setup["role"])
    assert created["ModelStatus"] == "IN_PROGRESS" and created["BaseModelName"] == "WideBand"
    model = wait_for_model(client, name)
    assert model["ModelStatus"] == "COMPLETED", model.get("FailureReason")
    assert model["UpgradeAvailability"] is False
    assert model["InputDataConfig"]["TuningDataS3Uri"] == "s3://clm-data/biomed/tune/"
    assert model["LastModifiedTime"] >= model["CreateTime"]
    listed = client.list_language_models(NameContains=name.upper())["Models"]
    assert [m["ModelName"] for m in listed] == [name]
    assert all(m["ModelStatus"] == "COMPLETED" for m in client.list_language_models(StatusEquals="COMPLETED")["Models"])
    with pytest.raises(ClientError) as conflict:
        _create(client, name, clm_setup["role"])
    assert conflict.value.response["Error"]["Code"] == "ConflictException"
    client.delete_language_model(ModelName=name)
    with pytest.raises(ClientError) as gone:
        client.describe_language_model(ModelName=name)
    assert gone.value.response["Error"]["Code"] == "NotFoundException"


def test_list_pagination(server, clm_setup):
    client = server.client()
    tag = uuid.uuid4().hex[:6]
    names = [f"page-{tag}-{i}" for i in range(6)]
    for name in names:
        _create(client, name, clm_setup["role"], tuning=None)
    first = client.list_language_models(NameContains=tag)
    assert len(first["Models"]) == 5 and "NextToken" in first
    second = client.list_language_models(NameContains=tag, NextToken=first["NextToken"])
    assert [m["ModelName"] for m in first["Models"] + second["Models"]] == names[::-1]
    for name in names:
        wait_for_model(client, name)


def test_documented_cli_flow(server, clm_setup, tmp_path, eval_dir):
    name = unique("cli-narrow")
    out = json.loads(aws(server, "create-language-model", "--base-model-name", "NarrowBand", "--model-name", name,
                         "--input-data-config",
                         f"S3Uri=s3://clm-data/biomed/train/,TuningDataS3Uri=s3://clm-data/biomed/tune/,DataAccessRoleArn={clm_setup['role']}",
                         "--language-code", "en-US").stdout)
    assert out["ModelStatus"] == "IN_PROGRESS" and out["BaseModelName"] == "NarrowBand"
    request = tmp_path / "clm.json"
    request.write_text(json.dumps({"LanguageCode": "en-US", "BaseModelName": "WideBand", "ModelName": name + "-json",
                                   "InputDataConfig": {"S3Uri": "s3://clm-data/biomed/train/", "DataAccessRoleArn": clm_setup["role"]}}))
    aws(server, "create-language-model", "--cli-input-json", f"file://{request}")
    client = server.client()
    assert wait_for_model(client, name)["ModelStatus"] == "COMPLETED"
    assert wait_for_model(client, name + "-json")["ModelStatus"] == "COMPLETED"
    described = json.loads(aws(server, "describe-language-model", "--model-name", name).stdout)["LanguageModel"]
    assert described["ModelStatus"] == "COMPLETED" and described["BaseModelName"] == "NarrowBand"
    listed = json.loads(aws(server, "list-language-models", "--name-contains", name).stdout)["Models"]
    assert {m["ModelName"] for m in listed} == {name, name + "-json"}
    # An 8 kHz job with the NarrowBand model, from the CLI.
    media = server.bucket("clm-media")
    shutil.copy(eval_dir / "biomed-tts/wav8/test_001.wav", media / "test_001.wav")
    job = unique("cli-job")
    aws(server, "start-transcription-job", "--transcription-job-name", job, "--language-code", "en-US",
        "--media", "MediaFileUri=s3://clm-media/test_001.wav", "--model-settings", f"LanguageModelName={name}")
    done = server.wait_for_job(client, job)
    assert done["TranscriptionJobStatus"] == "COMPLETED", done.get("FailureReason")
    assert done["ModelSettings"] == {"LanguageModelName": name}
    summary = client.list_transcription_jobs(JobNameContains=job)["TranscriptionJobSummaries"][0]
    assert summary["ModelSettings"] == {"LanguageModelName": name}
    aws(server, "delete-language-model", "--model-name", name)
    aws(server, "delete-language-model", "--model-name", name + "-json")


@pytest.mark.parametrize(
    "filename, content, fragment",
    [
        ("notes.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "s3://clm-data/bad-{case}/notes.pdf"),
        ("page.html", b"<html><body><p>The patient has asthma.</p></body></html>\n", "s3://clm-data/bad-{case}/page.html"),
        ("latin1.txt", "The p\u00e9diatrician said so.\n".encode("latin-1"), "s3://clm-data/bad-{case}/latin1.txt"),
        ("blob.txt", bytes(range(256)) * 4, "s3://clm-data/bad-{case}/blob.txt"),
    ],
)
def test_bad_training_objects_fail_the_model(server, clm_setup, filename, content, fragment):
    case = uuid.uuid4().hex[:6]
    folder = clm_setup["bucket"] / f"bad-{case}"
    folder.mkdir()
    (folder / "good.txt").write_text("the patient takes apixaban daily\n")
    (folder / filename).write_bytes(content)
    client = server.client()
    name = unique("bad")
    _create(client, name, clm_setup["role"], prefix=f"s3://clm-data/bad-{case}/", tuning=None)
    model = wait_for_model(client, name)
    assert model["ModelStatus"] == "FAILED"
    assert fragment.format(case=case) in model["FailureReason"], model["FailureReason"]
    assert not list((server.data_dir / "clm").rglob(f"{name}-*.clm")), "a failed model left an artefact"


def test_empty_and_oversize_prefixes(server, clm_setup):
    client = server.client()
    empty = unique("empty")
    _create(client, empty, clm_setup["role"], prefix="s3://clm-data/nothing-here/", tuning=None)
    reason = wait_for_model(client, empty)["FailureReason"]
    assert "empty" in reason and "s3://clm-data/nothing-here/" in reason
    big = clm_setup["bucket"] / "huge"
    big.mkdir(exist_ok=True)
    with open(big / "corpus.txt", "wb") as handle:  # sparse: 2 GiB + 1 byte, nothing written
        handle.truncate(2 * 1024**3 + 1)
    oversize = unique("oversize")
    _create(client, oversize, clm_setup["role"], prefix="s3://clm-data/huge/", tuning=None)
    reason = wait_for_model(client, oversize, timeout=60)["FailureReason"]
    assert "limit is 2,048 MiB" in reason
    tune = clm_setup["bucket"] / "huge-tune"
    tune.mkdir(exist_ok=True)
    with open(tune / "tune.txt", "wb") as handle:
        handle.truncate(200 * 1024**2 + 1)
    big_tuning = unique("bigtune")
    _create(client, big_tuning, clm_setup["role"], tuning="s3://clm-data/huge-tune/")
    reason = wait_for_model(client, big_tuning, timeout=60)["FailureReason"]
    assert "tuning" in reason and "limit is 200 MiB" in reason


def test_roles_are_checked(server, clm_setup):
    client = server.client()
    account = server.credentials["account_id"]
    tmp = clm_setup["tmp"]
    # A role whose policy lacks s3:GetObject on one folder (explicit Deny) fails the model naming both.
    deny = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::clm-data/biomed/train/*"}]}
    denied_role = create_role(server.data_dir, tmp, "DeniedRole", trust_policy(account), read_policy("clm-data"), deny)
    name = unique("denied")
    _create(client, name, denied_role, tuning=None)
    reason = wait_for_model(client, name)["FailureReason"]
    assert "s3:GetObject" in reason and "arn:aws:s3:::clm-data/biomed/train/part-1.txt" in reason
    no_list = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::clm-data/*"}]}
    list_role = create_role(server.data_dir, tmp, "NoListRole", trust_policy(account), no_list)
    name = unique("nolist")
    _create(client, name, list_role, tuning=None)
    reason = wait_for_model(client, name)["FailureReason"]
    assert "s3:ListBucket" in reason and "arn:aws:s3:::clm-data" in reason
    # Untrusted: the trust policy names another service.
    untrusted = trust_policy(account)
    untrusted["Statement"][0]["Principal"] = {"Service": "ec2.amazonaws.com"}
    untrusted_role = create_role(server.data_dir, tmp, "UntrustedRole", untrusted, read_policy("clm-data"))
    for role, fragment in [(untrusted_role, "trust policy"), (f"arn:aws:iam::{account}:role/NoSuchRole", "doesn't exist")]:
        with pytest.raises(ClientError) as bad:
            _create(client, unique("role"), role)
        assert bad.value.response["Error"]["Code"] == "BadRequestException"
        assert fragment in bad.value.response["Error"]["Message"]
    # Trusted only for another account (the condition in Amazon's documented trust policy).
    other_role = create_role(server.data_dir, tmp, "OtherAccountTrust", trust_policy("999999999999"), read_policy("clm-data"))
    with pytest.raises(ClientError) as bad:
        _create(client, unique("cond"), other_role)
    assert "trust policy" in bad.value.response["Error"]["Message"]


def test_validation_and_language_errors(server, clm_setup):
    client = server.client()
    for language, fragment in [("de-DE", "No installed WideBand base model supports de-DE")]:
        with pytest.raises(ClientError) as bad:
            _create(client, unique("lang"), clm_setup["role"], language=language)
        assert bad.value.response["Error"]["Code"] == "BadRequestException"
        assert fragment in bad.value.response["Error"]["Message"]
    raw = server.client(validate=False)
    for params, fragment in [
        ({"BaseModelName": "MegaBand"}, "enum"),
        ({"ModelName": "bad name"}, "regular expression"),
        ({"LanguageCode": "fr-FR"}, "enum"),
    ]:
        request = {"LanguageCode": "en-US", "BaseModelName": "WideBand", "ModelName": "ok-name",
                   "InputDataConfig": {"S3Uri": "s3://clm-data/biomed/train/", "DataAccessRoleArn": clm_setup["role"]}}
        request.update(params)
        with pytest.raises(ClientError) as bad:
            raw.create_language_model(**request)
        assert fragment in bad.value.response["Error"]["Message"]


def test_jobs_refuse_unusable_models(server, clm_setup, eval_dir):
    client = server.client()
    media = server.bucket("clm-media")
    shutil.copy(eval_dir / "biomed-tts/wav16/test_002.wav", media / "test_002.wav")
    ready = unique("ready")
    _create(client, ready, clm_setup["role"], tuning=None)
    assert wait_for_model(client, ready)["ModelStatus"] == "COMPLETED"

    def start(model: str, language: str = "en-US", job_client=client):
        return job_client.start_transcription_job(
            TranscriptionJobName=unique("j"), LanguageCode=language, Media={"MediaFileUri": "s3://clm-media/test_002.wav"},
            ModelSettings={"LanguageModelName": model})

    cases = [("no-such-model", "en-US", client, "doesn't exist"), (ready, "en-GB", client, "is for en-US")]
    # Another account cannot use it.
    created = subprocess.run([sys.executable, "-m", "jargonaut.cli", "accounts", "--data-dir", str(server.data_dir), "create"],
                             check=True, capture_output=True, text=True)
    cases.append((ready, "en-US", server.client(json.loads(created.stdout)), "doesn't exist"))
    # Not yet COMPLETED: training runs one model at a time, so a model queued behind a larger one waits.
    blocker_dir = clm_setup["bucket"] / "blocker"
    blocker_dir.mkdir(exist_ok=True)
    medical = (eval_dir / "medical/lm-text/aci-bench-dialogues.txt").read_text()
    (blocker_dir / "big.txt").write_text(medical * 2)
    blocker, pending = unique("blocker"), unique("pending")
    _create(client, blocker, clm_setup["role"], prefix="s3://clm-data/blocker/", tuning=None)
    _create(client, pending, clm_setup["role"], tuning=None)
    with pytest.raises(ClientError) as not_ready:
        start(pending)
    assert "IN_PROGRESS" in not_ready.value.response["Error"]["Message"]
    failed = unique("failed")
    _create(client, failed, clm_setup["role"], prefix="s3://clm-data/nothing-here/", tuning=None)
    wait_for_model(client, failed)
    cases.append((failed, "en-US", client, "FAILED"))
    deleted = unique("deleted")
    _create(client, deleted, clm_setup["role"], tuning=None)
    wait_for_model(client, deleted)
    client.delete_language_model(ModelName=deleted)
    cases.append((deleted, "en-US", client, "doesn't exist"))
    for model, language, job_client, fragment in cases:
        with pytest.raises(ClientError) as bad:
            start(model, language, job_client)
        assert bad.value.response["Error"]["Code"] == "BadRequestException"
        assert fragment in bad.value.response["Error"]["Message"], (model, bad.value.response["Error"]["Message"])
    assert wait_for_model(client, pending)["ModelStatus"] == "COMPLETED"
    wait_for_model(client, blocker)


def test_band_mismatch_fails_the_job(server, clm_setup, eval_dir):
    client = server.client()
    media = server.bucket("clm-media")
    shutil.copy(eval_dir / "biomed-tts/wav8/test_003.wav", media / "test_003-8k.wav")
    shutil.copy(eval_dir / "biomed-tts/wav16/test_003.wav", media / "test_003-16k.wav")
    wide, narrow = unique("wide"), unique("narrow")
    _create(client, wide, clm_setup["role"], tuning=None)
    _create(client, narrow, clm_setup["role"], base="NarrowBand", tuning=None)
    wait_for_model(client, wide)
    wait_for_model(client, narrow)
    for model, key, fragment in [(wide, "test_003-8k.wav", "8000 Hz"), (narrow, "test_003-16k.wav", "16000 Hz")]:
        job = unique("band")
        client.start_transcription_job(TranscriptionJobName=job, LanguageCode="en-US",
                                       Media={"MediaFileUri": f"s3://clm-media/{key}"}, ModelSettings={"LanguageModelName": model})
        done = server.wait_for_job(client, job)
        assert done["TranscriptionJobStatus"] == "FAILED"
        assert fragment in done["FailureReason"] and model in done["FailureReason"]


def test_deleting_a_model_does_not_break_its_queued_jobs(server, clm_setup, eval_dir):
    client = server.client()
    media = server.bucket("clm-media")
    shutil.copy(eval_dir / "biomed-tts/wav16/test_004.wav", media / "test_004.wav")
    name = unique("short-lived")
    _create(client, name, clm_setup["role"], tuning=None)
    wait_for_model(client, name)
    jobs = [unique("uses-deleted") for _ in range(2)]
    for job in jobs:
        client.start_transcription_job(TranscriptionJobName=job, LanguageCode="en-US",
                                       Media={"MediaFileUri": "s3://clm-media/test_004.wav"}, ModelSettings={"LanguageModelName": name})
    client.delete_language_model(ModelName=name)
    for job in jobs:
        done = server.wait_for_job(client, job)
        assert done["TranscriptionJobStatus"] == "COMPLETED", done.get("FailureReason")
    # The deleted model's version goes once the last job that pinned it ended: the worker collects it
    # right after it writes COMPLETED, so the test polls for it (bounded) instead of racing it.
    deadline = time.monotonic() + 60
    while list((server.data_dir / "clm").rglob(f"{name}-*.clm")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not list((server.data_dir / "clm").rglob(f"{name}-*.clm")), "the deleted model's artefact was kept"


@pytest.mark.slow
def test_clm_job_beats_plain_job_on_domain_audio(server, clm_setup, eval_dir):
    client = server.client()
    name = unique("biomed-full")
    _create(client, name, clm_setup["role"])
    assert wait_for_model(client, name)["ModelStatus"] == "COMPLETED"
    media = server.bucket("clm-domain")
    with open(eval_dir / "biomed-tts/test.tsv", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))[:12]
    for clip_id, _ in rows:
        shutil.copy(eval_dir / f"biomed-tts/wav16/{clip_id}.wav", media / f"{clip_id}.wav")
    started = []
    for clip_id, _ in rows:
        for with_clm in (False, True):
            job = unique(f"{clip_id}-{'clm' if with_clm else 'plain'}")
            extra = {"ModelSettings": {"LanguageModelName": name}} if with_clm else {}
            client.start_transcription_job(TranscriptionJobName=job, LanguageCode="en-US",
                                           Media={"MediaFileUri": f"s3://clm-domain/{clip_id}.wav"}, **extra)
            started.append((clip_id, with_clm, job))
    texts: dict[bool, list[str]] = {False: [], True: []}
    for clip_id, with_clm, job in started:
        done = server.wait_for_job(client, job, timeout=600)
        assert done["TranscriptionJobStatus"] == "COMPLETED", done.get("FailureReason")
        body = json.loads(urllib.request.urlopen(done["Transcript"]["TranscriptFileUri"]).read())
        texts[with_clm].append(body["results"]["transcripts"][0]["transcript"])
    normalise = EnglishTextNormalizer()
    refs = [normalise(text) for _, text in rows]
    plain = jiwer.wer(refs, [normalise(t) for t in texts[False]])
    fused = jiwer.wer(refs, [normalise(t) for t in texts[True]])
    print(f"biomed 16 kHz, {len(rows)} clips: WER without CLM {plain:.3f}, with CLM {fused:.3f}")
    assert fused < plain
    assert any(any(c.isupper() for c in t) for t in texts[True]), "casing was lost"


def test_upgrade_availability_and_retrain(fresh_server, tmp_path, eval_dir):
    server = fresh_server
    server.env["JARGONAUT_WIDEBAND_VERSION"] = "1"
    server.start()
    bucket = server.bucket("upgrade-data")
    shutil.copy(eval_dir / "biomed-tts/train.txt", bucket / "train.txt")
    role = create_role(server.data_dir, tmp_path, "UpgradeRole", trust_policy(server.credentials["account_id"]), read_policy("upgrade-data"))
    client = server.client()
    client.create_language_model(LanguageCode="en-US", BaseModelName="WideBand", ModelName="upgradable",
                                 InputDataConfig={"S3Uri": "s3://upgrade-data/", "DataAccessRoleArn": role})
    assert wait_for_model(client, "upgradable")["UpgradeAvailability"] is False
    server.stop()
    server.env["JARGONAUT_WIDEBAND_VERSION"] = "2"  # a newer base model is installed
    server.start()
    client = server.client()
    assert client.describe_language_model(ModelName="upgradable")["LanguageModel"]["UpgradeAvailability"] is True
    result = subprocess.run([sys.executable, "-m", "jargonaut.cli", "models", "retrain", "upgradable",
                             "--endpoint-url", server.endpoint, "--data-dir", str(server.data_dir)],
                            capture_output=True, text=True, env={**os.environ, "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""})
    assert result.returncode == 0, result.stderr
    model = wait_for_model(client, "upgradable")
    assert model["ModelStatus"] == "COMPLETED" and model["UpgradeAvailability"] is False
    client.create_language_model(LanguageCode="en-US", BaseModelName="WideBand", ModelName="newest",
                                 InputDataConfig={"S3Uri": "s3://upgrade-data/", "DataAccessRoleArn": role})
    assert wait_for_model(client, "newest")["UpgradeAvailability"] is False
