"""Fuzz every operation in botocore's Transcribe model against a real server (issue 17, finding 3).

Signed requests with generated bodies (tests/api/shape_strategies.py) and hand-made
corruptions. Whatever the input: no 5xx, no hang, every non-2xx an AWS error body whose
`__type` the operation can raise, and the server healthy afterwards. Bounded and
derandomised: the same examples every run.
"""
from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request

import botocore.session
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from jargonaut.api.operations import operation_names
from tests.api.shape_strategies import request_params
from tests.api.wire import assert_aws_error, post, signed_headers, signed_post
from tests.support.server import make_server

MODEL = botocore.session.get_session().get_service_model("transcribe")
# The ones we implement reach validation and the services; the rest must refuse cleanly.
EXAMPLES_IMPLEMENTED, EXAMPLES_OTHER = 40, 4
REQUEST_TIMEOUT_S = 30
# Errors any operation may answer: the protocol's own, and NotFoundException, which this server
# (deliberately, tests/api/test_jobs.py) also answers for deleting what does not exist.
COMMON_ERRORS = {
    "SerializationException", "UnknownOperationException", "ValidationException", "AccessDeniedException",
    "RequestEntityTooLargeException", "NotFoundException",
}


# Creating operations first, so later reads and deletes meet something.
OPERATIONS = sorted(MODEL.operation_names, key=lambda name: (not name.startswith(("Start", "Create")), name))
# Requests that must get through to the services (the generated ones rarely combine all it takes).
EXPLICIT = {
    "StartTranscriptionJob": [
        {"TranscriptionJobName": "fuzz-plain", "LanguageCode": "en-US", "Media": {"MediaFileUri": "s3://media/a.wav"}},
        {"TranscriptionJobName": "fuzz-identify", "IdentifyLanguage": True, "LanguageOptions": ["en-US", "en-GB"],
         "Media": {"MediaFileUri": "s3://media/a.wav"}, "OutputKey": "out/x.json"},
    ],
    "GetTranscriptionJob": [{"TranscriptionJobName": "fuzz-plain"}],
    "ListTranscriptionJobs": [{"Status": "FAILED", "MaxResults": 1}],
}


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory):
    srv = make_server(tmp_path_factory.mktemp("fuzz")).start()
    srv.bucket("media")
    yield srv
    srv.stop()


def _check(op_name: str, status: int, payload) -> None:
    assert status < 500, (op_name, status, payload)
    if status < 300:
        assert isinstance(payload, dict), (op_name, payload)
        return
    assert_aws_error(status, payload)
    allowed = COMMON_ERRORS | {e.name for e in MODEL.operation_model(op_name).error_shapes}
    assert payload["__type"] in allowed, (op_name, payload)


def _healthy(server) -> None:
    with urllib.request.urlopen(f"{server.endpoint}/healthz", timeout=5) as response:
        assert response.status == 200
    assert "TranscriptionJobSummaries" in server.client().list_transcription_jobs()
    assert "Traceback" not in server.log_path.read_text(errors="replace"), "the server logged a traceback"


@pytest.mark.slow
@pytest.mark.parametrize("op_name", OPERATIONS)
def test_generated_requests_get_clean_answers(fuzz_server, op_name):
    op = MODEL.operation_model(op_name)
    examples = EXAMPLES_IMPLEMENTED if op_name in operation_names() else EXAMPLES_OTHER

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(request_params(op))
    def probe(params) -> None:
        body = json.dumps(params).encode()
        status, payload = signed_post(fuzz_server, f"Transcribe.{op_name}", body, timeout=REQUEST_TIMEOUT_S)
        _check(op_name, status, payload)

    for params in EXPLICIT.get(op_name, []):
        probe = example(params)(probe)
    probe()
    _healthy(fuzz_server)


def _token(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


BAD_TOKENS = [
    "", "not base64!", "====", _token(b"not json"), _token(b"[]"), _token(b"null"), _token(b'{"seq": "1"}'),
    _token(b'{"seq": true}'), _token(b'{"seq": null}'), _token(b'{"seq": 0}'), _token(b'{"seq": -5}'),
    _token(b'{"seq": 1.5}'), _token(b'{"seq": NaN}'), _token(b'{"seq": 1e400}'), _token(b'{"seq": 99999999999999999999999}'),
    _token(b"\xff\xfe\x00"), _token(b"[" * 6000), _token(b'{"seq": ' + b"9" * 5000 + b"}"),
]
BAD_BODIES = [
    b"{", b"}", b"[]", b"null", b"42", b'"text"', b"\xff\xfe{}", b"\xef\xbb\xbf{}", b"{\x00}", b'{"a": NaN}',
    b'{"MaxResults": 1e400}', b'{"MaxResults": ' + b"9" * 5000 + b"}", b'{"MaxResults": -Infinity}',
    b"[" * 100_000, b'{"a":' * 100_000, b'{"NextToken": "x", "NextToken": 5}', b"\x00" * 1000,
    "{\"JobNameContains\": \"\udcff\"}".encode("utf-8", "surrogatepass"),
]
LISTINGS = ["ListTranscriptionJobs", "ListLanguageModels", "ListVocabularyFilters", "ListVocabularies"]


@pytest.mark.parametrize("op_name", LISTINGS)
def test_corrupt_next_tokens(fuzz_server, op_name):
    for token in BAD_TOKENS:
        status, payload = signed_post(
            fuzz_server, f"Transcribe.{op_name}", json.dumps({"NextToken": token}).encode(), timeout=REQUEST_TIMEOUT_S
        )
        _check(op_name, status, payload)
        assert status == 400, (token[:40], payload)
    _healthy(fuzz_server)


@pytest.mark.parametrize("op_name", ["ListTranscriptionJobs", "StartTranscriptionJob", "GetTranscriptionJob",
                                     "CreateLanguageModel", "ListVocabularies"])
def test_corrupt_bodies(fuzz_server, op_name):
    for body in BAD_BODIES:
        status, payload = signed_post(fuzz_server, f"Transcribe.{op_name}", body, timeout=REQUEST_TIMEOUT_S)
        _check(op_name, status, payload)
        assert status == 400, (body[:40], payload)
    _healthy(fuzz_server)


@pytest.mark.parametrize("target", [
    None, "", "Transcribe.", "Transcribe", "transcribe.ListTranscriptionJobs", "Transcribe.__init__",
    "Transcribe.ListTranscriptionJobs.Extra", "Transcribe.Lïst", "X" * 5000, "Transcribe." + "A" * 5000,
])
def test_corrupt_targets(fuzz_server, target):
    status, payload = signed_post(fuzz_server, target, b"{}", timeout=REQUEST_TIMEOUT_S)
    assert_aws_error(status, payload)
    assert status == 400, payload


def test_other_paths_and_methods_are_aws_errors(fuzz_server):
    # GET / is the web console (issue 14): without a session it is the sign-in page, not an error.
    with urllib.request.urlopen(fuzz_server.endpoint + "/", timeout=REQUEST_TIMEOUT_S) as response:
        assert response.status == 200 and response.url.endswith("/console/signin?next=%2F")
    for method, path in [("PUT", "/"), ("GET", "/no/such/path"), ("POST", "/transcripts/us-east-1/1/x.json"),
                         ("DELETE", "/healthz"), ("DELETE", "/console/models")]:
        request = urllib.request.Request(fuzz_server.endpoint + path, method=method, data=b"{}" if method != "GET" else None)
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_S) as response:
                raise AssertionError(f"{method} {path} answered {response.status}")
        except urllib.error.HTTPError as err:
            assert_aws_error(err.code, json.loads(err.read()))


def test_unsigned_junk_never_reaches_parsing(fuzz_server):
    # Wrong content type, and a signature over a different body: refused before the body matters.
    body = b"[" * 100_000
    headers = signed_headers(fuzz_server, "Transcribe.ListTranscriptionJobs", b"{}", content_type="text/plain")
    status, payload = post(fuzz_server, body, headers, timeout=REQUEST_TIMEOUT_S)
    assert_aws_error(status, payload)
    assert status == 403, payload


@settings(max_examples=60, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=2048))
def test_random_bytes_bodies(fuzz_server, body):
    status, payload = post(fuzz_server, body, signed_headers(fuzz_server, "Transcribe.StartTranscriptionJob", body),
                           timeout=REQUEST_TIMEOUT_S)
    _check("StartTranscriptionJob", status, payload)

