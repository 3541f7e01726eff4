"""The shared encoder as a pipeline component: one vector per syllable, once per sentence.

Like spaCy's transformer component and its listeners: the NLP stage runs the encoder over
each sentence once and stores the result on the :class:`~thoisu.records.Sentence`, aligned
to its syllables (``syllables``: character spans, absolute in the article text), and every
learned head after it (names now, events next) reads ``sentence.vectors`` instead of running
a model of its own. A syllable's vector is the mean of the vectors of the subword pieces that
overlap it; punctuation marks are syllables of their own.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from functools import cache

import numpy as np

from ..records import Sentence
from .model import Encoded, Encoder

__all__ = [
    "SHARED_LAYERS",
    "SYLLABLE",
    "align",
    "encode_sentences",
    "encode_texts",
    "select_layers",
    "shared_encoder",
    "syllable_shapes",
    "syllable_spans",
]

# The encoder layers whose states every learned head reads (1-based; the encoder runs up to
# the deepest). Chosen on VLSP 2018 dev: the middle layers carry more about names than the
# last, which e5 tuned for whole-text similarity (docs/quality.md).
SHARED_LAYERS: tuple[int, ...] = (6,)


def select_layers(vectors: np.ndarray, layers: Sequence[int]) -> np.ndarray:
    """The states of ``layers`` (each among SHARED_LAYERS) from a sentence's ``vectors``,
    which hold every shared layer side by side."""
    layers = tuple(layers)
    if layers == SHARED_LAYERS:
        return vectors
    missing = set(layers) - set(SHARED_LAYERS)
    if missing:
        raise ValueError(f"encoder layers {sorted(missing)} are not computed: {SHARED_LAYERS}")
    width = vectors.shape[1] // len(SHARED_LAYERS)
    columns = [np.arange(k * width, (k + 1) * width) for k in map(SHARED_LAYERS.index, layers)]
    return vectors[:, np.concatenate(columns)]


# A syllable as names are cut: letters and digits, with inner dots, hyphens, apostrophes and
# slashes kept ("TP.HCM", "Xô-viết", "O'Neill", "5/3"); any other mark is its own unit.
SYLLABLE = re.compile(r"\w+(?:[.'’‐\-/&]\w+)*|[^\w\s]")
_WORD = re.compile(r"\S+")


def syllable_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """The syllables of ``text`` as (start, end), shifted by ``offset``."""
    return [(m.start() + offset, m.end() + offset) for m in SYLLABLE.finditer(text)]


_OPENERS = frozenset("\"“‘'(«[-–—")
_DIGIT = re.compile(r"\d")  # a Unicode decimal digit, as str.isdecimal


def syllable_shapes(tokens: list[str]) -> np.ndarray:
    """(n, 7) shape clues of a sentence's syllables, read by every learned head: capitalised,
    all capitals, has a digit, punctuation, first of the sentence, after an opening quote or
    bracket, lower case."""
    rows = []
    for i, t in enumerate(tokens):
        alpha = t[:1].isalpha()
        rows.append((
            alpha and t[:1].isupper(),
            alpha and len(t) > 1 and t.isupper(),
            _DIGIT.search(t) is not None,
            not t[:1].isalnum(),
            i == 0,
            i > 0 and tokens[i - 1] in _OPENERS,
            t.islower(),
        ))  # fmt: skip
    return np.array(rows, np.float32).reshape(len(tokens), 7)


def align(
    encoded: Encoded, words: list[tuple[int, int]], syllables: list[tuple[int, int]]
) -> np.ndarray:
    """Mean piece vector per syllable; ``words`` are the spans the pieces were cut from."""
    if not syllables or not encoded.pieces.ids:
        return np.zeros((len(syllables), encoded.vectors.shape[1]), np.float32)
    first = np.array([words[w][0] for w in encoded.pieces.words])
    piece = np.array(encoded.pieces.spans).reshape(-1, 2) + first[:, None]
    bounds = np.array(syllables)
    # overlap[s, p]: piece p overlaps syllable s; each syllable the mean of its pieces
    overlap = (bounds[:, None, 0] < piece[None, :, 1]) & (bounds[:, None, 1] > piece[None, :, 0])
    counts = np.maximum(overlap.sum(axis=1, dtype=np.float32), 1.0)
    return (overlap.astype(np.float32) @ encoded.vectors) / counts[:, None]


def encode_texts(
    texts: Sequence[str], encoder: Encoder, offsets: Sequence[int] | None = None
) -> list[tuple[list[tuple[int, int]], np.ndarray]]:
    """Syllable spans (shifted by each text's offset) and their vectors, for many texts in
    one batched run of the encoder."""
    offsets = offsets or [0] * len(texts)
    words = [[(m.start(), m.end()) for m in _WORD.finditer(t)] for t in texts]
    encoded = encoder.encode([[t[a:b] for a, b in w] for t, w in zip(texts, words, strict=True)])
    out = []
    for text, offset, spans, enc in zip(texts, offsets, words, encoded, strict=True):
        syllables = syllable_spans(text)
        vectors = (
            align(enc, spans, syllables) if syllables else np.zeros((0, encoder.width), np.float32)
        )
        out.append(([(s + offset, e + offset) for s, e in syllables], vectors))
    return out


@cache
def shared_encoder() -> Encoder:
    """The pipeline's encoder (built once per process). Threads: ``THOISU_ENCODER_THREADS``,
    else one per core up to two (a batch's worker processes run one each).

    numpy's BLAS is kept to one thread from then on: the heads' products are small, and
    BLAS threads left spinning after each one took the cores from onnxruntime's (on 2 cores
    the whole analysis ran a third slower with them; ``bench/profile_stages.py``).
    ``THOISU_BLAS_THREADS`` sets another number."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(int(os.environ.get("THOISU_BLAS_THREADS") or 1), user_api="blas")
    threads = int(os.environ.get("THOISU_ENCODER_THREADS") or min(2, os.cpu_count() or 1))
    return Encoder(SHARED_LAYERS, threads=threads)


def encode_sentences(sentences: list[Sentence], encoder: Encoder | None = None) -> None:
    """Set ``syllables`` and ``vectors`` on each sentence, the article's sentences encoded
    in one batched run."""
    if not sentences:
        return
    encoder = encoder or shared_encoder()
    results = encode_texts([s.text for s in sentences], encoder, [s.start for s in sentences])
    for sentence, (syllables, vectors) in zip(sentences, results, strict=True):
        sentence.syllables, sentence.vectors = syllables, vectors
