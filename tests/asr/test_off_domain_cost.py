"""What a recording off the CLM's domain costs (FusedGenerator._decide): once the gate has found a
window off the domain, the next is read without the CLM first and that reading kept while the
gate finds it off the domain too."""
from __future__ import annotations

import dataclasses

import ctranslate2
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
    """Every search the fused generator runs, "fused" or "plain", and every pass 2, in order;
    "window" where it starts deciding a window."""
    calls: list[str] = []
    search, second, segments = FusedGenerator._search, FusedGenerator._second_pass, FusedGenerator._segment_passes
    decide = FusedGenerator._decide

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
    monkeypatch.setattr(FusedGenerator, "_decide", counting("window", decide))
    return calls


def _windows(calls: list[str]) -> list[list[str]]:
    """The searches of each window decided, in order."""
    windows: list[list[str]] = []
    for call in calls:
        if call == "window":
            windows.append([])
        elif windows:
            windows[-1].append(call)
    return windows


def test_a_recording_off_the_clms_domain_is_read_about_once_per_window(eval_dir, biomed_clm, monkeypatch) -> None:
    # faster-whisper's temperature fallback samples: the same samples each run
    ctranslate2.set_random_seed(0)
    audio = _read_speech(eval_dir, 70)  # three 30 s windows
    base = engine().base_models["WideBand"]
    settings = engine().options.fusion_for(base)
    assert settings.plain_after_off_domain  # the default
    calls = _searches(monkeypatch)
    engine().text(audio, base, biomed_clm)
    windows = _windows(calls)
    assert len(windows) >= 3, calls
    # the first window: fused (and its pass 2 where the draft is unsure), then, off the domain,
    # read without the CLM
    assert windows[0][0] == "fused" and windows[0][-1] == "plain", calls
    # a window after one the gate refused is read without the CLM first; where the gate refuses
    # that reading too, it is the window's only search
    for before, window in zip(windows, windows[1:]):
        if before[-1] == "plain":
            assert window[0] == "plain", calls
    assert sum(window == ["plain"] for window in windows[1:]) >= 1, calls

    calls.clear()
    before_change = dataclasses.replace(settings, plain_after_off_domain=False)
    ctranslate2.set_random_seed(0)
    engine().text(audio, base, biomed_clm, fusion=before_change)
    # as before this change: each window fused first, and read again without the CLM when refused
    windows = _windows(calls)
    assert all(window[0] == "fused" for window in windows), calls
    assert sum(window[-1] == "plain" for window in windows) >= 2, calls
