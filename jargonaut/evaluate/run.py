"""Transcribe a manifest's recordings and score them (plain Whisper, fused CLM, or hotwords)."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np

from jargonaut.asr.audio import decode
from jargonaut.asr.base_models import BaseModel, configured_base_models
from jargonaut.evaluate.manifests import EvalItem
from jargonaut.evaluate.metrics import Report, score_files

Transcriber = Callable[[np.ndarray], str]


def load_language_model(path: str):
    from jargonaut.lm.train import load_clm  # the CLM library (jargonaut.lm)

    return load_clm(path)


def make_transcriber(
    base: BaseModel | str = "WideBand",
    language_model=None,
    hotwords: str | None = None,
    settings=None,
    options=None,
) -> Transcriber:
    """Text of a whole recording; word timings are skipped because WER does not use them."""
    from jargonaut.asr.recognizer import default_options, load_whisper

    base = configured_base_models()[base] if isinstance(base, str) else base
    options = options or default_options()
    if language_model is not None:
        from jargonaut.asr.decoder import recognize_fused

        def fused(audio: np.ndarray) -> str:
            return recognize_fused(audio, base, options, language_model, settings, word_timestamps=False).text

        return fused
    model = load_whisper(base, options)

    def plain(audio: np.ndarray) -> str:
        segments, _ = model.transcribe(audio, language="en", beam_size=options.beam_size, hotwords=hotwords)
        return " ".join(s.text.strip() for s in segments if s.text.strip())

    return plain


@dataclass
class Run:
    report: Report
    audio_seconds: float
    compute_seconds: float

    @property
    def rtf(self) -> float:
        return self.compute_seconds / self.audio_seconds if self.audio_seconds else 0.0


def evaluate(
    items: Iterable[EvalItem],
    transcribe: Transcriber,
    terms: list[str] | None = None,
    max_seconds: float | None = None,
    progress: bool = True,
) -> Run:
    """Score `transcribe` on `items`; `max_seconds` truncates audio (references are not!)."""
    items = list(items)
    pairs, audio_s, compute_s = [], 0.0, 0.0
    iterator = items
    if progress:
        from tqdm import tqdm

        iterator = tqdm(items, unit="file", leave=False)
    for item in iterator:
        audio = decode(item.audio)
        if max_seconds:
            audio = audio[: int(max_seconds * 16000)]
        t0 = time.perf_counter()
        text = transcribe(audio)
        compute_s += time.perf_counter() - t0
        audio_s += len(audio) / 16000
        pairs.append((item.id, item.reference, text))
    return Run(score_files(pairs, terms), audio_s, compute_s)


def format_report(run: Run, per_file: bool = True) -> str:
    lines = []
    if per_file:
        lines.append(f"{'id':<24} {'words':>6} {'errors':>6} {'WER%':>6}")
        for f in run.report.files:
            lines.append(f"{f.id:<24} {f.words:>6} {f.errors:>6} {100 * f.wer:>6.1f}")
    lines.append(f"{'TOTAL':<24} {run.report.words:>6} {run.report.errors:>6} {100 * run.report.wer:>6.2f}")
    recall = run.report.term_recall
    if recall is not None:
        lines.append(f"term recall: {100 * recall:.1f}%")
    lines.append(f"audio {run.audio_seconds:.1f} s, compute {run.compute_seconds:.1f} s, RTF {run.rtf:.3f}")
    return "\n".join(lines)
