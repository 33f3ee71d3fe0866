"""bench.clm_wer --telephone: the medical recordings as telephone-band 8 kHz copies for NarrowBand."""
from __future__ import annotations

import wave

import numpy as np
import pytest

from bench.clm_wer import main, telephone_copies
from jargonaut.asr.audio import decode
from jargonaut.evaluate.manifests import read_manifest


def test_telephone_copies_are_8_khz_band_limited_and_as_long(eval_dir, tmp_path):
    jfk = [i for i in read_manifest(eval_dir / "general" / "manifest.tsv") if "jfk" in str(i.audio)]
    (copy,) = telephone_copies(jfk, tmp_path)
    assert copy.sample_rate == 8000 and copy.reference == jfk[0].reference
    with wave.open(str(copy.audio), "rb") as w:
        assert w.getframerate() == 8000 and w.getnchannels() == 1
    original, narrow = decode(jfk[0].audio), decode(copy.audio)  # both read back at 16 kHz
    assert abs(len(narrow) - len(original)) < 16000 * 0.05

    def share(audio: np.ndarray, low: float, high: float) -> float:  # of the energy, 16 kHz audio
        spectrum = np.abs(np.fft.rfft(audio)) ** 2
        return float(spectrum[int(low / 8000 * len(spectrum)):int(high / 8000 * len(spectrum))].sum() / spectrum.sum())

    assert share(narrow, 4000, 8000) < 1e-3  # nothing left above the telephone band
    assert share(narrow, 0, 150) < share(original, 0, 150) / 10  # nor below it


def test_telephone_is_refused_for_sets_that_are_not_medical(capsys):
    with pytest.raises(SystemExit):
        main(["--set", "general", "--telephone"])
    assert "--telephone is for the medical sets" in capsys.readouterr().err
