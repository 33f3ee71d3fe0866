"""Word error rate of batch jobs through the API vs plain faster-whisper, on ../shared/eval/general.

    python -m bench.service_wer [--limit N]

Same model (Whisper tiny.en, CTranslate2 int8) and beam size (5) on both sides; both sides are
normalised with the Whisper English text normaliser. Rows: all files, 16 kHz+ only, 8 kHz only.
"""
from __future__ import annotations

import argparse
import csv
import json
import shutil
import tempfile
import urllib.request
from pathlib import Path

import jiwer
from faster_whisper import WhisperModel
from whisper_normalizer.english import EnglishTextNormalizer

from jargonaut.asr.base_models import default_model_dir
from tests.support.server import EVAL, make_server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=0, help="first N files only (0: all)")
    args = parser.parse_args()
    with open(EVAL / "general/manifest.tsv", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    rows = rows[: args.limit] if args.limit else rows
    peer = WhisperModel(default_model_dir(), device="cpu", compute_type="int8")
    ours: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        server = make_server(Path(tmp)).start()
        try:
            client = server.client()
            bucket = server.bucket("general")
            for i, row in enumerate(rows):
                source = EVAL / "general" / row["audio"]
                shutil.copy(source, bucket / source.name)
                client.start_transcription_job(TranscriptionJobName=f"wer-{i}", LanguageCode="en-US",
                                               Media={"MediaFileUri": f"s3://general/{source.name}"})
            for i in range(len(rows)):
                job = server.wait_for_job(client, f"wer-{i}", timeout=3600)
                body = json.loads(urllib.request.urlopen(job["Transcript"]["TranscriptFileUri"]).read())
                ours.append(body["results"]["transcripts"][0]["transcript"])
        finally:
            server.stop()
    theirs = []
    for row in rows:
        segments, _ = peer.transcribe(str(EVAL / "general" / row["audio"]), language="en", beam_size=5)
        theirs.append(" ".join(s.text.strip() for s in segments))
    normalise = EnglishTextNormalizer()
    print(f"\n{'subset':12} {'files':>6} {'service WER':>12} {'faster-whisper WER':>19} {'diff (points)':>14}")
    for label, keep in [("all", lambda r: True), ("16 kHz+", lambda r: int(r["sample_rate"]) >= 16000),
                        ("8 kHz", lambda r: int(r["sample_rate"]) < 16000)]:
        idx = [i for i, r in enumerate(rows) if keep(r)]
        if not idx:
            continue
        refs = [normalise(rows[i]["reference"]) for i in idx]
        w_ours = jiwer.wer(refs, [normalise(ours[i]) for i in idx])
        w_peer = jiwer.wer(refs, [normalise(theirs[i]) for i in idx])
        print(f"{label:12} {len(idx):6d} {100 * w_ours:11.2f}% {100 * w_peer:18.2f}% {100 * (w_ours - w_peer):14.2f}")


if __name__ == "__main__":
    main()
