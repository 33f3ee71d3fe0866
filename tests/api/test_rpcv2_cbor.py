"""Smithy RPC v2 CBOR, the protocol botocore's transcribe model lists first, through botocore's own
RpcV2CBORSerializer and parser (a boto3 client whose model offers only that protocol)."""
from __future__ import annotations

import datetime as dt
import json
import shutil
import urllib.error
import urllib.request
import uuid

import boto3
import botocore.session
import cbor2
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def cbor_client_factory(server, tmp_path_factory):
    """boto3 clients that speak RPC v2 CBOR: the same transcribe model with `protocols` narrowed to it."""
    session = botocore.session.get_session()
    loader = session.get_component("data_loader")
    version = loader.determine_latest_version("transcribe", "service-2")
    model = loader.load_service_model("transcribe", "service-2", version)
    model["metadata"]["protocols"] = ["smithy-rpc-v2-cbor"]
    model["metadata"]["protocol"] = "smithy-rpc-v2-cbor"
    data = tmp_path_factory.mktemp("botocore-data")
    target = data / "transcribe" / version
    target.mkdir(parents=True)
    (target / "service-2.json").write_text(json.dumps(model))
    loader.search_paths.insert(0, str(data))
    creds = server.credentials

    def make(region: str = "us-east-1", validate: bool = True):
        client = boto3.Session(botocore_session=session).client(
            "transcribe", endpoint_url=server.endpoint, region_name=region,
            aws_access_key_id=creds["access_key_id"], aws_secret_access_key=creds["secret_access_key"],
            config=Config(retries={"max_attempts": 1}, parameter_validation=validate))
        assert client.meta.service_model.resolved_protocol == "smithy-rpc-v2-cbor"
        return client

    return make


def _requests(client) -> list[dict]:
    seen: list[dict] = []
    client.meta.events.register("before-send.transcribe", lambda request, **_: seen.append(
        {"url": request.url, "headers": dict(request.headers), "body": request.body}))
    return seen


def test_job_lifecycle_over_cbor(server, eval_dir, cbor_client_factory):
    shutil.copy(eval_dir / "general/audio/jfk.flac", server.bucket("cbor-media") / "jfk.flac")
    client = cbor_client_factory("us-west-2")
    seen = _requests(client)
    name = unique("cbor")
    started = client.start_transcription_job(
        TranscriptionJobName=name, LanguageCode="en-US", Media={"MediaFileUri": "s3://cbor-media/jfk.flac"},
        Tags=[{"Key": "wire", "Value": "cbor"}])["TranscriptionJob"]
    assert seen[0]["url"].endswith("/service/Transcribe/operation/StartTranscriptionJob")
    assert seen[0]["headers"]["smithy-protocol"] in ("rpc-v2-cbor", b"rpc-v2-cbor")
    assert cbor2.loads(seen[0]["body"])["TranscriptionJobName"] == name  # the body really is CBOR
    assert isinstance(started["CreationTime"], dt.datetime)  # tag 1 parsed as a timestamp
    job = server.wait_for_job(client, name)
    assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
    assert job["CompletionTime"] >= job["StartTime"] >= job["CreationTime"]
    assert job["Tags"] == [{"Key": "wire", "Value": "cbor"}]
    transcript = json.loads(urllib.request.urlopen(job["Transcript"]["TranscriptFileUri"]).read())
    assert "country" in transcript["results"]["transcripts"][0]["transcript"].lower()
    listed = client.list_transcription_jobs(JobNameContains=name)["TranscriptionJobSummaries"]
    assert [s["TranscriptionJobName"] for s in listed] == [name]
    arn = f"arn:aws:transcribe:us-west-2:{server.credentials['account_id']}:transcription-job/{name}"
    assert client.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "wire", "Value": "cbor"}]
    client.delete_transcription_job(TranscriptionJobName=name)


def test_errors_over_cbor(server, cbor_client_factory):
    client = cbor_client_factory()
    with pytest.raises(ClientError) as missing:
        client.get_transcription_job(TranscriptionJobName="no-such-job")
    assert missing.value.response["Error"]["Code"] == "NotFoundException"
    assert "couldn't be found" in missing.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as invalid:  # the server validates against the model too
        cbor_client_factory(validate=False).start_transcription_job(TranscriptionJobName="x", LanguageCode="en-US",
                                       Media={"MediaFileUri": "s3://b/k.wav"}, MediaSampleRateHertz=4000)
    assert invalid.value.response["Error"]["Code"] == "BadRequestException"
    assert "MediaSampleRateHertz" in invalid.value.response["Error"]["Message"]


def _raw(server, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict, dict]:
    creds = server.credentials
    request = AWSRequest(method="POST", url=f"{server.endpoint}{path}", data=body, headers=headers)
    SigV4Auth(Credentials(creds["access_key_id"], creds["secret_access_key"]), "transcribe", "us-east-1").add_auth(request)
    prepared = request.prepare()
    try:
        with urllib.request.urlopen(urllib.request.Request(prepared.url, data=body, headers=dict(prepared.headers),
                                                           method="POST")) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, cbor2.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, cbor2.loads(err.read())


def test_protocol_errors_are_cbor(server):
    cbor = {"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor", "Accept": "application/cbor"}
    status, headers, body = _raw(server, "/service/Transcribe/operation/ListTranscriptionJobs", b"\xff\x00", cbor)
    assert status == 400 and body["__type"] == "com.amazonaws.transcribe#SerializationException"
    assert headers["smithy-protocol"] == "rpc-v2-cbor" and headers["content-type"] == "application/cbor"
    status, _, body = _raw(server, "/service/Transcribe/operation/NoSuchOperation", cbor2.dumps({}), cbor)
    assert status == 400 and body["__type"].endswith("#UnknownOperationException")
    status, _, body = _raw(server, "/service/Transcribe/operation/ListTranscriptionJobs", cbor2.dumps({}),
                           {"Content-Type": "application/cbor"})
    assert status == 400 and "smithy-protocol" in body["message"]
    status, _, body = _raw(server, "/service/Transcribe/operation/ListTranscriptionJobs", b"", cbor)
    assert status == 200 and isinstance(body["TranscriptionJobSummaries"], list)
