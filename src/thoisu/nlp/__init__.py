"""Vietnamese NLP stage: sentences, words and POS tags with offsets into ``Article.text``.

Built on underthesea's bundled CRF models (sentence splitter, word segmenter, POS
tagger); nothing is downloaded. underthesea's own ``ner()`` is deliberately not used
here: it is slow (it re-runs segmentation, POS and chunking) and tags organisations
such as NATO as persons; entity recognition lives in :mod:`thoisu.entities`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache
from pathlib import Path

from ..encoder import encode_sentences
from ..limits import Limits, check_time, current_limits
from ..records import Article, Sentence, Token
from ..text import fold

__all__ = ["segment", "tokenize_sentence", "split_sentences"]

# A paragraph boundary is a newline; sentences never cross one.
_PARAGRAPH = re.compile(r"[^\n]+")


@cache
def _underthesea() -> tuple[Callable, Callable]:
    """underthesea's sentence splitter and a word+POS tagger, loaded once.

    POS uses underthesea's newer VLSP 2013 CRF model through its Rust featurizer
    (``FastCRFSequenceTagger``): about 1.7x faster than ``underthesea.pos_tag``'s default
    model, whose features are computed in Python. (``pos_tag(model="v2.0")`` would load
    the same model but only returns a result on its first call in underthesea 9.5.)
    Imported lazily: commands such as ``thoisu search`` should not pay for loading.
    """
    import underthesea.pipeline.pos_tag as pos_package
    from underthesea import sent_tokenize, word_tokenize
    from underthesea.models.fast_crf_sequence_tagger import FastCRFSequenceTagger

    tagger = FastCRFSequenceTagger()
    tagger.load(str(Path(pos_package.__file__).parent / "models" / "pos_crf_vlsp2013_20230303"))

    def pos_tag(text: str) -> list[tuple[str, str]]:
        words = word_tokenize(text)
        if not words:
            return []
        tags = tagger.predict([[w] for w in words])
        return [
            (w, t[2:] if t[:2] in ("B-", "I-") else t) for w, t in zip(words, tags, strict=True)
        ]

    return sent_tokenize, pos_tag


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` of ``text`` (shifted by ``offset``), per paragraph."""
    sent_tokenize, _ = _underthesea()
    spans: list[tuple[int, int]] = []
    for para in _PARAGRAPH.finditer(text):
        chunk = para.group()
        if not chunk.strip():
            continue
        cursor = 0
        for sent in sent_tokenize(chunk):
            sent = sent.strip()
            if not sent:
                continue
            found = chunk.find(sent, cursor)
            if found < 0:  # the splitter altered whitespace: fall back to a loose search
                found = _loose_find(chunk, sent, cursor)
                if found is None:
                    continue
                start, end = found
            else:
                start, end = found, found + len(sent)
            spans.append((offset + para.start() + start, offset + para.start() + end))
            cursor = end
        # Text the splitter dropped (rare) must still be covered: extend the last span.
        if spans and cursor < len(chunk.rstrip()):
            last_start, _ = spans[-1]
            spans[-1] = (last_start, offset + para.start() + len(chunk.rstrip()))
    return spans


def _loose_find(haystack: str, needle: str, cursor: int) -> tuple[int, int] | None:
    pattern = r"\s*".join(re.escape(ch) for ch in needle if not ch.isspace())
    match = re.compile(pattern).search(haystack, cursor)
    return (match.start(), match.end()) if match else None


def tokenize_sentence(text: str, offset: int = 0) -> list[Token]:
    """Words with POS tags, aligned to ``text`` (shifted by ``offset``).

    underthesea may rewrite what it returns (tone-mark placement "thuỷ" -> "thủy",
    spacing), so a word that is not found verbatim is looked up without diacritics; a word
    that still cannot be placed is skipped without losing the words after it.
    """
    _, pos_tag = _underthesea()
    folded = fold(text)
    tokens: list[Token] = []
    cursor = 0
    lost = False  # after a word we could not place, the next one may not follow a space
    for word, tag in pos_tag(text):
        span = _align(text, folded, word, cursor, lost)
        if span is None:
            lost = True
            continue
        start, end = span
        tokens.append(Token(text[start:end], offset + start, offset + end, tag))
        cursor, lost = end, False
    return tokens


def _align(text: str, folded: str, word: str, cursor: int, lost: bool) -> tuple[int, int] | None:
    def ok(found: int) -> bool:
        return found >= 0 and (lost or text[cursor:found].strip() == "")

    found = text.find(word, cursor)
    if ok(found):
        return found, found + len(word)
    # underthesea may normalise spacing inside a multi-syllable word.
    loose = _loose_find(text, word, cursor)
    if loose and ok(loose[0]):
        return loose
    # ... or rewrite tone marks and Unicode forms: compare without diacritics.
    plain = fold(unicodedata.normalize("NFC", word))
    found = folded.find(plain, cursor)
    if len(plain) == len(word) and ok(found):
        return found, found + len(plain)
    return None


def segment(
    article: Article, *, limits: Limits | None = None, encode: bool = True
) -> list[Sentence]:
    """Split an article into sentences with POS-tagged tokens, and (``encode``) run the
    shared encoder over them once: ``syllables`` and ``vectors`` for the learned heads.

    The title (when present) is sentence 0, flagged ``is_title``, so that a headline
    question can be told apart from body sentences. A run of text longer than
    ``max_sentence_chars`` is cut at spaces into pieces, and at most ``max_sentences`` are
    analysed (the rest of the text is kept, not analysed); either is noted in
    ``article.warnings``.
    """
    limits = limits or current_limits()
    sentences: list[Sentence] = []
    title_end = (
        len(article.title) if article.title and article.text.startswith(article.title) else 0
    )
    spans = split_sentences(article.text)
    pieces = [p for s, e in spans for p in cut_span(article.text, s, e, limits.max_sentence_chars)]
    if len(pieces) > len(spans):
        article.warnings.append(
            f"{len(pieces) - len(spans):,} over-long sentences cut at spaces"
            f" (limit {limits.max_sentence_chars:,} characters, THOISU_MAX_SENTENCE_CHARS)"
        )
    if len(pieces) > limits.max_sentences:
        article.warnings.append(
            f"analysed the first {limits.max_sentences:,} of {len(pieces):,} sentences"
            " (THOISU_MAX_SENTENCES); the rest of the text is stored, not analysed"
        )
        pieces = pieces[: limits.max_sentences]
    for start, end in pieces:
        check_time()
        text = article.text[start:end]
        sentences.append(
            Sentence(
                index=len(sentences),
                start=start,
                end=end,
                text=text,
                tokens=tokenize_sentence(text, start),
                is_title=end <= title_end,
            )
        )
    if encode:
        encode_sentences(sentences)
    return sentences


def cut_span(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """``(start, end)`` cut into pieces of at most ``limit`` characters, each ending at
    the last space before the limit (or at the limit, in text without spaces)."""
    pieces: list[tuple[int, int]] = []
    while end - start > limit:
        cut = text.rfind(" ", start + limit // 2, start + limit)
        cut = cut if cut > start else start + limit
        pieces.append((start, cut))
        start = cut
        while start < end and text[start] == " ":
            start += 1
    if start < end:
        pieces.append((start, end))
    return pieces
