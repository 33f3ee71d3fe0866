"""What the operator sees: one server-log line per job/model state change and per stream, the
full training report through `jargonaut models report`, and a clean start/stop."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from jargonaut.asr.audio import decode
from tests.stream.helpers import presigned_ws_url
from tests.stream.ws_client import run_ws
from tests.support.clm import create_role, read_policy, trust_policy, wait_for_model


def _models_cli(server, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jargonaut.cli", "models", *args, "--endpoint-url", server.endpoint,
                           "--data-dir", str(server.data_dir)], capture_output=True, text=True, timeout=60,
                          env={**server.env, "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""})


@pytest.mark.slow
def test_log_lines_and_models_report(fresh_server, eval_dir, tmp_path):
    server = fresh_server.start()
    account = server.credentials["account_id"]
    shutil.copy(eval_dir / "general/audio/jfk.flac", server.bucket("log-media") / "jfk.flac")
    oregon = server.client(region="us-west-2")
    oregon.start_transcription_job(TranscriptionJobName="logged-job", LanguageCode="en-US",
                                   Media={"MediaFileUri": "s3://log-media/jfk.flac"})
    assert server.wait_for_job(oregon, "logged-job")["TranscriptionJobStatus"] == "COMPLETED"
    oregon.start_transcription_job(TranscriptionJobName="failing-job", LanguageCode="en-US",
                                   Media={"MediaFileUri": "s3://log-media/missing.flac"})
    assert server.wait_for_job(oregon, "failing-job")["TranscriptionJobStatus"] == "FAILED"

    bucket = server.bucket("log-clm")
    (bucket / "train").mkdir()
    shutil.copy(eval_dir / "biomed-tts/train.txt", bucket / "train/biomed.txt")
    role = create_role(server.data_dir, tmp_path, "LogRole", trust_policy(account), read_policy("log-clm"))
    client = server.client()
    client.create_language_model(LanguageCode="en-US", BaseModelName="WideBand", ModelName="logged-clm",
                                 InputDataConfig={"S3Uri": "s3://log-clm/train/", "DataAccessRoleArn": role})
    assert wait_for_model(client, "logged-clm")["ModelStatus"] == "COMPLETED"

    # The full report, which the Transcribe API has no place for.
    report = json.loads(_models_cli(server, "report", "logged-clm", "--json").stdout)
    assert report["ModelArn"] == f"arn:aws:transcribe:us-east-1:{account}:language-model/logged-clm"
    assert report["Report"]["domain_terms"] == len(report["DomainTerms"]) > 0
    assert {"apixaban", "warfarin"} <= {t.lower() for t in report["DomainTerms"]}
    assert report["Report"]["spelling_variants"] == len(report["SpellingVariants"])
    text = _models_cli(server, "report", "logged-clm", "--all")
    assert text.returncode == 0, text.stderr
    assert "domain terms" in text.stdout and all(term in text.stdout for term in report["DomainTerms"])
    elsewhere = _models_cli(server, "report", "logged-clm", "--region", "eu-west-1")
    assert elsewhere.returncode != 0 and "couldn't be found" in elsewhere.stderr

    pcm = (decode(eval_dir / "general/audio/jfk.flac") * 32767).astype("<i2").tobytes()
    ws = run_ws(presigned_ws_url(server, {"language-code": "en-US", "media-encoding": "pcm", "sample-rate": "16000"}),
                pcm[:16000 * 2 * 3])
    assert not ws["exceptions"], ws
    server.stop()

    log = server.log_path.read_text()
    assert len(re.findall(r"Running on http://", log)) == 1 and len(re.findall(r"Running on https://", log)) == 1
    assert re.search(rf"job logged-job \(account {account}, us-west-2\) QUEUED", log)
    assert re.search(rf"job logged-job \(account {account}, us-west-2\) IN_PROGRESS", log)
    assert re.search(rf"job logged-job \(account {account}, us-west-2\) COMPLETED in [\d.]+ s: 11\.\d s of audio, "
                     r"RTF \d+\.\d\d", log), log
    assert re.search(r"job failing-job \(.*\) FAILED after [\d.]+ s: .*missing\.flac", log)
    assert re.search(rf"language model logged-clm \(account {account}, us-east-1\) IN_PROGRESS", log)
    assert re.search(r"language model logged-clm \(.*\) COMPLETED after [\d.]+ s: order \d, training words [\d,]+, .*domain terms", log), log
    assert re.search(rf"stream \S+ \(account {account}, us-east-1\) started over WebSocket: pcm 16000 Hz", log)
    assert re.search(r"stream \S+ ended after [\d.]+ s", log)
    assert "Processing audio with duration" not in log
    assert log.rstrip().endswith("Jargonaut stopped"), log[-500:]
