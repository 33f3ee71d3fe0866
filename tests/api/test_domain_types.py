"""The domain types against botocore's Transcribe model: every field names a real member, no input
member is left without a field (it would be dropped silently), and requests survive the trip from
AWS dictionaries to domain objects and back."""
from __future__ import annotations

import dataclasses
import typing

import pytest

from jargonaut.api.handlers import HANDLERS
from jargonaut.api.protocol import service_model
from jargonaut.domain.members import from_members, member_path, to_members

MODEL = service_model()


def _dataclass_of(hint: typing.Any) -> type | None:
    for candidate in (hint, *typing.get_args(hint), *(a for h in typing.get_args(hint) for a in typing.get_args(h))):
        if isinstance(candidate, type) and dataclasses.is_dataclass(candidate):
            return candidate
    return None


def _check(cls: type, shape, require_all_members: bool) -> None:
    """Every field of `cls` is a member of `shape` (recursively); optionally every member is a field."""
    hints = typing.get_type_hints(cls)
    covered: set[tuple[str, ...]] = set()
    for field in dataclasses.fields(cls):
        path = member_path(field)
        target = shape
        for key in path:
            assert target.type_name == "structure" and key in target.members, f"{cls.__name__}.{field.name}: {path}"
            target = target.members[key]
        covered.add(path)
        nested = _dataclass_of(hints[field.name])
        if nested is not None:
            _check(nested, target.member if target.type_name == "list" else target, require_all_members)
    if require_all_members:
        top = {path[0] for path in covered}
        missing = [m for m in shape.members if m not in top]
        assert not missing, f"{cls.__name__} drops {missing}"


@pytest.mark.parametrize("operation", sorted(HANDLERS))
def test_each_request_type_maps_every_member_of_its_input(operation):
    request_type, _ = HANDLERS[operation]
    _check(request_type, MODEL.operation_model(operation).input_shape, require_all_members=True)


@pytest.mark.parametrize("operation", sorted(HANDLERS))
def test_each_result_type_names_members_of_its_output(operation):
    handler = HANDLERS[operation][1]
    result = typing.get_type_hints(handler)["return"]
    output = MODEL.operation_model(operation).output_shape
    if result is type(None):
        assert output is None or not output.members
        return
    # A result named like a model shape (TranscriptionJob, LanguageModel) is checked against that shape
    # (the wire wraps it, or keeps the output's members of it); a result that Create, Update and Get
    # share against Get's output, the fullest (the others leave the members they lack None, so
    # absent); a page against the output itself.
    if result.__name__ in MODEL.shape_names:
        shape = MODEL.shape_for(result.__name__)
    elif result.__name__ in DESCRIBED_BY:
        shape = MODEL.operation_model(DESCRIBED_BY[result.__name__]).output_shape
    else:
        shape = output
    _check(result, shape, require_all_members=False)


DESCRIBED_BY = {"Vocabulary": "GetVocabulary", "VocabularyFilter": "GetVocabularyFilter"}


EXAMPLES = {
    "StartTranscriptionJob": {
        "TranscriptionJobName": "j", "LanguageCode": "en-US", "Media": {"MediaFileUri": "s3://b/a.wav"},
        "ModelSettings": {"LanguageModelName": "m"}, "Settings": {"ShowAlternatives": True, "MaxAlternatives": 2},
        "Subtitles": {"Formats": ["srt", "vtt"], "OutputStartIndex": 1}, "Tags": [{"Key": "k", "Value": "v"}],
        "OutputBucketName": "out", "OutputKey": "x/", "ContentRedaction": {"RedactionType": "PII"},
    },
    "CreateLanguageModel": {
        "ModelName": "m", "LanguageCode": "en-US", "BaseModelName": "WideBand",
        "InputDataConfig": {"S3Uri": "s3://b/t/", "TuningDataS3Uri": "s3://b/u/", "DataAccessRoleArn": "arn:r"},
    },
    "ListTranscriptionJobs": {"Status": "COMPLETED", "JobNameContains": "a", "MaxResults": 5, "NextToken": "t"},
    "ListLanguageModels": {"StatusEquals": "FAILED", "NameContains": "a", "MaxResults": 5},
    "CreateVocabulary": {
        "VocabularyName": "v", "LanguageCode": "en-US", "Phrases": ["Los-Angeles", "F.B.I."],
        "Tags": [{"Key": "k", "Value": "v"}], "DataAccessRoleArn": "arn:r",
    },
    "UpdateVocabulary": {"VocabularyName": "v", "LanguageCode": "en-US", "VocabularyFileUri": "s3://b/v.txt"},
    "ListVocabularies": {"StateEquals": "READY", "NameContains": "v", "MaxResults": 3, "NextToken": "t"},
    "CreateVocabularyFilter": {
        "VocabularyFilterName": "f", "LanguageCode": "en-US", "Words": ["darn"], "Tags": [{"Key": "k", "Value": ""}],
    },
    "UpdateVocabularyFilter": {"VocabularyFilterName": "f", "VocabularyFilterFileUri": "s3://b/f.txt"},
    "ListVocabularyFilters": {"NameContains": "f", "MaxResults": 2},
    "TagResource": {"ResourceArn": "arn:aws:transcribe:us-east-1:1:vocabulary/v", "Tags": [{"Key": "a", "Value": "b"}]},
    "UntagResource": {"ResourceArn": "arn:aws:transcribe:us-east-1:1:vocabulary/v", "TagKeys": ["a", "b"]},
    "Subtitles without formats": {"TranscriptionJobName": "j", "Media": {"MediaFileUri": "s3://b/a"}, "Subtitles": {}},
}


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_requests_survive_the_trip_to_domain_objects_and_back(example):
    operation = example.split()[0] if example.split()[0] in HANDLERS else "StartTranscriptionJob"
    request = from_members(HANDLERS[operation][0], EXAMPLES[example])
    assert to_members(request) == EXAMPLES[example]
