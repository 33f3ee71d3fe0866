"""Word-level diarization error of speaker labels on the medical OSCE recordings.

    python -m bench.speaker_labels [--set test|dev|all] [--asr-only] [--threshold T] [--step S]

Step 1 (cached in .bench-cache/speaker-asr/ID.json, so the diarization can be iterated on
cheaply): the plain engine's words with times, and how long the recognition took.
Step 2: speaker labels (jargonaut.asr.diarization, the jobs' code) from those words and the
audio, scored against ../shared/eval/medical/speakers/ID.txt (doctor D / patient P turns):
the hypothesis words are aligned to the reference words; of the correctly recognised words,
the share whose speaker is wrong after the best one-to-one mapping of hypothesis speakers to
D/P (a third hypothesis speaker maps to nothing: all its words count as errors).
Tune on the dev recordings (CAR0001, GAS0001, MSK0001) only; report on the eight others.
"""
from __future__ import annotations

import argparse
import difflib
import json
import time
from dataclasses import fields, replace
from pathlib import Path

import numpy as np

from bench.clm_wer import DEV_IDS, EVAL, engine

MEDICAL = EVAL / "medical"
CACHE = Path(__file__).resolve().parents[1] / ".bench-cache" / "speaker-asr"
ALL_IDS = tuple(sorted(p.stem for p in (MEDICAL / "speakers").glob("*.txt")))
TEST_IDS = tuple(i for i in ALL_IDS if i not in DEV_IDS)


def cached_words(recording: str) -> dict:
    """The plain engine's words for one recording (computed once, then read from the cache)."""
    path = CACHE / f"{recording}.json"
    if path.exists():
        return json.loads(path.read_text())
    from jargonaut.asr.audio import decode

    audio = decode(MEDICAL / "audio" / f"{recording}.mp3")
    started = time.perf_counter()
    recognition = engine().recognize(audio, engine().base_models["WideBand"])
    seconds = time.perf_counter() - started
    words = [[w.start, w.end, w.text] for s in recognition.segments for w in s.words]
    data = {"duration": len(audio) / 16000, "asr_seconds": seconds, "words": words}
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    return data


def _tokens(text: str) -> list[str]:
    from jargonaut.evaluate.metrics import normalise

    return normalise(text).split()


def reference_words(recording: str) -> list[tuple[str, str]]:
    """(word, D|P) for every normalised reference word, in order."""
    out = []
    for line in (MEDICAL / "speakers" / f"{recording}.txt").read_text(encoding="utf-8").splitlines():
        speaker, _, text = line.partition("\t")
        out.extend((w, speaker.strip()) for w in _tokens(text))
    return out


def word_diarization_error(reference: list[tuple[str, str]], hypothesis: list[tuple[str, int]]) -> tuple[int, int]:
    """(wrongly attributed, correctly recognised) words after the best one-to-one speaker mapping."""
    from scipy.optimize import linear_sum_assignment

    matcher = difflib.SequenceMatcher(None, [w for w, _ in reference], [w for w, _ in hypothesis], autojunk=False)
    pairs = [(reference[b.a + k][1], hypothesis[b.b + k][1]) for b in matcher.get_matching_blocks() for k in range(b.size)]
    if not pairs:
        return 0, 0
    ref_speakers = sorted({r for r, _ in pairs})
    hyp_speakers = sorted({h for _, h in pairs})
    counts = np.zeros((len(hyp_speakers), len(ref_speakers)), int)
    for r, h in pairs:
        counts[hyp_speakers.index(h), ref_speakers.index(r)] += 1
    rows, cols = linear_sum_assignment(-counts)
    right = int(counts[rows, cols].sum())
    return len(pairs) - right, len(pairs)


def score(recording: str, settings, max_speakers: int) -> dict:
    from jargonaut.asr.audio import decode
    from jargonaut.asr.diarization import speaker_of_words

    data = cached_words(recording)
    audio = decode(MEDICAL / "audio" / f"{recording}.mp3")
    spans = [(s, e) for s, e, _ in data["words"]]
    started = time.perf_counter()
    labels = speaker_of_words(audio, spans, max_speakers=max_speakers, settings=settings)
    seconds = time.perf_counter() - started
    hypothesis = [(token, label) for (_, _, text), label in zip(data["words"], labels) for token in _tokens(text)]
    wrong, matched = word_diarization_error(reference_words(recording), hypothesis)
    return {"id": recording, "duration": data["duration"], "asr_s": data["asr_seconds"], "diar_s": seconds,
            "speakers": len(set(labels)), "wrong": wrong, "matched": matched}


def main(argv: list[str] | None = None) -> None:
    from jargonaut.asr.diarization import DiarizationSettings

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--asr-only", action="store_true", help="only fill the ASR cache")
    parser.add_argument("--set", default="test", choices=("dev", "test", "all"))
    parser.add_argument("--max-two", action="store_true", help="MaxSpeakerLabels 2 instead of 10")
    for f in fields(DiarizationSettings):
        parser.add_argument(f"--{f.name.replace('_', '-')}", type=float, default=None)
    args = parser.parse_args(argv)
    max_speakers = 2 if args.max_two else 10
    settings = DiarizationSettings()
    settings = replace(settings, **{f.name: getattr(args, f.name) for f in fields(settings) if getattr(args, f.name) is not None})
    ids = {"dev": DEV_IDS, "test": TEST_IDS, "all": DEV_IDS + TEST_IDS}[args.set]
    if args.asr_only:
        for recording in ids:
            data = cached_words(recording)
            print(recording, f"{data['duration']:.0f} s audio, ASR {data['asr_seconds']:.0f} s", flush=True)
        return
    print(f"\n## speaker labels, {args.set} recordings, MaxSpeakerLabels {max_speakers}, {settings}")
    print("| recording | minutes | speakers found | words matched | wrong speaker | error % | RTF ASR | RTF diarization |")
    print("|---|---|---|---|---|---|---|---|", flush=True)
    rows = []
    for recording in ids:
        r = score(recording, settings, max_speakers)
        rows.append(r)
        print(f"| {r['id']} | {r['duration'] / 60:.1f} | {r['speakers']} | {r['matched']} | {r['wrong']} | "
              f"{100 * r['wrong'] / max(r['matched'], 1):.2f} | {r['asr_s'] / r['duration']:.3f} | "
              f"{r['diar_s'] / r['duration']:.3f} |", flush=True)
    errors = [100 * r["wrong"] / max(r["matched"], 1) for r in rows]
    total = sum(r["duration"] for r in rows)
    print(f"| mean ({len(rows)}) | {total / 60:.1f} | {np.mean([r['speakers'] for r in rows]):.1f} | "
          f"{sum(r['matched'] for r in rows)} | {sum(r['wrong'] for r in rows)} | {np.mean(errors):.2f} "
          f"(pooled {100 * sum(r['wrong'] for r in rows) / max(sum(r['matched'] for r in rows), 1):.2f}) | "
          f"{sum(r['asr_s'] for r in rows) / total:.3f} | {sum(r['diar_s'] for r in rows) / total:.3f} |")


if __name__ == "__main__":
    main()
