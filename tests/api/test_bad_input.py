"""Bad input found by a probe of a running server (issue 17, finding 3): each was a 500.

Every one must be a 4xx with an AWS error body (`__type` and a message), and the server
must keep answering afterwards.
"""
from __future__ import annotations

import base64
import json

import pytest

from tests.api.wire import assert_aws_error, signed_post

START = "Transcribe.StartTranscriptionJob"


def _token(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode()


CASES = [
    # (a) empty strings and lists below the model's minimum length
    ("Transcribe.GetTranscriptionJob", {"TranscriptionJobName": ""}, "length"),
    (START, {"TranscriptionJobName": "empty-uri", "LanguageCode": "en-US", "Media": {"MediaFileUri": ""}}, "length"),
    (START, {"TranscriptionJobName": "no-options", "IdentifyLanguage": True, "LanguageOptions": [],
             "Media": {"MediaFileUri": "s3://media/a.wav"}}, "length"),
    # (b) a Media structure without its URI
    (START, {"TranscriptionJobName": "empty-media", "LanguageCode": "en-US", "Media": {}}, "mediafileuri"),
    # (c) NextTokens whose number does not fit
    ("Transcribe.ListTranscriptionJobs", {"NextToken": _token('{"seq": 1e400}')}, "nexttoken is not valid"),
    ("Transcribe.ListTranscriptionJobs", {"NextToken": _token('{"seq": 12345678901234567890123}')}, "nexttoken is not valid"),
    ("Transcribe.ListLanguageModels", {"NextToken": _token('{"seq": -1e400}')}, "nexttoken is not valid"),
    # (d) nesting deeper than any parser recursion
    ("Transcribe.ListTranscriptionJobs", {"NextToken": _token("[" * 6000)}, "nexttoken is not valid"),
]


@pytest.mark.parametrize("target, params, fragment", CASES, ids=[
    "empty-name", "empty-uri", "empty-language-options", "empty-media", "token-inf", "token-23-digits",
    "token-minus-inf", "token-deep-nesting",
])
def test_bad_input_is_a_clean_aws_error(server, target, params, fragment):
    status, payload = signed_post(server, target, json.dumps(params).encode())
    assert_aws_error(status, payload)
    assert status == 400, payload
    assert fragment in payload["Message"].lower(), payload


def test_deeply_nested_body_is_a_serialization_error(server):
    body = b"[" * 100_000
    status, payload = signed_post(server, "Transcribe.ListTranscriptionJobs", body)
    assert_aws_error(status, payload)
    assert status == 400 and payload["__type"] == "SerializationException", payload
    body = b'{"TranscriptionJobName": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_001
    status, payload = signed_post(server, "Transcribe.GetTranscriptionJob", body)
    assert status == 400 and payload["__type"] == "SerializationException", payload


def test_server_still_healthy_after_bad_input(server):
    assert "TranscriptionJobSummaries" in server.client().list_transcription_jobs()
