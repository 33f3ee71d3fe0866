"""Every AWS region works, and resources are scoped by account and region as in Amazon."""
from __future__ import annotations

import json
import shutil
import urllib.request
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.api.test_aws_cli import aws
from tests.support.clm import create_role, read_policy, trust_policy, wait_for_model


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def region_media(server, eval_dir):
    bucket = server.bucket("region-media")
    shutil.copy(eval_dir / "general/audio/jfk.flac", bucket / "jfk.flac")
    return "s3://region-media/jfk.flac"


def test_amazon_guide_region_works_and_jobs_are_scoped_by_region(server, region_media):
    oregon, ireland = server.client(region="us-west-2"), server.client(region="eu-west-1")
    name = unique("oregon")
    oregon.start_transcription_job(TranscriptionJobName=name, LanguageCode="en-US", Media={"MediaFileUri": region_media})
    job = server.wait_for_job(oregon, name)
    assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
    # The transcript URL is pre-signed for the job's region and serves it.
    url = job["Transcript"]["TranscriptFileUri"]
    assert "/us-west-2/" in url and "us-west-2%2Ftranscribe" in url
    transcript = json.loads(urllib.request.urlopen(url).read())
    assert transcript["jobName"] == name and transcript["accountId"] == server.credentials["account_id"]

    # Not visible from another region; the same name may be used there.
    with pytest.raises(ClientError) as missing:
        ireland.get_transcription_job(TranscriptionJobName=name)
    assert missing.value.response["Error"]["Code"] == "NotFoundException"
    assert name not in [s["TranscriptionJobName"] for s in
                        ireland.list_transcription_jobs(JobNameContains=name)["TranscriptionJobSummaries"]]
    ireland.start_transcription_job(TranscriptionJobName=name, LanguageCode="en-US", Media={"MediaFileUri": region_media})
    assert server.wait_for_job(ireland, name)["TranscriptionJobStatus"] == "COMPLETED"
    ireland.delete_transcription_job(TranscriptionJobName=name)
    assert oregon.get_transcription_job(TranscriptionJobName=name)["TranscriptionJob"]["TranscriptionJobName"] == name
    oregon.delete_transcription_job(TranscriptionJobName=name)


def test_pagination_is_per_region(server, region_media):
    tokyo, sydney = server.client(region="ap-northeast-1"), server.client(region="ap-southeast-2")
    prefix = unique("page")
    names = [f"{prefix}-{i}" for i in range(3)]
    for name in names:
        tokyo.start_transcription_job(TranscriptionJobName=name, LanguageCode="en-US", Media={"MediaFileUri": region_media})
    sydney.start_transcription_job(TranscriptionJobName=f"{prefix}-x", LanguageCode="en-US",
                                   Media={"MediaFileUri": region_media})
    seen, token = [], None
    while True:
        page = tokyo.list_transcription_jobs(JobNameContains=prefix, MaxResults=2, **({"NextToken": token} if token else {}))
        seen += [s["TranscriptionJobName"] for s in page["TranscriptionJobSummaries"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == names[::-1]
    for name in names:
        server.wait_for_job(tokyo, name)
    server.wait_for_job(sydney, f"{prefix}-x")


def test_aws_cli_with_region_flag(server, region_media):
    name = unique("cli-region")
    aws(server, "--region", "us-west-2", "start-transcription-job", "--transcription-job-name", name,
        "--language-code", "en-US", "--media", f"MediaFileUri={region_media}")
    got = json.loads(aws(server, "--region", "us-west-2", "get-transcription-job",
                         "--transcription-job-name", name).stdout)["TranscriptionJob"]
    assert got["TranscriptionJobName"] == name
    elsewhere = aws(server, "--region", "eu-central-1", "get-transcription-job", "--transcription-job-name", name,
                    check=False)
    assert elsewhere.returncode != 0 and "NotFoundException" in elsewhere.stderr
    server.wait_for_job(server.client(region="us-west-2"), name)


def test_not_a_region_is_refused(server):
    with pytest.raises(ClientError) as refused:
        server.client(region="mars-north-1").list_transcription_jobs()
    error = refused.value.response["Error"]
    assert error["Code"] == "InvalidSignatureException" and "mars-north-1" in error["Message"]


def test_language_models_are_scoped_by_region(server, eval_dir, tmp_path):
    account = server.credentials["account_id"]
    bucket = server.bucket("region-clm")
    lines = (eval_dir / "biomed-tts/train.txt").read_text().splitlines()
    (bucket / "train").mkdir(exist_ok=True)
    (bucket / "train/part.txt").write_text("\n".join(lines[:400]) + "\n")
    # Amazon's guide: the trust policy names the region the model is created in.
    role = create_role(server.data_dir, tmp_path, "OregonCLMRole", trust_policy(account, "us-west-2"),
                       read_policy("region-clm"))
    oregon, ireland = server.client(region="us-west-2"), server.client(region="eu-west-1")
    name = unique("oregon-clm")
    config = {"S3Uri": "s3://region-clm/train/", "DataAccessRoleArn": role}
    oregon.create_language_model(LanguageCode="en-US", BaseModelName="WideBand", ModelName=name, InputDataConfig=config)
    # The role trusts Transcribe in us-west-2 only: a model in eu-west-1 is refused.
    with pytest.raises(ClientError) as untrusted:
        ireland.create_language_model(LanguageCode="en-US", BaseModelName="WideBand", ModelName=name,
                                      InputDataConfig=config)
    assert untrusted.value.response["Error"]["Code"] == "BadRequestException"
    assert wait_for_model(oregon, name)["ModelStatus"] == "COMPLETED"
    assert name in [m["ModelName"] for m in oregon.list_language_models(NameContains=name)["Models"]]
    assert ireland.list_language_models(NameContains=name)["Models"] == []
    with pytest.raises(ClientError) as missing:
        ireland.describe_language_model(ModelName=name)
    assert missing.value.response["Error"]["Code"] == "NotFoundException"
    oregon.delete_language_model(ModelName=name)


def test_region_allow_list(fresh_server):
    fresh_server.env["JARGONAUT_REGIONS"] = "us-west-2, eu-west-1"
    fresh_server.start()
    assert fresh_server.client(region="us-west-2").list_transcription_jobs()["TranscriptionJobSummaries"] == []
    with pytest.raises(ClientError) as refused:
        fresh_server.client(region="us-east-1").list_transcription_jobs()
    assert refused.value.response["Error"]["Code"] == "InvalidSignatureException"
    assert "us-east-1" in refused.value.response["Error"]["Message"]
