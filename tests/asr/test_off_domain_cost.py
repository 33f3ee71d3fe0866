"""What a recording off the CLM's domain costs (FusedGenerator._decide): once the gate has found a
window off the domain, the next is read without the CLM first and that reading kept while the
gate finds it off the domain too."""
from __future__ import annotations

import dataclasses

import numpy as np

from jargonaut.asr.audio import decode
from jargonaut.asr.decoder.fused import FusedGenerator
from jargonaut.evaluate.manifests import read_manifest
from tests.asr.parts import engine


def _read_speech(eval_dir, seconds: float) -> np.ndarray:
    """LJSpeech clips (general read English, far from biomed text) joined with short pauses."""
    parts: list[np.ndarray] = []
    for item in read_manifest(eval_dir / "general" / "manifest.tsv"):
        if "LJ" in str(item.audio):
            parts += [decode(item.audio), np.zeros(8000, np.float32)]
        if sum(len(p) for p in parts) >= seconds * 16000:
            break
    return np.concatenate(parts)


def _searches(monkeypatch) -> list[str]:
    """Every search the fused generator runs, "fused" or "plain", and every pass 2, in order."""
    calls: list[str] = []
    search, second, segments = FusedGenerator._search, FusedGenerator._second_pass, FusedGenerator._segment_passes

    def counting_search(self, *args, fused=True, **kwargs):
        calls.append("fused" if fused else "plain")
        return search(self, *args, fused=fused, **kwargs)

    def counting(name, method):
        def run(self, *args, **kwargs):
            calls.append(name)
            return method(self, *args, **kwargs)
        return run

    monkeypatch.setattr(FusedGenerator, "_search", counting_search)
    monkeypatch.setattr(FusedGenerator, "_second_pass", counting("pass 2", second))
    monkeypatch.setattr(FusedGenerator, "_segment_passes", counting("pass 2", segments))
    return calls


def test_a_recording_off_the_clms_domain_is_read_about_once_per_window(eval_dir, biomed_clm, monkeypatch) -> None:
    audio = _read_speech(eval_dir, 70)  # three 30 s windows
    base = engine().base_models["WideBand"]
    settings = engine().options.fusion_for(base)
    assert settings.plain_after_off_domain  # the default
    calls = _searches(monkeypatch)
    text = engine().text(audio, base, biomed_clm)
    # the first window: fused (and its pass 2 where the draft is unsure), off the domain, read
    # without the CLM; every later window (at least two more): without the CLM only
    first = calls.index("plain") + 1
    assert calls[0] == "fused", calls
    assert set(calls[first:]) == {"plain"} and len(calls[first:]) >= 2, calls

    calls.clear()
    before = dataclasses.replace(settings, plain_after_off_domain=False)
    text_before = engine().text(audio, base, biomed_clm, fusion=before)
    # as before this change: each window fused, then read again without the CLM
    assert calls.count("fused") >= 3 and calls.count("plain") >= 3, calls
    assert text == text_before  # the same words: every window was Whisper's reading either way
