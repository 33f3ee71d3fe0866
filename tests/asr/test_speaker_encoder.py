"""The voice encoder read from resemblyzer's wheel without torch: the checkpoint reader, the ONNX
LSTM against PyTorch's equations stepped in NumPy, and embeddings that tell voices apart."""
from __future__ import annotations

import pickle

import numpy as np
import pytest

from jargonaut.asr.audio import decode
from jargonaut.asr.speaker_encoder import (
    PARTIAL_FRAMES,
    VoiceEncoder,
    lstm_reference,
    mel_spectrogram,
    normalize_volume,
    packaged_state,
)
from jargonaut.asr.torch_weights import LEGACY_MAGIC, LEGACY_PROTOCOL, WeightsFormatError, load_legacy_checkpoint


def windows(path, step: int = 40) -> np.ndarray:
    mel = mel_spectrogram(normalize_volume(decode(path)))
    return np.stack([mel[i:i + PARTIAL_FRAMES] for i in range(0, len(mel) - PARTIAL_FRAMES, step)])


def test_checkpoint_shapes():
    state = packaged_state()
    assert state["lstm.weight_ih_l0"].shape == (1024, 40)
    for layer in (1, 2):
        assert state[f"lstm.weight_ih_l{layer}"].shape == (1024, 256)
    assert all(state[f"lstm.weight_hh_l{layer}"].shape == (1024, 256) for layer in range(3))
    assert state["linear.weight"].shape == (256, 256)
    assert all(v.dtype == np.float32 and np.isfinite(v).all() for v in state.values())


def test_onnx_lstm_matches_the_reference_equations(eval_dir):
    mels = windows(eval_dir / "general/audio/jfk.flac")[:6]
    (onnx_hidden,) = VoiceEncoder.from_package().session.run(None, {"mels": mels})
    np.testing.assert_allclose(onnx_hidden, lstm_reference(packaged_state(), mels), atol=1e-4)


def test_embeddings_tell_voices_apart(eval_dir):
    encoder = VoiceEncoder.from_package()
    audio = eval_dir / "general/audio"

    def voice(*names: str) -> np.ndarray:
        e = encoder.embed(np.concatenate([windows(audio / n) for n in names])).mean(axis=0)
        return e / np.linalg.norm(e)

    reader, reader_again, man = voice("LJ001-0001.flac"), voice("LJ001-0003.flac", "LJ001-0004.flac"), voice("jfk.flac")
    assert reader @ reader_again > max(reader @ man, reader_again @ man)
    single = encoder.embed(windows(audio / "jfk.flac")[:3])
    assert np.allclose(np.linalg.norm(single, axis=1), 1.0, atol=1e-5) and (single >= 0).all()


def test_the_reader_refuses_foreign_objects(tmp_path):
    path = tmp_path / "evil.pt"
    with open(path, "wb") as f:
        for header in (LEGACY_MAGIC, LEGACY_PROTOCOL, {"little_endian": True}):
            pickle.dump(header, f, protocol=2)
        f.write(b"cos\nsystem\n(S'echo hi'\ntR.")  # os.system('echo hi') if it were unrestricted
    with pytest.raises(WeightsFormatError, match="os.system"):
        load_legacy_checkpoint(path)
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(WeightsFormatError):
        load_legacy_checkpoint(path)
