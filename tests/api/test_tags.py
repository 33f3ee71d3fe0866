"""TagResource, UntagResource, ListTagsForResource and Tags at creation, through boto3 and the AWS CLI."""
from __future__ import annotations

import json
import shutil
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.api.test_aws_cli import aws
from tests.support.clm import create_role, read_policy, trust_policy, wait_for_model


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def tag_media(server, eval_dir) -> str:
    shutil.copy(eval_dir / "general/audio/jfk.flac", server.bucket("tag-media") / "jfk.flac")
    return "s3://tag-media/jfk.flac"


def _code(exc: pytest.ExceptionInfo) -> str:
    return exc.value.response["Error"]["Code"]


def test_job_tags_round_trip_with_boto3(server, tag_media):
    client = server.client(region="us-west-2")
    account = server.credentials["account_id"]
    name = unique("tagged")
    started = client.start_transcription_job(
        TranscriptionJobName=name, LanguageCode="en-US", Media={"MediaFileUri": tag_media},
        Tags=[{"Key": "project", "Value": "jargonaut"}, {"Key": "cost-center", "Value": "42"}],
    )["TranscriptionJob"]
    assert started["Tags"] == [{"Key": "cost-center", "Value": "42"}, {"Key": "project", "Value": "jargonaut"}]
    arn = f"arn:aws:transcribe:us-west-2:{account}:transcription-job/{name}"
    listed = client.list_tags_for_resource(ResourceArn=arn)
    assert listed["ResourceArn"] == arn and {t["Key"] for t in listed["Tags"]} == {"project", "cost-center"}
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": "project", "Value": "renamed"}, {"Key": "empty", "Value": ""}])
    client.untag_resource(ResourceArn=arn, TagKeys=["cost-center", "never-there"])
    assert client.list_tags_for_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "empty", "Value": ""}, {"Key": "project", "Value": "renamed"}]
    job = server.wait_for_job(client, name)
    assert job["Tags"] == [{"Key": "empty", "Value": ""}, {"Key": "project", "Value": "renamed"}]
    client.delete_transcription_job(TranscriptionJobName=name)
    with pytest.raises(ClientError) as gone:
        client.list_tags_for_resource(ResourceArn=arn)
    assert _code(gone) == "NotFoundException"


def test_tag_errors(server, tag_media):
    client = server.client(region="us-west-2")
    account = server.credentials["account_id"]
    name = unique("tag-errors")
    client.start_transcription_job(TranscriptionJobName=name, LanguageCode="en-US", Media={"MediaFileUri": tag_media})
    arn = f"arn:aws:transcribe:us-west-2:{account}:transcription-job/{name}"
    with pytest.raises(ClientError) as reserved:
        client.tag_resource(ResourceArn=arn, Tags=[{"Key": "aws:owner", "Value": "x"}])
    assert _code(reserved) == "BadRequestException" and "reserved" in reserved.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as other_region:  # the same job seen from another region's endpoint
        server.client(region="eu-west-1").list_tags_for_resource(ResourceArn=arn)
    assert _code(other_region) == "NotFoundException"
    with pytest.raises(ClientError) as other_account:
        client.list_tags_for_resource(ResourceArn=arn.replace(account, "999999999999" if account != "999999999999" else "111111111111"))
    assert _code(other_account) == "NotFoundException"
    with pytest.raises(ClientError) as other_kind:
        client.list_tags_for_resource(ResourceArn=f"arn:aws:transcribe:us-west-2:{account}:call-analytics-job/calls")
    assert _code(other_kind) == "BadRequestException"
    with pytest.raises(ClientError) as no_vocabulary:
        client.list_tags_for_resource(ResourceArn=f"arn:aws:transcribe:us-west-2:{account}:vocabulary/none-such")
    assert _code(no_vocabulary) == "NotFoundException"
    with pytest.raises(ClientError) as missing:
        client.tag_resource(ResourceArn=f"arn:aws:transcribe:us-west-2:{account}:transcription-job/none-such",
                            Tags=[{"Key": "k", "Value": "v"}])
    assert _code(missing) == "NotFoundException"
    with pytest.raises(ClientError) as too_many:
        client.tag_resource(ResourceArn=arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(150)])
        client.tag_resource(ResourceArn=arn, Tags=[{"Key": f"j{i}", "Value": "v"} for i in range(60)])
    assert _code(too_many) == "BadRequestException"
    assert len(client.list_tags_for_resource(ResourceArn=arn)["Tags"]) == 150
    server.wait_for_job(client, name)


def test_language_model_tags_with_the_aws_cli(server, eval_dir, tmp_path):
    account = server.credentials["account_id"]
    bucket = server.bucket("tag-clm")
    (bucket / "train").mkdir(exist_ok=True)
    lines = (eval_dir / "biomed-tts/train.txt").read_text().splitlines()
    (bucket / "train/part.txt").write_text("\n".join(lines[:300]) + "\n")
    role = create_role(server.data_dir, tmp_path, "TagCLMRole", trust_policy(account), read_policy("tag-clm"))
    name = unique("tagged-clm")
    aws(server, "create-language-model", "--language-code", "en-US", "--base-model-name", "WideBand",
        "--model-name", name, "--input-data-config", f"S3Uri=s3://tag-clm/train/,DataAccessRoleArn={role}",
        "--tags", "Key=domain,Value=biomed")
    arn = f"arn:aws:transcribe:us-east-1:{account}:language-model/{name}"
    listed = json.loads(aws(server, "list-tags-for-resource", "--resource-arn", arn).stdout)
    assert listed == {"ResourceArn": arn, "Tags": [{"Key": "domain", "Value": "biomed"}]}
    aws(server, "tag-resource", "--resource-arn", arn, "--tags", "Key=owner,Value=clinic")
    aws(server, "untag-resource", "--resource-arn", arn, "--tag-keys", "domain")
    listed = json.loads(aws(server, "list-tags-for-resource", "--resource-arn", arn).stdout)
    assert listed["Tags"] == [{"Key": "owner", "Value": "clinic"}]
    assert wait_for_model(server.client(), name)["ModelStatus"] == "COMPLETED"
    aws(server, "delete-language-model", "--model-name", name)


@pytest.mark.parametrize("kind", ["vocabulary", "vocabulary-filter"])
def test_vocabulary_and_filter_tags(server, kind):
    """Tags given at creation are stored and listed; TagResource / UntagResource change them; they go
    with the resource."""
    client = server.client(region="us-west-2")
    account = server.credentials["account_id"]
    name = unique(kind)
    tags = [{"Key": "team", "Value": "radiology"}, {"Key": "env", "Value": "prod"}]
    if kind == "vocabulary":
        client.create_vocabulary(VocabularyName=name, LanguageCode="en-US", Phrases=["Olaparib"], Tags=tags)
    else:
        client.create_vocabulary_filter(VocabularyFilterName=name, LanguageCode="en-US", Words=["darn"], Tags=tags)
    arn = f"arn:aws:transcribe:us-west-2:{account}:{kind}/{name}"
    assert client.list_tags_for_resource(ResourceArn=arn)["Tags"] == sorted(tags, key=lambda t: t["Key"])
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"}, {"Key": "owner", "Value": "ana"}])
    client.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert client.list_tags_for_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "env", "Value": "dev"}, {"Key": "owner", "Value": "ana"}]
    with pytest.raises(ClientError) as reserved:  # the same rules as on jobs, at creation too
        if kind == "vocabulary":
            client.create_vocabulary(VocabularyName=unique("reserved"), LanguageCode="en-US", Phrases=["x"],
                                     Tags=[{"Key": "aws:x", "Value": "y"}])
        else:
            client.create_vocabulary_filter(VocabularyFilterName=unique("reserved"), LanguageCode="en-US", Words=["x"],
                                            Tags=[{"Key": "aws:x", "Value": "y"}])
    assert _code(reserved) == "BadRequestException"
    if kind == "vocabulary":
        client.delete_vocabulary(VocabularyName=name)
    else:
        client.delete_vocabulary_filter(VocabularyFilterName=name)
    with pytest.raises(ClientError) as gone:
        client.list_tags_for_resource(ResourceArn=arn)
    assert _code(gone) == "NotFoundException"
