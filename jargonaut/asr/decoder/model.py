"""Whisper's text decoder in NumPy, with a key/value cache; batch = beams.

Layout follows CTranslate2's Whisper spec (pre-norm layers, fused self-attention QKV,
cross-attention Q plus fused K/V, learned positions, output tied to the embedding).
The math goes through `self.xp` so another array backend (e.g. CuPy) can be swapped in.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

LN_EPS = 1e-5  # not stored in model.bin; Whisper uses PyTorch's default


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): NumPy has no vectorised erf and
    # Whisper's GELU is the exact (erf) form, not the tanh approximation.
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * np.exp(-a * a)
    return sign * y


def gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x * np.float32(0.7071067811865476)))


def layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(-1, keepdims=True)
    return centred / np.sqrt(var + LN_EPS) * gamma + beta


@dataclass
class Layer:
    sa_ln: tuple[np.ndarray, np.ndarray]
    sa_qkv: tuple[np.ndarray, np.ndarray]  # (W^T, b): fused Q/K/V
    sa_out: tuple[np.ndarray, np.ndarray]
    ca_ln: tuple[np.ndarray, np.ndarray]
    ca_q: tuple[np.ndarray, np.ndarray]
    ca_kv: tuple[np.ndarray, np.ndarray]
    ca_out: tuple[np.ndarray, np.ndarray]
    ff_ln: tuple[np.ndarray, np.ndarray]
    ff_in: tuple[np.ndarray, np.ndarray]
    ff_out: tuple[np.ndarray, np.ndarray]


def group_index(index: np.ndarray, rows: int, groups: int) -> np.ndarray:
    """A beam reorder applied to each of `groups` stacked blocks of `rows` cache rows."""
    index = np.asarray(index)
    return index if groups == 1 else np.concatenate([index + g * rows for g in range(groups)])


def with_text_rows(tokens: np.ndarray, groups: int, text_tokens: np.ndarray | None) -> np.ndarray:
    """The step's tokens for every row: the beams', then (with text rows) the text rows' own."""
    if groups == 1:
        return tokens
    return np.concatenate([tokens, tokens if text_tokens is None else text_tokens[tokens]])


class KVCache:
    """Self-attention keys/values per layer, preallocated to the context length; with
    `text_rows`, a second block of rows holds the same beams decoded without the audio."""

    def __init__(self, n_layers: int, batch: int, heads: int, head_dim: int, max_len: int, text_rows: bool = False,
                 text_tokens: np.ndarray | None = None):
        self.groups = 2 if text_rows else 1
        self.text_tokens = text_tokens  # what the text rows read for each token (`StepDecoder.new_cache`)
        shape = (batch * self.groups, heads, max_len, head_dim)
        self.keys = [np.zeros(shape, np.float32) for _ in range(n_layers)]
        self.values = [np.zeros(shape, np.float32) for _ in range(n_layers)]
        self.length = 0

    def upto(self, length: int) -> "KVCache":
        """A copy holding only the first `length` positions (a shorter prefix of the same tokens)."""
        if length > self.length:
            raise ValueError(f"the cache holds {self.length} positions, not {length}")
        copy = KVCache.__new__(KVCache)
        copy.groups, copy.length, copy.text_tokens = self.groups, length, self.text_tokens
        copy.keys = [k.copy() for k in self.keys]
        copy.values = [v.copy() for v in self.values]
        return copy

    def reorder(self, index: np.ndarray) -> None:
        """Keep the rows of the surviving beams (index may repeat and change batch size)."""
        index = group_index(index, self.keys[0].shape[0] // self.groups, self.groups)
        n = self.length
        for store in (self.keys, self.values):
            for i, arr in enumerate(store):
                new = np.empty((len(index),) + arr.shape[1:], np.float32)
                new[:, :, :n] = arr[index, :, :n]
                store[i] = new


class StepDecoder(Protocol):
    """What the beam search needs of a decoder backend (NumPy here, ONNX Runtime in onnx_step)."""

    embedding: np.ndarray
    max_len: int

    def cross_kv(self, encoder_out: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]: ...
    def new_cache(self, batch: int, text_rows: bool = False, text_tokens: np.ndarray | None = None) -> Any:
        """A cache for `batch` beams; with `text_rows`, `forward` also decodes every beam
        without the audio (Whisper's internal LM) and returns those logits after the beams';
        `text_tokens` (token -> token) is what those rows read in each token's place."""
    def forward(self, tokens: np.ndarray, cache: Any, cross: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray: ...


def text_cross_outputs(weights: dict[str, np.ndarray]) -> list[np.ndarray]:
    """Per layer, what cross-attention adds for a text-only row: attention over one all-zero
    encoder frame (any number of identical frames) returns the value bias, whatever the
    query, so the block's output is the constant W_out @ b_v + b_out."""
    out = []
    i = 0
    while f"decoder/layer_{i}/attention/linear_2/weight" in weights:
        q = f"decoder/layer_{i}/attention/"
        kv_bias = weights[q + "linear_1/bias"].astype(np.float32)
        value_bias = kv_bias[len(kv_bias) // 2 :]  # fused K/V: keys first
        out.append(weights[q + "linear_2/weight"].astype(np.float32) @ value_bias + weights[q + "linear_2/bias"])
        i += 1
    return out


class WhisperDecoder:
    def __init__(self, weights: dict[str, np.ndarray], xp=np):
        self.xp = xp
        p = "decoder/"
        self.n_heads = int(weights[p + "num_heads"])
        self.embedding = xp.asarray(weights[p + "embeddings/weight"])
        self.positions = xp.asarray(weights[p + "position_encodings/encodings"])
        self.projection_t = xp.ascontiguousarray(xp.asarray(weights[p + "projection/weight"]).T)
        self.final_ln = (weights[p + "layer_norm/gamma"], weights[p + "layer_norm/beta"])
        self.d_model = self.embedding.shape[1]
        self.head_dim = self.d_model // self.n_heads
        self.max_len = self.positions.shape[0]

        def lin(name: str) -> tuple[np.ndarray, np.ndarray]:
            return (xp.ascontiguousarray(weights[name + "/weight"].T), weights[name + "/bias"])

        def ln(name: str) -> tuple[np.ndarray, np.ndarray]:
            return (weights[name + "/gamma"], weights[name + "/beta"])

        self.layers: list[Layer] = []
        i = 0
        while f"{p}layer_{i}/ffn/linear_0/weight" in weights:
            q = f"{p}layer_{i}/"
            self.layers.append(
                Layer(
                    sa_ln=ln(q + "self_attention/layer_norm"),
                    sa_qkv=lin(q + "self_attention/linear_0"),
                    sa_out=lin(q + "self_attention/linear_1"),
                    ca_ln=ln(q + "attention/layer_norm"),
                    ca_q=lin(q + "attention/linear_0"),
                    ca_kv=lin(q + "attention/linear_1"),
                    ca_out=lin(q + "attention/linear_2"),
                    ff_ln=ln(q + "ffn/layer_norm"),
                    ff_in=lin(q + "ffn/linear_0"),
                    ff_out=lin(q + "ffn/linear_1"),
                )
            )
            i += 1
        self.text_cross = [xp.asarray(c) for c in text_cross_outputs(weights)]

    # -- per window ---------------------------------------------------------------------
    def cross_kv(self, encoder_out: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Cross-attention K^T and V per layer from the encoder output (frames × d_model)."""
        enc = self.xp.asarray(encoder_out, dtype=np.float32).reshape(-1, self.d_model)
        out = []
        for layer in self.layers:
            kv = enc @ layer.ca_kv[0] + layer.ca_kv[1]
            k, v = kv[:, : self.d_model], kv[:, self.d_model :]
            k_t = k.reshape(-1, self.n_heads, self.head_dim).transpose(1, 2, 0).copy()  # H, D, T
            v = v.reshape(-1, self.n_heads, self.head_dim).transpose(1, 0, 2).copy()  # H, T, D
            out.append((k_t, v))
        return out

    def new_cache(self, batch: int, text_rows: bool = False, text_tokens: np.ndarray | None = None) -> KVCache:
        return KVCache(len(self.layers), batch, self.n_heads, self.head_dim, self.max_len, text_rows, text_tokens)

    # -- per step -----------------------------------------------------------------------
    def forward(
        self, tokens: np.ndarray, cache: KVCache, cross: list[tuple[np.ndarray, np.ndarray]]
    ) -> np.ndarray:
        """Feed `tokens` (batch × n_new) after the cached ones; float32 logits of the last position
        (with text rows: the beams' rows, then the same beams' text-only rows)."""
        audio_rows = tokens.shape[0]
        tokens = with_text_rows(tokens, cache.groups, cache.text_tokens)
        b, n = tokens.shape
        h, d = self.n_heads, self.head_dim
        start = cache.length
        if start + n > self.max_len:
            raise ValueError("decoder context is full")
        x = self.embedding[tokens] + self.positions[start : start + n]
        scale = np.float32(1.0 / np.sqrt(d))
        causal = None
        if n > 1:
            causal = np.triu(np.full((n, start + n), -np.inf, np.float32), k=start + 1)
        for li, layer in enumerate(self.layers):
            # self-attention (cached)
            y = layer_norm(x, *layer.sa_ln)
            qkv = y @ layer.sa_qkv[0] + layer.sa_qkv[1]
            qkv = qkv.reshape(b, n, 3, h, d)
            q = qkv[:, :, 0].transpose(0, 2, 1, 3) * scale  # b h n d
            cache.keys[li][:, :, start : start + n] = qkv[:, :, 1].transpose(0, 2, 1, 3)
            cache.values[li][:, :, start : start + n] = qkv[:, :, 2].transpose(0, 2, 1, 3)
            k = cache.keys[li][:, :, : start + n]
            v = cache.values[li][:, :, : start + n]
            att = q @ k.transpose(0, 1, 3, 2)
            if causal is not None:
                att = att + causal
            att = _softmax(att)
            y = (att @ v).transpose(0, 2, 1, 3).reshape(b, n, h * d)
            x = x + (y @ layer.sa_out[0] + layer.sa_out[1])
            # cross-attention: all beams share one encoder output, so fold beams into rows
            y = layer_norm(x[:audio_rows], *layer.ca_ln)
            q = (y @ layer.ca_q[0] + layer.ca_q[1]) * scale
            q = q.reshape(audio_rows * n, h, d).transpose(1, 0, 2)  # h, b*n, d
            k_t, v_c = cross[li]
            att = _softmax(q @ k_t)
            y = (att @ v_c).transpose(1, 0, 2).reshape(audio_rows, n, h * d)
            x[:audio_rows] += y @ layer.ca_out[0] + layer.ca_out[1]
            x[audio_rows:] += self.text_cross[li]
            # feed-forward
            y = layer_norm(x, *layer.ff_ln)
            y = gelu(y @ layer.ff_in[0] + layer.ff_in[1])
            x = x + (y @ layer.ff_out[0] + layer.ff_out[1])
        cache.length = start + n
        x = layer_norm(x[:, -1], *self.final_ln)
        return x @ self.projection_t


def _softmax(x: np.ndarray) -> np.ndarray:
    x = x - x.max(-1, keepdims=True)
    np.exp(x, out=x)
    x /= x.sum(-1, keepdims=True)
    return x


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """Float32 log-softmax over the last axis (float64 costs ~2 ms per step)."""
    shifted = logits - logits.max(-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))


def logsumexp_rows(logits: np.ndarray) -> np.ndarray:
    """ln sum exp over the last axis of a 2-D array: the log-softmax normaliser per row, for
    when only a few entries' log-probabilities are needed (no full log-softmax array)."""
    top = logits.max(-1, keepdims=True)
    shifted = np.exp(logits - top)
    return top[:, 0] + np.log(shifted.sum(-1))
