"""The service's transcripts match plain faster-whisper (same model, beam 5) on real speech."""
from __future__ import annotations

import csv
import json
import shutil
import urllib.request

import jiwer
import pytest
from faster_whisper import WhisperModel
from whisper_normalizer.english import EnglishTextNormalizer

from jargonaut.asr.base_models import default_model_dir

SUBSET = 24  # LJSpeech clips, plus every non-LJSpeech file (JFK, both 8 kHz recordings)


def _manifest(eval_dir):
    with open(eval_dir / "general/manifest.tsv", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    lj = [r for r in rows if r["source"] == "ljspeech"][:SUBSET]
    return lj + [r for r in rows if r["source"] != "ljspeech"]


@pytest.mark.slow
def test_service_wer_matches_faster_whisper(server, eval_dir):
    rows = _manifest(eval_dir)
    bucket = server.bucket("accuracy")
    client = server.client()
    for i, row in enumerate(rows):
        source = eval_dir / "general" / row["audio"]
        shutil.copy(source, bucket / source.name)
        client.start_transcription_job(
            TranscriptionJobName=f"acc-{i}", LanguageCode="en-US", Media={"MediaFileUri": f"s3://accuracy/{source.name}"}
        )
    peer = WhisperModel(default_model_dir(), device="cpu", compute_type="int8")
    peer_text = []
    for row in rows:
        segments, _ = peer.transcribe(str(eval_dir / "general" / row["audio"]), language="en", beam_size=5)
        peer_text.append(" ".join(s.text.strip() for s in segments))
    ours = []
    for i in range(len(rows)):
        job = server.wait_for_job(client, f"acc-{i}", timeout=600)
        assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
        body = json.loads(urllib.request.urlopen(job["Transcript"]["TranscriptFileUri"]).read())
        ours.append(body["results"]["transcripts"][0]["transcript"])
    normalise = EnglishTextNormalizer()
    refs = [normalise(r["reference"]) for r in rows]
    wer_ours = jiwer.wer(refs, [normalise(t) for t in ours])
    wer_peer = jiwer.wer(refs, [normalise(t) for t in peer_text])
    print(f"general subset ({len(rows)} files): service WER {wer_ours:.4f}, faster-whisper WER {wer_peer:.4f}")
    assert abs(wer_ours - wer_peer) <= 0.005
    assert wer_ours < 0.25  # sanity: real recognition, not noise
