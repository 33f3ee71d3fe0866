"""Transcribe resource ARNs, written as Amazon writes them."""
from __future__ import annotations

import re
from dataclasses import dataclass

from jargonaut.errors import BadRequestError
from jargonaut.regions import partition_of

TRANSCRIPTION_JOB = "transcription-job"
LANGUAGE_MODEL = "language-model"
VOCABULARY = "vocabulary"
VOCABULARY_FILTER = "vocabulary-filter"
TAGGABLE = (TRANSCRIPTION_JOB, LANGUAGE_MODEL, VOCABULARY, VOCABULARY_FILTER)
_ARN = re.compile(r"^arn:(?P<partition>aws[a-z-]*):transcribe:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
                  r"(?P<kind>[a-z-]+)/(?P<name>[0-9a-zA-Z._-]+)$")


@dataclass(frozen=True)
class ResourceArn:
    partition: str
    region: str
    account_id: str
    kind: str  # transcription-job | language-model | vocabulary | vocabulary-filter
    name: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:transcribe:{self.region}:{self.account_id}:{self.kind}/{self.name}"


def resource_arn(kind: str, account_id: str, region: str, name: str) -> str:
    return str(ResourceArn(partition_of(region) or "aws", region, account_id, kind, name))


def parse_arn(arn: str) -> ResourceArn:
    match = _ARN.match(arn)
    if not match or partition_of(match["region"]) != match["partition"]:
        raise BadRequestError(
            f"The ARN {arn} is not a valid Transcribe resource ARN; expected "
            "arn:aws:transcribe:<region>:<account>:transcription-job/<name> (or language-model/, vocabulary/, "
            "vocabulary-filter/)."
        )
    if match["kind"] not in TAGGABLE:
        raise BadRequestError(f"Tags on {match['kind']} resources are not supported by this server.")
    return ResourceArn(match["partition"], match["region"], match["account"], match["kind"], match["name"])
