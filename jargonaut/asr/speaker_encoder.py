"""Speaker embeddings in NumPy from Resemblyzer's GE2E voice encoder.

The `resemblyzer` wheel (0.1.4, on PyPI) carries `pretrained.pt`: a 3-layer LSTM (256 units)
over 40-band mel spectrograms of 16 kHz audio (25 ms windows, 10 ms hop) and a linear layer,
trained with the generalised end-to-end loss on partial utterances of 160 frames (1.6 s).
The package itself imports torch, so we never import it: importlib finds the file, and
`torch_weights` reads it. The front end reproduces its `audio.py` (librosa's power mel
spectrogram, Slaney mel scale and norm, centred frames, volume normalised to -30 dBFS).
"""
from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from jargonaut.asr.torch_weights import load_legacy_checkpoint

RATE = 16000
N_FFT = 400  # 25 ms
HOP = 160  # 10 ms
N_MELS = 40
PARTIAL_FRAMES = 160  # 1.6 s: the utterance length the encoder was trained on
HIDDEN = 256
LAYERS = 3
NORM_TARGET_DBFS = -30.0
_INT16_MAX = 2**15 - 1


class EncoderUnavailable(RuntimeError):
    """The resemblyzer wheel (which carries the weights) is not installed."""


def weights_path() -> Path:
    """`pretrained.pt` inside the installed resemblyzer package, found without importing it."""
    spec = importlib.util.find_spec("resemblyzer")
    if spec is None or not spec.submodule_search_locations:
        raise EncoderUnavailable("speaker labels need the resemblyzer wheel (pip install --no-deps resemblyzer==0.1.4)")
    path = Path(list(spec.submodule_search_locations)[0]) / "pretrained.pt"
    if not path.exists():
        raise EncoderUnavailable(f"the resemblyzer package has no {path.name}")
    return path


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's mel scale (librosa's default): linear below 1 kHz, logarithmic above."""
    hz = np.asarray(hz, dtype=np.float64)
    mel = hz / (200.0 / 3)
    log_part = hz >= 1000.0
    return np.where(log_part, 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / (np.log(6.4) / 27.0), mel)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    hz = mel * (200.0 / 3)
    return np.where(mel >= 15.0, 1000.0 * np.exp((np.log(6.4) / 27.0) * (mel - 15.0)), hz)


@lru_cache(maxsize=1)
def mel_filters() -> np.ndarray:
    """(40, 201) Slaney-normalised triangular filters, as librosa.filters.mel(sr=16000, n_fft=400, n_mels=40)."""
    fft_freqs = np.linspace(0, RATE / 2, N_FFT // 2 + 1)
    mel_f = _mel_to_hz(np.linspace(_hz_to_mel(np.array(0.0)), _hz_to_mel(np.array(RATE / 2)), N_MELS + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2:] - mel_f[:-2]))[:, None]
    return weights.astype(np.float32)


def normalize_volume(audio: np.ndarray) -> np.ndarray:
    """Raise (never lower) the level to -30 dBFS, as the encoder's training data was."""
    rms = float(np.sqrt(np.mean((audio.astype(np.float64) * _INT16_MAX) ** 2))) if len(audio) else 0.0
    if rms == 0.0:
        return audio
    change = NORM_TARGET_DBFS - 20 * np.log10(rms / _INT16_MAX)
    return audio if change < 0 else (audio * (10 ** (change / 20))).astype(np.float32)


def mel_spectrogram(audio: np.ndarray) -> np.ndarray:
    """(frames, 40) power mel spectrogram (not log: the encoder was trained on it as is), one
    frame per 10 ms, centred with reflection padding like librosa."""
    audio = np.asarray(audio, dtype=np.float32)
    pad = N_FFT // 2
    padded = np.pad(audio, pad, mode="reflect") if len(audio) > pad else np.pad(audio, pad)
    frames = 1 + (len(padded) - N_FFT) // HOP
    index = np.arange(N_FFT)[None, :] + HOP * np.arange(frames)[:, None]
    window = np.hanning(N_FFT + 1)[:-1].astype(np.float32)  # periodic Hann, as scipy's get_window
    spectrum = np.abs(np.fft.rfft(padded[index] * window, axis=1)) ** 2
    return (spectrum.astype(np.float32) @ mel_filters().T).astype(np.float32)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # overflow-free


class VoiceEncoder:
    """GE2E embeddings (256-d, non-negative, unit length) of 1.6 s mel windows.

    The three LSTM layers run as ONNX `LSTM` nodes in ONNX Runtime (a graph built here from
    the checkpoint's arrays with the onnx helper API): its C++ recurrence is several times
    faster than stepping the LSTM in NumPy (bench/speaker_labels.py measures the cost)."""

    def __init__(self, state: dict[str, np.ndarray], threads: int = 0) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(_lstm_graph(state).SerializeToString(), options,
                                            providers=["CPUExecutionProvider"])
        self.linear_w = np.ascontiguousarray(state["linear.weight"].T)
        self.linear_b = state["linear.bias"]
        if self.linear_w.shape != (HIDDEN, HIDDEN):
            raise ValueError(f"unexpected linear layer shape {self.linear_w.shape}")

    @classmethod
    def from_package(cls) -> "VoiceEncoder":
        return _packaged_encoder()

    def embed(self, mels: np.ndarray, batch: int = 256) -> np.ndarray:
        """(B, frames, 40) -> (B, 256): the last layer's final hidden state -> linear -> ReLU -> L2 norm."""
        out = [self._embed(mels[i:i + batch]) for i in range(0, len(mels), batch)]
        return np.concatenate(out) if out else np.zeros((0, HIDDEN), np.float32)

    def _embed(self, mels: np.ndarray) -> np.ndarray:
        (hidden,) = self.session.run(None, {"mels": np.ascontiguousarray(mels, dtype=np.float32)})
        raw = np.maximum(hidden @ self.linear_w + self.linear_b, 0.0)
        return raw / np.maximum(np.linalg.norm(raw, axis=1, keepdims=True), 1e-12)


def _lstm_graph(state: dict[str, np.ndarray]) -> Any:
    """mels (B, T, 40) -> the third layer's final hidden state (B, 256), as ONNX LSTM nodes."""
    from onnx import TensorProto, helper, numpy_helper

    # PyTorch stacks the gates i, f, g, o; ONNX expects i, o, f, c.
    order = np.concatenate([np.arange(k * HIDDEN, (k + 1) * HIDDEN) for k in (0, 3, 1, 2)])
    nodes = [helper.make_node("Transpose", ["mels"], ["x0"], perm=[1, 0, 2])]
    initializers = [numpy_helper.from_array(np.array([1], np.int64), "axis1"),
                    numpy_helper.from_array(np.array([0], np.int64), "axis0")]
    for layer in range(LAYERS):
        w_ih, w_hh = state[f"lstm.weight_ih_l{layer}"], state[f"lstm.weight_hh_l{layer}"]
        expected_in = N_MELS if layer == 0 else HIDDEN
        if w_ih.shape != (4 * HIDDEN, expected_in) or w_hh.shape != (4 * HIDDEN, HIDDEN):
            raise ValueError(f"unexpected LSTM layer {layer} shapes {w_ih.shape}, {w_hh.shape}")
        bias = np.concatenate([state[f"lstm.bias_ih_l{layer}"][order], state[f"lstm.bias_hh_l{layer}"][order]])
        initializers += [
            numpy_helper.from_array(w_ih[order][None].astype(np.float32), f"W{layer}"),
            numpy_helper.from_array(w_hh[order][None].astype(np.float32), f"R{layer}"),
            numpy_helper.from_array(bias[None].astype(np.float32), f"B{layer}"),
        ]
        nodes.append(helper.make_node("LSTM", [f"x{layer}", f"W{layer}", f"R{layer}", f"B{layer}"],
                                      [f"y{layer}", f"h{layer}"], hidden_size=HIDDEN))
        nodes.append(helper.make_node("Squeeze", [f"y{layer}", "axis1"], [f"x{layer + 1}"]))
    nodes.append(helper.make_node("Squeeze", [f"h{LAYERS - 1}", "axis0"], ["hidden"]))
    graph = helper.make_graph(
        nodes, "ge2e_lstm",
        [helper.make_tensor_value_info("mels", TensorProto.FLOAT, ["batch", "frames", N_MELS])],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", HIDDEN])],
        initializers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def lstm_reference(state: dict[str, np.ndarray], mels: np.ndarray) -> np.ndarray:
    """The same LSTM stepped in NumPy (PyTorch's equations), to check the ONNX graph against."""
    x = np.asarray(mels, dtype=np.float32)
    n, steps, _ = x.shape
    h = np.zeros((n, HIDDEN), np.float32)
    for layer in range(LAYERS):
        inputs = x @ state[f"lstm.weight_ih_l{layer}"].T + state[f"lstm.bias_ih_l{layer}"] + state[f"lstm.bias_hh_l{layer}"]
        w_hh = state[f"lstm.weight_hh_l{layer}"].T
        h = np.zeros((n, HIDDEN), np.float32)
        c = np.zeros((n, HIDDEN), np.float32)
        outputs = np.empty((n, steps, HIDDEN), np.float32)
        for t in range(steps):
            gates = inputs[:, t] + h @ w_hh
            i, f = _sigmoid(gates[:, :HIDDEN]), _sigmoid(gates[:, HIDDEN:2 * HIDDEN])
            g, o = np.tanh(gates[:, 2 * HIDDEN:3 * HIDDEN]), _sigmoid(gates[:, 3 * HIDDEN:])
            c = f * c + i * g
            h = o * np.tanh(c)
            outputs[:, t] = h
        x = outputs
    return h


@lru_cache(maxsize=1)
def _packaged_encoder() -> VoiceEncoder:
    return VoiceEncoder(packaged_state())


def packaged_state() -> dict[str, np.ndarray]:
    """The encoder's weights from the installed wheel."""
    state: dict[str, np.ndarray] = load_legacy_checkpoint(weights_path())["model_state"]
    return state
