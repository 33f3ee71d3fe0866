"""What a stream's utterance segmentation (VAD) loses on telephone-band speech.

    python -m bench.stream_vad [--set medical-dev|medical] [--max-seconds 120] [--thresholds 0.5/0.35,0.25/0.1]

Real conversation (the medical consultations) cut to the 300-3400 Hz band at 8 kHz
(`bench.clm_wer.telephone_copies`), streamed through the real `StreamRecogniser` with the
NarrowBand base model (no CLM: segmentation alone) once per pair of VAD thresholds (speech
starts / pauses). Per pair: the WER of the finals joined, the share of the speech (Silero at
its usual thresholds over the 16 kHz original) that no utterance covered, and utterances.
The peer is the batch job's reading of the same audio (all of it, no VAD). `medical-dev` is
where the NarrowBand thresholds were chosen; `medical` (the 8 other recordings) is the report.
"""
from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

import numpy as np

RATE = 16000
CHUNK = 1600  # 100 ms a chunk, as a client sends them


def stream_finals(audio: np.ndarray, pool, base, config) -> str:
    """The finals' text of `audio` streamed (100 ms chunks, unpaced) through the recogniser."""
    from jargonaut.stream.recogniser import StreamRecogniser

    finals: list[str] = []

    async def main() -> None:
        async def emit(event: dict) -> None:
            result = event["Results"][0]
            if not result["IsPartial"]:
                finals.append(result["Alternatives"][0]["Transcript"])

        queue: asyncio.Queue = asyncio.Queue()
        task = asyncio.create_task(StreamRecogniser(base, pool, emit, config=config).run(queue))
        for i in range(0, len(audio), CHUNK):
            queue.put_nowait(audio[i:i + CHUNK])
        queue.put_nowait(None)
        await task

    asyncio.run(main())
    return " ".join(finals)


def utterance_spans(audio: np.ndarray, config) -> list[tuple[int, int]]:
    """The audio (first sample, end) of each utterance the stream's segmenter closes: what the
    recogniser decodes as its finals (the segmenter is deterministic)."""
    from jargonaut.stream.recogniser import Segmenter

    segmenter = Segmenter(config)
    closed = []
    for i in range(0, len(audio), CHUNK):
        closed += segmenter.accept(audio[i:i + CHUNK])
    closed += segmenter.finish()
    return [(u.clip[0], u.clip[0] + len(u.clip[1])) for u in closed if u.clip is not None]


def speech_mask(audio16: np.ndarray) -> np.ndarray:
    """Where Silero, at its usual thresholds, finds speech in 16 kHz `audio16` (a sample mask)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    mask = np.zeros(len(audio16), bool)
    for t in get_speech_timestamps(audio16, VadOptions(min_silence_duration_ms=300, speech_pad_ms=0)):
        mask[t["start"]:t["end"]] = True
    return mask


def main(argv: list[str] | None = None) -> None:
    from bench.clm_wer import DEV_IDS, EVAL, engine, telephone_copies
    from jargonaut.asr.audio import decode
    from jargonaut.evaluate.manifests import read_manifest
    from jargonaut.evaluate.metrics import reference_prefix, score_files
    from jargonaut.stream.recogniser import SegmenterConfig
    from jargonaut.stream.scheduler import DecodePool

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=("medical-dev", "medical"), default="medical-dev")
    parser.add_argument("--max-seconds", type=float, default=120.0, help="first N s of each recording (0: all)")
    parser.add_argument("--thresholds", default="0.5/0.35,0.25/0.1",
                        help="comma-separated start/pause VAD threshold pairs (the first is the wideband default)")
    args = parser.parse_args(argv)
    pairs = [tuple(float(v) for v in pair.split("/")) for pair in args.thresholds.split(",")]

    dev = args.set == "medical-dev"
    items = [i for i in read_manifest(EVAL / "medical") if (i.id in DEV_IDS) == dev]
    speech_engine = engine()
    base = speech_engine.base_models["NarrowBand"]
    pool = DecodePool(speech_engine, 1)
    limit = int(args.max_seconds * RATE) if args.max_seconds else None
    with tempfile.TemporaryDirectory(prefix="stream-vad-") as tmp:
        narrow = telephone_copies(items, Path(tmp))
        audio = {i.id: decode(n.audio)[:limit] for i, n in zip(items, narrow)}
        masks = {i.id: speech_mask(decode(i.audio)[:limit]) for i in items}
    batch = {i.id: speech_engine.text(audio[i.id], base) for i in items}
    # a recording cut at N s is scored against the reference cut where it best matches the batch text
    refs = {i.id: reference_prefix(i.reference, batch[i.id]) if limit else i.reference for i in items}

    def wer(texts: dict[str, str]) -> tuple[int, int]:
        report = score_files([(i.id, refs[i.id], texts[i.id]) for i in items], None)
        return sum(f.errors for f in report.files), sum(f.words for f in report.files)

    print(f"\n## {args.set}, 8 kHz telephone band, NarrowBand, no CLM"
          + (f", first {args.max_seconds:g} s of each" if limit else ""))
    print("| reading | utterances | speech not covered % | errors | WER % | vs batch |")
    print("|---|---|---|---|---|---|")
    errors, words = wer(batch)
    print(f"| batch job (no VAD) | - | - | {errors} | {100 * errors / words:.2f} | 1.00 |", flush=True)
    for start, pause in pairs:
        config = SegmenterConfig(threshold=start, neg_threshold=pause)
        texts, uncovered, speech, count = {}, 0, 0, 0
        for i in items:
            texts[i.id] = stream_finals(audio[i.id], pool, base, config)
            spans = utterance_spans(audio[i.id], config)
            covered = np.zeros(len(masks[i.id]), bool)
            for s, e in spans:
                covered[s:e] = True
            uncovered += int((masks[i.id] & ~covered).sum())
            speech += int(masks[i.id].sum())
            count += len(spans)
        e, w = wer(texts)
        print(f"| stream, VAD {start:g} / {pause:g} | {count} | {100 * uncovered / max(speech, 1):.1f} | {e} | "
              f"{100 * e / w:.2f} | {e / max(errors, 1):.2f} |", flush=True)


if __name__ == "__main__":
    main()
