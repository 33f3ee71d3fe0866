"""Schema, in SQLAlchemy Core so SQLite and PostgreSQL share it.

The current shape only: the database itself is made and upgraded by the Alembic revisions in
`migrations/versions` (a change here needs a new revision there; docs/ARCHITECTURE.md says how).
"""
from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Float, Integer, MetaData, String, Table, Text

metadata = MetaData()

accounts = Table(
    "accounts",
    metadata,
    Column("account_id", String(12), primary_key=True),
    Column("access_key_id", String(128), unique=True, nullable=False),
    Column("secret_access_key", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

transcription_jobs = Table(
    "transcription_jobs",
    metadata,
    # Scoped like Amazon's: the same name may exist in another account or region.
    Column("account_id", String(12), primary_key=True),
    Column("region", String(32), primary_key=True),
    Column("name", String(200), primary_key=True),
    Column("status", String(16), nullable=False, index=True),
    # Monotonic sequence for stable newest-first pagination
    Column("seq", Integer, nullable=False, index=True),
    Column("created_at", Float, nullable=False),
    Column("started_at", Float),
    Column("completed_at", Float),
    Column("failure_reason", Text),
    Column("language_model_name", String(200)),
    # The validated request (JSON) and where the transcript went
    Column("request", Text, nullable=False),
    Column("output_location", Text),
    Column("output_location_type", String(16)),
    Column("attempts", Integer, nullable=False, default=0),
    Column("tags", Text),  # JSON object, key -> value
    # Lease (jargonaut/service/leases.py): the node that holds the work, until when, and the fencing
    # token every write of the holder must match (raised whenever the work changes hands)
    Column("lease_owner", String(128)),
    Column("lease_expires", Float),
    Column("fence", BigInteger, nullable=False, server_default="0"),
)

language_models = Table(
    "language_models",
    metadata,
    Column("account_id", String(12), primary_key=True),
    Column("region", String(32), primary_key=True),
    Column("name", String(200), primary_key=True),
    Column("status", String(16), nullable=False, index=True),
    Column("seq", Integer, nullable=False, index=True),
    Column("language_code", String(16), nullable=False),
    Column("base_model_name", String(16), nullable=False),
    Column("base_model_version", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("modified_at", Float, nullable=False),
    Column("failure_reason", Text),
    Column("input_data_config", Text, nullable=False),
    # Artefact file, relative to DATA_DIR; a new name per training so readers never see a swap
    Column("artefact", Text),
    Column("report", Text),
    Column("attempts", Integer, nullable=False, default=0),
    Column("tags", Text),  # JSON object, key -> value
    # Lease (jargonaut/service/leases.py): the node that holds the work, until when, and the fencing
    # token every write of the holder must match (raised whenever the work changes hands)
    Column("lease_owner", String(128)),
    Column("lease_expires", Float),
    Column("fence", BigInteger, nullable=False, server_default="0"),
)

# Roles are IAM resources: global in AWS, so scoped by account only.
roles = Table(
    "roles",
    metadata,
    Column("account_id", String(12), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("arn", String(2048), nullable=False, unique=True),
    Column("trust_policy", Text, nullable=False),
    Column("policies", Text, nullable=False),  # JSON list of IAM policy documents
    Column("s3_access_key_id", String(128)),
    Column("s3_secret_access_key", String(128)),
    Column("created_at", Float, nullable=False),
)

# Bucket ownership (both backends): one owning account per bucket name, and its bucket policy.
buckets = Table(
    "buckets",
    metadata,
    Column("name", String(63), primary_key=True),
    Column("account_id", String(12), nullable=False, index=True),
    Column("policy", Text),  # JSON bucket policy document, or NULL
    Column("created_at", Float, nullable=False),
)

# Listing sequence numbers ("<table>.seq"), handed out by an atomic UPDATE on every backend.
counters = Table(
    "counters",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

# Live real-time streams, on every node: the per-account stream limit counts these rows.
stream_leases = Table(
    "stream_leases",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("account_id", String(12), nullable=False, index=True),
    Column("node", String(128), nullable=False, index=True),
    Column("expires", Float, nullable=False),
)

# Custom vocabulary filters: ready at once (no state); the words as a JSON list, the file as sent.
vocabulary_filters = Table(
    "vocabulary_filters",
    metadata,
    Column("account_id", String(12), primary_key=True),
    Column("region", String(32), primary_key=True),
    Column("name", String(200), primary_key=True),
    Column("seq", Integer, nullable=False, index=True),
    Column("language_code", String(16), nullable=False),
    Column("words", Text, nullable=False),
    Column("data_access_role_arn", String(2048)),
    Column("modified_at", Float, nullable=False),
    Column("tags", Text),  # JSON object, key -> value
)

# Custom vocabularies: PENDING -> READY | FAILED; entries as a JSON list of table rows.
vocabularies = Table(
    "vocabularies",
    metadata,
    Column("account_id", String(12), primary_key=True),
    Column("region", String(32), primary_key=True),
    Column("name", String(200), primary_key=True),
    Column("seq", Integer, nullable=False, index=True),
    Column("language_code", String(16), nullable=False),
    Column("state", String(16), nullable=False, index=True),
    Column("failure_reason", Text),
    Column("source", Text),  # the request's Phrases or VocabularyFileUri (JSON), processed on the executor
    Column("entries", Text),  # JSON list of {"Phrase", "SoundsLike", "IPA", "DisplayAs"} once READY
    Column("data_access_role_arn", String(2048)),
    Column("modified_at", Float, nullable=False),
    Column("tags", Text),  # JSON object, key -> value
    # Lease on the PENDING processing, as on jobs (jargonaut/service/leases.py)
    Column("lease_owner", String(128)),
    Column("lease_expires", Float),
    Column("fence", BigInteger, nullable=False, server_default="0"),
)

# Every node's heartbeat and the tag of its scratch directories (service/workdirs.py).
nodes = Table(
    "nodes",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("tag", String(128), nullable=False),
    Column("expires", Float, nullable=False),
)
