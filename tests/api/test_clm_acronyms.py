"""A CLM's acronyms heard as rhyming letters (issue 12, domain spellings), through boto3 against a
real server: on a telephone line "ASC 842" is heard as "AFC 842" (F and S differ only in their
endings), and three capital letters are too short for any likeness bar to match, so only the
letter-by-letter match of the CLM's acronyms (asr/decoder/acronyms.py) brings the text's acronym
back. The speech is synthesised with the benchmarks' Piper voice, without its random variation."""
from __future__ import annotations

import json
import urllib.request
import uuid
from pathlib import Path

import numpy as np
import pytest

from bench.synth_domain import NARROW_RATE, WIDE_RATE, Voice, resample, telephone, write_wav
from tests.support.clm import create_role, read_policy, trust_policy, wait_for_model

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SENTENCE = "The lease liability is remeasured under ASC 842 when the term changes."


def _transcript(server, client, clip: str, model: str | None) -> str:
    job = f"acronym-{uuid.uuid4().hex[:8]}"
    extra = {"ModelSettings": {"LanguageModelName": model}} if model else {}
    client.start_transcription_job(TranscriptionJobName=job, LanguageCode="en-US",
                                   Media={"MediaFileUri": f"s3://acronym-media/{clip}"}, **extra)
    done = server.wait_for_job(client, job, timeout=600)
    assert done["TranscriptionJobStatus"] == "COMPLETED", done.get("FailureReason")
    return json.loads(urllib.request.urlopen(done["Transcript"]["TranscriptFileUri"]).read())[
        "results"]["transcripts"][0]["transcript"]


def test_an_acronym_heard_as_rhyming_letters_is_written_as_the_text_writes_it(server, tmp_path):
    data = server.bucket("acronym-data")
    (data / "finance").mkdir(parents=True, exist_ok=True)
    # the finance team's close notes: "ASC 842" occurs once, in a bullet list of standards
    (data / "finance/notes.txt").write_bytes((REPO / "bench/domains/finance/train.txt").read_bytes())
    account = server.credentials["account_id"]
    role = create_role(server.data_dir, tmp_path, "AcronymCLMRole", trust_policy(account), read_policy("acronym-data"))
    client = server.client()
    name = f"finance-{uuid.uuid4().hex[:8]}"
    client.create_language_model(LanguageCode="en-US", BaseModelName="NarrowBand", ModelName=name,
                                 InputDataConfig={"S3Uri": "s3://acronym-data/finance/", "DataAccessRoleArn": role})
    voice = Voice(threads=1)
    spoken = resample(voice.speak(SENTENCE, noise_scale=0.0, noise_w_scale=0.0), voice.rate, WIDE_RATE)
    write_wav(server.bucket("acronym-media") / "lease.wav",
              telephone(0.9 * spoken / max(1e-6, float(np.abs(spoken).max()))), NARROW_RATE)
    model = wait_for_model(client, name, timeout=900)
    assert model["ModelStatus"] == "COMPLETED", model.get("FailureReason")

    fused = _transcript(server, client, "lease.wav", name)
    assert "ASC 842" in fused, fused
    # the rest of the sentence is left as heard
    assert "lease liability" in fused and "when the term changes" in fused, fused
