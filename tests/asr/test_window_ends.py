"""A CLM must not lose a long recording's words where its 30 s windows end.

faster-whisper takes a window that ends without a closing timestamp as read to its end, so a
fused search that stopped after a sentence (`search.acoustic_end`), or a pass 2 written without
timestamps (`sure_windows.resume_point`), dropped the rest of the window. Measured on this very
recording (DevOps sentences, telephone band; plain 27.6% WER) before either rule: 253 of 542
words written; with the end margin alone 471 (31.3% WER); with both 558 (17.2%)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.synth_domain import NARROW_RATE, WIDE_RATE, Voice, read_tests, resample, telephone

pytestmark = pytest.mark.slow

DEVOPS = Path(__file__).resolve().parents[2] / "bench" / "domains" / "devops"
PAUSE_S = 0.6


@pytest.fixture(scope="module")
def phone_call() -> tuple[np.ndarray, str]:
    """The DevOps test sentences read one after another (~4.5 min), as a call reaches us: 8 kHz
    telephone band, resampled to 16 kHz. No Piper noise, so the audio is the same on every run."""
    voice = Voice(threads=1)
    sentences = [text for _, text in read_tests(DEVOPS / "test.tsv")]
    parts = []
    for text in sentences:
        speech = resample(voice.speak(text, noise_scale=0.0, noise_w_scale=0.0), voice.rate, WIDE_RATE)
        parts += [0.9 * speech / max(1e-6, float(np.abs(speech).max())), np.zeros(int(PAUSE_S * WIDE_RATE), np.float32)]
    audio = resample(telephone(np.concatenate(parts).astype(np.float32)), NARROW_RATE, WIDE_RATE)
    return audio, " ".join(sentences)


@pytest.fixture(scope="module")
def devops_clm(tmp_path_factory):
    from jargonaut.lm.train import load_clm, train_clm

    out = tmp_path_factory.mktemp("clm") / "devops.clm"
    train_clm([DEVOPS / "train.txt"], None, out, "NarrowBand", 1)
    return load_clm(out)


def test_a_clm_reads_every_window_of_a_long_call(phone_call, devops_clm):
    from jargonaut.evaluate.metrics import score_files
    from tests.asr.parts import engine

    audio, reference = phone_call
    narrow = engine().base_models["NarrowBand"]
    fused = engine().text(audio, narrow, devops_clm)
    plain = engine().text(audio, narrow)
    # no window cut short: without the end margin under half the words came out
    assert len(fused.split()) >= 0.75 * len(reference.split())
    # and the CLM helps on its own domain's speech
    wer = {name: score_files([(name, reference, text)]).wer for name, text in (("fused", fused), ("plain", plain))}
    assert wer["fused"] < wer["plain"]
