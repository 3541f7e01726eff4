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


def syllable_shapes(tokens: list[str]) -> np.ndarray:
    """(n, 7) shape clues of a sentence's syllables, read by every learned head: capitalised,
    all capitals, has a digit, punctuation, first of the sentence, after an opening quote or
    bracket, lower case."""
    out = np.zeros((len(tokens), 7), np.float32)
    for i, t in enumerate(tokens):
        alpha = t[:1].isalpha()
        out[i] = (
            alpha and t[:1].isupper(),
            alpha and len(t) > 1 and t.isupper(),
            any(c.isdecimal() for c in t),
            not t[:1].isalnum(),
            i == 0,
            i > 0 and tokens[i - 1] in _OPENERS,
            t.islower(),
        )
    return out


def align(
    encoded: Encoded, words: list[tuple[int, int]], syllables: list[tuple[int, int]]
) -> np.ndarray:
    """Mean piece vector per syllable; ``words`` are the spans the pieces were cut from."""
    out = np.zeros((len(syllables), encoded.vectors.shape[1]), np.float32)
    counts = np.zeros(len(syllables), np.float32)
    starts = np.array([s for s, _ in syllables])
    ends = np.array([e for _, e in syllables])
    for vector, word, (a, b) in zip(
        encoded.vectors, encoded.pieces.words, encoded.pieces.spans, strict=True
    ):
        start, end = words[word][0] + a, words[word][0] + b
        hit = np.nonzero((starts < end) & (ends > start))[0]
        out[hit] += vector
        counts[hit] += 1
    counts[counts == 0] = 1
    return out / counts[:, None]


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
    else one per core up to two (a batch's worker processes run one each)."""
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
