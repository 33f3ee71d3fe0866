"""A data directory from before regions starts: its jobs and models land in the configured region."""
from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError
from sqlalchemy import MetaData, Table, create_engine, insert

from jargonaut.store.tables import language_models, transcription_jobs


def _old_schema(metadata: MetaData) -> tuple[Table, Table]:
    """The tables as they were: keyed by (account, name), no region, no tags."""
    def without_regions(table: Table) -> Table:
        return Table(table.name, metadata, *[c._copy() for c in table.columns if c.name not in ("region", "tags")])

    return without_regions(transcription_jobs), without_regions(language_models)


def test_old_database_is_upgraded_in_place(fresh_server):
    fresh_server.data_dir.mkdir(parents=True)
    engine = create_engine(f"sqlite:///{fresh_server.data_dir / 'jargonaut.db'}")
    metadata = MetaData()
    old_jobs, old_models = _old_schema(metadata)
    metadata.create_all(engine)
    now = time.time()
    with engine.begin() as conn:
        conn.execute(insert(old_jobs).values(
            account_id="123456789012", name="old-job", status="FAILED", seq=1, created_at=now, started_at=now,
            completed_at=now, failure_reason="from before", attempts=1,
            request=json.dumps({"TranscriptionJobName": "old-job", "LanguageCode": "en-US",
                                "Media": {"MediaFileUri": "s3://m/a.wav"}}),
            output_location=json.dumps({"path": "transcripts/123456789012/old-job.json"}),
            output_location_type="SERVICE_BUCKET"))
        conn.execute(insert(old_models).values(
            account_id="123456789012", name="old-model", status="FAILED", seq=1, language_code="en-US",
            base_model_name="WideBand", base_model_version=1, created_at=now, modified_at=now,
            failure_reason="from before", input_data_config=json.dumps({"S3Uri": "s3://d/", "DataAccessRoleArn": "r"}),
            attempts=1))
    engine.dispose()
    (fresh_server.data_dir / "credentials.json").write_text(json.dumps(
        {"account_id": "123456789012", "access_key_id": "AKIAOLDSCHEMA0000001", "secret_access_key": "s" * 40}))
    fresh_server.env["JARGONAUT_REGION"] = "eu-west-1"  # the one region the old server accepted
    fresh_server.start()

    ireland = fresh_server.client(region="eu-west-1")
    job = ireland.get_transcription_job(TranscriptionJobName="old-job")["TranscriptionJob"]
    assert job["FailureReason"] == "from before"
    assert ireland.describe_language_model(ModelName="old-model")["LanguageModel"]["FailureReason"] == "from before"
    arn = "arn:aws:transcribe:eu-west-1:123456789012:transcription-job/old-job"
    ireland.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}])
    assert ireland.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "k", "Value": "v"}]
    with pytest.raises(ClientError):
        fresh_server.client(region="us-east-1").get_transcription_job(TranscriptionJobName="old-job")
    # The same name can now exist in another region.
    oregon = fresh_server.client(region="us-west-2")
    with pytest.raises(ClientError) as missing:
        oregon.describe_language_model(ModelName="old-model")
    assert missing.value.response["Error"]["Code"] == "NotFoundException"
    fresh_server.stop()
    fresh_server.start()  # and a second start leaves it as it is
    assert ireland.get_transcription_job(TranscriptionJobName="old-job")["TranscriptionJob"]["TranscriptionJobName"] == "old-job"


def test_database_from_before_alembic_keeps_its_rows_and_queued_jobs_run(fresh_server):
    """The release before Alembic made its tables with create_all: no version table, no leases.
    Its rows stay, and a job it left QUEUED (no lease owner) is run by the upgraded server."""
    from jargonaut.store.tables import metadata as current

    fresh_server.data_dir.mkdir(parents=True)
    engine = create_engine(f"sqlite:///{fresh_server.data_dir / 'jargonaut.db'}")
    metadata = MetaData()
    lease_columns = ("lease_owner", "lease_expires", "fence")
    for table in current.tables.values():
        if table.name not in ("counters", "stream_leases", "nodes"):  # tables added by later revisions
            Table(table.name, metadata, *[c._copy() for c in table.columns if c.name not in lease_columns])
    metadata.create_all(engine)
    now = time.time()
    with engine.begin() as conn:
        for seq, (name, status) in enumerate([("done", "FAILED"), ("left-queued", "QUEUED")], start=41):
            conn.execute(insert(metadata.tables["transcription_jobs"]).values(
                account_id="123456789012", region="us-east-1", name=name, status=status, seq=seq, created_at=now,
                failure_reason="from before" if status == "FAILED" else None, attempts=0, tags="{}",
                request=json.dumps({"TranscriptionJobName": name, "LanguageCode": "en-US",
                                    "Media": {"MediaFileUri": "s3://nowhere/a.wav"}}),
                output_location=json.dumps({"path": f"transcripts/123456789012/us-east-1/{name}.json"}),
                output_location_type="SERVICE_BUCKET"))
    engine.dispose()
    (fresh_server.data_dir / "credentials.json").write_text(json.dumps(
        {"account_id": "123456789012", "access_key_id": "AKIAOLDSCHEMA0000002", "secret_access_key": "s" * 40}))
    client = fresh_server.start().client()

    assert client.get_transcription_job(TranscriptionJobName="done")["TranscriptionJob"]["FailureReason"] == "from before"
    job = fresh_server.wait_for_job(client, "left-queued", timeout=60)
    assert job["TranscriptionJobStatus"] == "FAILED" and "nowhere" in job["FailureReason"]  # it ran: the media is missing
    client.start_transcription_job(TranscriptionJobName="new", LanguageCode="en-US",
                                   Media={"MediaFileUri": "s3://nowhere/b.wav"})
    listed = [s["TranscriptionJobName"] for s in client.list_transcription_jobs()["TranscriptionJobSummaries"]]
    assert listed == ["new", "left-queued", "done"], "new jobs list after the old ones (the counter starts above them)"
