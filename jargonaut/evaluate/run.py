"""Transcribe a manifest's recordings through the engine and score them (plain Whisper or fused CLM)."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from jargonaut.asr.audio import decode
from jargonaut.asr.base_models import BaseModel
from jargonaut.asr.engine import SpeechEngine
from jargonaut.asr.options import FusionSettings
from jargonaut.evaluate.manifests import EvalItem
from jargonaut.evaluate.metrics import Report, score_files
from jargonaut.lm.model import NgramLM

Transcriber = Callable[[np.ndarray], str]


def load_language_model(path: str) -> NgramLM:
    from jargonaut.lm.train import load_clm  # the CLM library (jargonaut.lm)

    return load_clm(Path(path))


def make_transcriber(
    engine: SpeechEngine,
    base: BaseModel | str = "WideBand",
    language_model: NgramLM | None = None,
    settings: FusionSettings | None = None,
    language: str = "en",
    as_job: bool = False,
) -> Transcriber:
    """Text of a whole recording through `engine`. Word timings are skipped (WER does not use
    them) unless `as_job`: a job, the console and a stream's finals recognise with word
    timings. Their text is the text-only one (EngineWhisper aligns words after each window
    instead of letting them move the next window's start); `as_job` is how a bench checks that."""
    model = engine.base_models[base] if isinstance(base, str) else base

    def transcribe(audio: np.ndarray) -> str:
        if as_job:
            return engine.recognize(audio, model, language_model, language=language, fusion=settings).text
        return engine.text(audio, model, language_model, language=language, fusion=settings)

    return transcribe


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
