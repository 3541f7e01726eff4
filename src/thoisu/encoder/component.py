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
    "shared_encoder",
    "syllable_spans",
]

# The encoder layers whose states every learned head reads (1-based; the encoder runs up to
# the deepest). Chosen on VLSP 2018 dev: the middle layers carry more about names than the
# last, which e5 tuned for whole-text similarity (docs/quality.md).
SHARED_LAYERS: tuple[int, ...] = (6,)

# A syllable as names are cut: letters and digits, with inner dots, hyphens, apostrophes and
# slashes kept ("TP.HCM", "Xô-viết", "O'Neill", "5/3"); any other mark is its own unit.
SYLLABLE = re.compile(r"\w+(?:[.'’‐\-/&]\w+)*|[^\w\s]")
_WORD = re.compile(r"\S+")


def syllable_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """The syllables of ``text`` as (start, end), shifted by ``offset``."""
    return [(m.start() + offset, m.end() + offset) for m in SYLLABLE.finditer(text)]


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
