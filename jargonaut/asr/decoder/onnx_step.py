"""Whisper's decoder step as one ONNX Runtime graph, float32 or int8 like CTranslate2.

The NumPy decoder (`model.py`) spends most of a beam step on Python overhead between
~150 small ops and on reading the float32 vocabulary projection (80 MB for tiny).
Here the same math (same weights, same layout) is one graph built with `onnx.helper`
and run by ONNX Runtime; with `precision="int8"` every linear layer, the tied output
projection included, uses int8 weights in blocks of 32 inputs and int8 activations
(`MatMulNBits`, accuracy level 4), the same class of quantisation as CTranslate2's
`compute_type="int8"` on the plain path. The key/value cache travels as graph inputs and
outputs; the prompt's rows are passed once and broadcast to the beams.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from jargonaut.asr.decoder.model import LN_EPS, WhisperDecoder, group_index, text_cross_outputs, with_text_rows

PRECISIONS = ("float32", "int8")
INT8_BLOCK = 32


@dataclass
class OrtKVCache:
    """Self-attention keys/values per layer, batch × heads × length × head_dim, in two parts:
    the prompt's rows, shared by every beam (one row per group), and each beam's own rows
    since. Group 1, with text rows, is the same beams decoded without the audio."""

    prefix_keys: list[np.ndarray]
    prefix_values: list[np.ndarray]
    keys: list[np.ndarray]
    values: list[np.ndarray]
    length: int = 0
    text_tokens: np.ndarray | None = None  # what the text rows read for each token

    @property
    def groups(self) -> int:
        """1, or 2 with text rows: one shared prefix row per group."""
        return self.prefix_keys[0].shape[0]

    def upto(self, length: int) -> "OrtKVCache":
        """A copy holding only the first `length` positions (a shorter prefix of the same tokens)."""
        shared = self.prefix_keys[0].shape[2]
        if not shared <= length <= self.length:
            raise ValueError(f"the cache holds positions {shared} to {self.length}, not up to {length}")
        own = length - shared
        return OrtKVCache(self.prefix_keys, self.prefix_values,
                          [np.ascontiguousarray(k[:, :, :own]) for k in self.keys],
                          [np.ascontiguousarray(v[:, :, :own]) for v in self.values], length, self.text_tokens)

    def reorder(self, index: np.ndarray) -> None:
        """Keep the rows of the surviving beams (index may repeat and change batch size)."""
        index = np.asarray(index)
        g = self.groups
        if self.keys[0].shape[0] == g and not self.prefix_keys[0].shape[2] and not index.any():
            # One row fanned out to the beams: keep it once as the shared prefix, so later
            # steps neither copy nor concatenate the prompt per beam.
            self.prefix_keys, self.prefix_values = self.keys, self.values
            self.keys = [np.zeros((g * len(index),) + k.shape[1:2] + (0,) + k.shape[3:], np.float32) for k in self.keys]
            self.values = [np.zeros_like(k) for k in self.keys]
            return
        index = group_index(index, self.keys[0].shape[0] // g, g)
        self.keys = [k[index] for k in self.keys]
        self.values = [v[index] for v in self.values]


@dataclass
class _GraphBuilder:
    """Accumulates nodes and initializers; names are generated, so call order is the graph."""

    precision: str
    nodes: list = field(default_factory=list)
    initializers: list = field(default_factory=list)
    counter: int = 0

    def name(self, hint: str) -> str:
        self.counter += 1
        return f"{hint}_{self.counter}"

    def const(self, value: np.ndarray | np.generic, hint: str = "c") -> str:
        from onnx import numpy_helper

        name = self.name(hint)
        self.initializers.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(self, op_type: str, inputs: list[str], domain: str = "", **attrs) -> str:
        from onnx import helper

        out = self.name(op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], domain=domain, **attrs))
        return out

    def linear(self, x: str, weight: np.ndarray, bias: np.ndarray | None) -> str:
        """x @ weight.T + bias, weight stored as (out, in) like CTranslate2."""
        if self.precision == "int8":
            y = self._int8_matmul(x, weight)
        else:
            y = self.op("MatMul", [x, self.const(np.ascontiguousarray(weight.T.astype(np.float32)), "w")])
        return y if bias is None else self.op("Add", [y, self.const(bias.astype(np.float32), "b")])

    def _int8_matmul(self, x: str, weight: np.ndarray) -> str:
        """x @ weight.T with weight quantised to int8 in blocks of 32 inputs (symmetric, one
        scale per block); accuracy level 4 also quantises x per block, so the dot products run
        in int8. Per-block scales keep the logits much closer to float32 than per-row ones."""
        n, k = weight.shape
        blocks = weight.reshape(n, k // INT8_BLOCK, INT8_BLOCK)
        scale = np.abs(blocks).max(axis=2) / 127.0
        scale[scale == 0] = 1.0
        q = (np.clip(np.rint(blocks / scale[:, :, None]), -127, 127) + 128).astype(np.uint8)  # zero point 128
        return self.op(
            "MatMulNBits", [x, self.const(q, "wq"), self.const(scale.astype(np.float32).reshape(-1), "ws")],
            domain="com.microsoft", K=k, N=n, bits=8, block_size=INT8_BLOCK, accuracy_level=4,
        )

    def layer_norm(self, x: str, gamma: np.ndarray, beta: np.ndarray) -> str:
        return self.op("LayerNormalization", [x, self.const(gamma, "g"), self.const(beta, "beta")], axis=-1, epsilon=LN_EPS)


def build_step_graph(weights: dict[str, np.ndarray], precision: str = "float32") -> bytes:
    """Serialised ONNX model: (tokens, positions, mask, past K/V, prefix K/V, cross K/V) → (logits, present K/V)."""
    from onnx import TensorProto, helper

    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, not {precision!r}")
    p = "decoder/"
    g = _GraphBuilder(precision)
    heads = int(weights[p + "num_heads"])
    embedding = weights[p + "embeddings/weight"].astype(np.float32)
    d_model = embedding.shape[1]
    head_dim = d_model // heads
    n_layers = sum(1 for k in weights if k.startswith(p) and k.endswith("/ffn/linear_0/weight"))

    f32, i64 = TensorProto.FLOAT, TensorProto.INT64
    inputs = [
        helper.make_tensor_value_info("tokens", i64, ["batch", "new"]),
        helper.make_tensor_value_info("positions", i64, ["new"]),
        helper.make_tensor_value_info("mask", f32, ["new", "total"]),
    ]
    outputs = [helper.make_tensor_value_info("logits", f32, ["batch", len(embedding)])]

    x = g.op("Add", [g.op("Gather", [g.const(embedding, "embedding"), "tokens"]),
                     g.op("Gather", [g.const(weights[p + "position_encodings/encodings"].astype(np.float32), "pos"), "positions"])])
    scale = g.const(np.float32(1.0 / np.sqrt(head_dim)), "scale")
    split_heads = g.const(np.array([0, 0, 3, heads, head_dim], np.int64), "shape")
    merge_heads = g.const(np.array([0, 0, d_model], np.int64), "shape")
    rows_by_head = g.const(np.array([-1, heads, head_dim], np.int64), "shape")
    zero, end = g.const(np.array([0], np.int64), "zero"), g.const(np.array([2**62], np.int64), "end")
    last_axis = g.const(np.array([-1], np.int64), "axis")
    # Rows come in groups (1, or 2 with text rows: the beams, then the beams without audio);
    # the group count is the prefix cache's batch.
    groups = g.op("Shape", ["prefix_key_0"], start=0, end=1)
    batch = g.op("Shape", ["tokens"], start=0, end=1)
    audio_rows = g.op("Div", [batch, groups])
    audio_shape = g.op("Concat", [audio_rows, g.op("Shape", ["tokens"], start=1, end=2),
                                  g.const(np.array([d_model], np.int64), "shape")], axis=0)
    text_shape = g.op("Concat", [g.op("Sub", [batch, audio_rows]), g.op("Shape", ["tokens"], start=1, end=2),
                                 g.const(np.array([d_model], np.int64), "shape")], axis=0)
    text_cross = text_cross_outputs(weights)
    axis0, axis1 = g.const(np.array([0], np.int64), "axis"), g.const(np.array([1], np.int64), "axis")

    new = g.op("Shape", ["tokens"], start=1, end=2)
    heads_c, head_dim_c = g.const(np.array([heads], np.int64), "shape"), g.const(np.array([head_dim], np.int64), "shape")

    def grouped(t: str, last: str) -> str:
        """(batch, heads, new, last) -> (groups, batch / groups, heads, new, last), to meet the
        per-group prefix (an empty prompt prefix makes a size 0: spelled out, `allowzero`)."""
        return g.op("Reshape", [t, g.op("Concat", [groups, audio_rows, heads_c, new, last], axis=0)], allowzero=1)

    def ungrouped(t: str, last: str) -> str:
        return g.op("Reshape", [t, g.op("Concat", [batch, heads_c, new, last], axis=0)], allowzero=1)

    def w(name: str) -> tuple[np.ndarray, np.ndarray]:
        return weights[name + "/weight"], weights[name + "/bias"]

    def ln(name: str) -> tuple[np.ndarray, np.ndarray]:
        return weights[name + "/gamma"], weights[name + "/beta"]

    for i in range(n_layers):
        q_ = f"{p}layer_{i}/"
        for kind in ("past_key", "past_value"):
            inputs.append(helper.make_tensor_value_info(f"{kind}_{i}", f32, ["batch", heads, "past", head_dim]))
        for kind in ("prefix_key", "prefix_value"):
            inputs.append(helper.make_tensor_value_info(f"{kind}_{i}", f32, ["groups", heads, "prefix", head_dim]))
        inputs.append(helper.make_tensor_value_info(f"cross_key_{i}", f32, [heads, head_dim, "frames"]))
        inputs.append(helper.make_tensor_value_info(f"cross_value_{i}", f32, [heads, "frames", head_dim]))
        # self-attention with the cache
        y = g.layer_norm(x, *ln(q_ + "self_attention/layer_norm"))
        qkv = g.op("Reshape", [g.linear(y, *w(q_ + "self_attention/linear_0")), split_heads])
        qkv = g.op("Transpose", [qkv], perm=[2, 0, 3, 1, 4])  # 3, b, h, n, d
        q, k, v = (g.op("Gather", [qkv, g.const(np.int64(j), "idx")], axis=0) for j in range(3))
        present_k = g.op("Concat", [f"past_key_{i}", k], axis=2)
        present_v = g.op("Concat", [f"past_value_{i}", v], axis=2)
        g.nodes.append(helper.make_node("Identity", [present_k], [f"present_key_{i}"]))
        g.nodes.append(helper.make_node("Identity", [present_v], [f"present_value_{i}"]))
        for kind in ("present_key", "present_value"):
            outputs.append(helper.make_tensor_value_info(f"{kind}_{i}", f32, ["batch", heads, "total", head_dim]))
        # scores over the shared prompt rows (one per group, broadcast to its beams), then the beam's own
        q = g.op("Mul", [q, scale])
        prefix_k_t = g.op("Unsqueeze", [g.op("Transpose", [f"prefix_key_{i}"], perm=[0, 1, 3, 2]), axis1])
        n_prefix = g.op("Shape", [f"prefix_key_{i}"], start=2, end=3)
        att = g.op("Concat", [ungrouped(g.op("MatMul", [grouped(q, head_dim_c), prefix_k_t]), n_prefix),
                              g.op("MatMul", [q, g.op("Transpose", [present_k], perm=[0, 1, 3, 2])])], axis=-1)
        att = g.op("Softmax", [g.op("Add", [att, "mask"])], axis=-1)
        on_prefix = g.op("Slice", [att, zero, n_prefix, last_axis])
        on_own = g.op("Slice", [att, n_prefix, end, last_axis])
        prefix_v = g.op("Unsqueeze", [f"prefix_value_{i}", axis1])
        from_prefix = ungrouped(g.op("MatMul", [grouped(on_prefix, n_prefix), prefix_v]), head_dim_c)
        y = g.op("Add", [from_prefix, g.op("MatMul", [on_own, present_v])])
        y = g.op("Transpose", [y], perm=[0, 2, 1, 3])
        x = g.op("Add", [x, g.linear(g.op("Reshape", [y, merge_heads]), *w(q_ + "self_attention/linear_1"))])
        # cross-attention: all beams share one encoder output, so fold beams into rows;
        # text-only rows get the block's constant output (text_cross_outputs)
        y = g.layer_norm(g.op("Slice", [x, zero, audio_rows, axis0]), *ln(q_ + "attention/layer_norm"))
        q = g.op("Mul", [g.linear(y, *w(q_ + "attention/linear_0")), scale])
        q = g.op("Transpose", [g.op("Reshape", [q, rows_by_head])], perm=[1, 0, 2])  # h, b*n, d
        att = g.op("Softmax", [g.op("MatMul", [q, f"cross_key_{i}"])], axis=-1)
        y = g.op("Transpose", [g.op("MatMul", [att, f"cross_value_{i}"])], perm=[1, 0, 2])
        y = g.linear(g.op("Reshape", [y, audio_shape]), *w(q_ + "attention/linear_2"))
        text = g.op("Expand", [g.const(text_cross[i].reshape(1, 1, d_model).astype(np.float32), "text_cross"), text_shape])
        x = g.op("Add", [x, g.op("Concat", [y, text], axis=0)])
        # feed-forward with Whisper's exact (erf) GELU
        y = g.linear(g.layer_norm(x, *ln(q_ + "ffn/layer_norm")), *w(q_ + "ffn/linear_0"))
        gate = g.op("Add", [g.op("Erf", [g.op("Mul", [y, g.const(np.float32(0.7071067811865476))])]), g.const(np.float32(1.0))])
        y = g.op("Mul", [g.op("Mul", [y, gate]), g.const(np.float32(0.5))])
        x = g.op("Add", [x, g.linear(y, *w(q_ + "ffn/linear_1"))])

    last = g.op("Gather", [x, g.const(np.int64(-1), "idx")], axis=1)  # b, d_model
    last = g.layer_norm(last, weights[p + "layer_norm/gamma"], weights[p + "layer_norm/beta"])
    g.nodes.append(helper.make_node("Identity", [g.linear(last, embedding, None)], ["logits"]))
    graph = helper.make_graph(g.nodes, "whisper_decoder_step", inputs, outputs, g.initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])
    return model.SerializeToString()


def providers(device: str) -> list[str]:
    """ONNX Runtime execution providers for `device`; CUDA keeps CPU as the fallback for ops
    it lacks. Asking for CUDA where ONNX Runtime has none is an error, not a silent CPU run."""
    import onnxruntime as ort

    if device == "cpu":
        return ["CPUExecutionProvider"]
    if device == "cuda":
        if "CUDAExecutionProvider" not in ort.get_available_providers():
            raise RuntimeError("device=cuda, but this ONNX Runtime has no CUDAExecutionProvider "
                               "(install onnxruntime-gpu, or set JARGONAUT_DEVICE=cpu)")
        return ["CUDAExecutionProvider", "CPUExecutionProvider"]
    raise ValueError(f"unknown device {device!r}")


class OrtWhisperDecoder:
    """Drop-in for `WhisperDecoder` (same `cross_kv`/`new_cache`/`forward`), run by ONNX Runtime."""

    def __init__(self, weights: dict[str, np.ndarray], precision: str = "float32", threads: int = 1,
                 device: str = "cpu"):
        import onnxruntime as ort

        self._numpy = WhisperDecoder(weights)  # cross K/V once per window, shapes
        self._numpy.projection_t = None  # the graph holds its own (80 MB in float32 for tiny)
        self.embedding = self._numpy.embedding
        self.max_len = self._numpy.max_len
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")  # no busy-wait next to CTranslate2
        self._session = ort.InferenceSession(build_step_graph(weights, precision), opts, providers=providers(device))
        self._layers = len(self._numpy.layers)
        self._outputs = ["logits"] + [f"present_{kind}_{i}" for i in range(self._layers) for kind in ("key", "value")]

    def cross_kv(self, encoder_out: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        return self._numpy.cross_kv(encoder_out)

    def new_cache(self, batch: int, text_rows: bool = False, text_tokens: np.ndarray | None = None) -> OrtKVCache:
        def empty(rows: int) -> list[np.ndarray]:
            return [np.zeros((rows, self._numpy.n_heads, 0, self._numpy.head_dim), np.float32) for _ in range(self._layers)]

        groups = 2 if text_rows else 1
        return OrtKVCache(empty(groups), empty(groups), empty(groups * batch), empty(groups * batch), 0, text_tokens)

    def forward(self, tokens: np.ndarray, cache: OrtKVCache, cross: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        """Feed `tokens` (batch × n_new) after the cached ones; float32 logits of the last position
        (with text rows: the beams' rows, then the same beams' text-only rows)."""
        tokens = with_text_rows(tokens, cache.groups, cache.text_tokens)
        n = tokens.shape[1]
        start = cache.length
        if start + n > self.max_len:
            raise ValueError("decoder context is full")
        mask = np.triu(np.full((n, start + n), -np.inf, np.float32), k=start + 1) if n > 1 else np.zeros((1, start + 1), np.float32)
        feed: dict[str, np.ndarray] = {
            "tokens": np.ascontiguousarray(tokens, dtype=np.int64),
            "positions": np.arange(start, start + n, dtype=np.int64),
            "mask": mask,
        }
        for i, (k_t, v) in enumerate(cross):
            feed[f"past_key_{i}"] = cache.keys[i]
            feed[f"past_value_{i}"] = cache.values[i]
            feed[f"prefix_key_{i}"] = cache.prefix_keys[i]
            feed[f"prefix_value_{i}"] = cache.prefix_values[i]
            feed[f"cross_key_{i}"] = k_t
            feed[f"cross_value_{i}"] = v
        logits, *present = self._session.run(self._outputs, feed)
        cache.keys, cache.values = present[0::2], present[1::2]
        cache.length = start + n
        return logits
