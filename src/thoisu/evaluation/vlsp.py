"""Names to the VLSP 2018 standard, scored on thoisu's held-out split of its training set.

Two views, both over PER / LOC / ORG at every nesting level (a name inside another counts as a
name of its own), the same code for thoisu and for underthesea's ``ner()``:

* article level: each article a bag of ``(type, surface)``, micro P/R/F1 over articles; thoisu
  reads the raw article as ``thoisu analyze`` does (the cleaner included), underthesea each
  sentence of it;
* span level: exact ``(article, start, end, type)``; thoisu's recogniser and linker run over
  the gold text itself (no cleaning, so offsets are the gold's).

The split is :func:`thoisu.entities.vlsp.split_2018` (fixed seed, stratified by section);
its test part is read only to report.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..entities.vlsp import GoldArticle, read_2018, split_2018
from ..records import Article
from .entities import (
    TYPES,
    _entity_mentions,
    normalise,
    score_bags,
    score_spans,
    thoisu_bag,
    underthesea_bag,
    underthesea_spans,
)

__all__ = ["evaluate_vlsp", "gold_bag", "gold_spans", "thoisu_spans", "underthesea_article_spans"]

Span = tuple[str, int, int, str]


def gold_bag(article: GoldArticle) -> set[tuple[str, str]]:
    return {(n.type, normalise(article.surface(n))) for n in article.names if n.type in TYPES}


def gold_spans(article: GoldArticle) -> set[Span]:
    return {(article.id, n.start, n.end, n.type) for n in article.names if n.type in TYPES}


def thoisu_spans(article: GoldArticle) -> set[Span]:
    """The names thoisu finds in the gold text (no cleaning: the offsets are the gold's)."""
    from ..pipeline import analyze_article

    text = article.text
    analysis = analyze_article(
        Article(id=article.id, title=None, author=None, publisher=None, published=None,
                url=None, source=article.id, lead=None, body=text, text=text)
    )  # fmt: skip
    return {(article.id, s, e, t) for t, s, e, _ in _entity_mentions(analysis.entities)}


def underthesea_article_spans(article: GoldArticle) -> set[Span]:
    from ..nlp import split_sentences

    out = set()
    for start, end in split_sentences(article.text):
        for s, e, t in underthesea_spans(article.text[start:end], start):
            out.add((article.id, s, e, t))
    return out


def evaluate_vlsp(
    split: str = "test",
    systems: tuple[str, ...] = ("thoisu", "underthesea"),
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Article-level bag and span P/R/F1 of each system on a part of the fixed split."""
    articles = split_2018(read_2018())[split]
    bags = {
        "thoisu": lambda a: thoisu_bag(a.text),
        "underthesea": lambda a: underthesea_bag(a.text),
    }
    spans = {"thoisu": thoisu_spans, "underthesea": underthesea_article_spans}
    out: dict[str, Any] = {"split": split, "articles": len(articles),
                           "names": sum(len(gold_spans(a)) for a in articles)}  # fmt: skip
    for name in systems:
        if progress:
            progress(name)
        out[name] = {
            "bag": score_bags([gold_bag(a) for a in articles], [bags[name](a) for a in articles]),
            "span": score_spans(
                [s for a in articles for s in gold_spans(a)],
                [s for a in articles for s in spans[name](a)],
            ),
        }
    return out
