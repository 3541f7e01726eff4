"""Articles analysed in groups (the taggers read all their sentences in shared batches) give
what each gives alone."""

from __future__ import annotations

import gzip
import json
from itertools import islice
from types import SimpleNamespace

import pytest

from thoisu.pipeline import analyze_articles, article_groups, try_analyze_article, try_clean
from thoisu.records import Analysis, RawDocument

from .conftest import SAMPLE


def _sample_articles(n: int) -> list:
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in islice(fh, n)]
    return [
        try_clean(RawDocument(source=f"s{i}", title=r["title"], body=r["body"]))
        for i, r in enumerate(records)
    ]


def test_a_group_gives_what_each_article_gives_alone() -> None:
    articles = _sample_articles(10)
    articles.insert(3, try_clean(RawDocument(source="short", body="Hà Nội mưa.")))
    alone = [try_analyze_article(a).to_dict() for a in _sample_articles(10)]
    alone.insert(3, try_analyze_article(articles[3]).to_dict())
    together = analyze_articles(articles)
    assert all(isinstance(r, Analysis) for r in together)
    assert [r.to_dict() for r in together] == alone
    assert sum(len(r.events) for r in together) > 5  # the comparison covers events
    assert all(s.vectors is None for r in together for s in r.sentences)


def test_an_article_failing_in_a_group_fails_alone(monkeypatch) -> None:
    import thoisu.pipeline as pipeline
    from thoisu.limits import LimitExceeded

    real = pipeline.extract_events

    def slow_on_one(article, *args):
        if article.source == "s1":
            raise LimitExceeded("analysis stopped: over its 60 s time limit")
        return real(article, *args)

    def group_stops(*args):
        raise LimitExceeded("analysis stopped: over its 180 s time limit")

    monkeypatch.setattr(pipeline, "extract_events", slow_on_one)
    monkeypatch.setattr(pipeline, "extract_events_many", group_stops)
    results = analyze_articles(_sample_articles(3))
    assert [type(r).__name__ for r in results] == ["Analysis", "IngestError", "Analysis"]
    assert results[1].reason == "analysis stopped: over its 60 s time limit"


def _texts(*sizes: int) -> list[SimpleNamespace]:
    return [SimpleNamespace(text="x" * n) for n in sizes]


def test_groups_are_bounded_by_articles_and_characters() -> None:
    sizes = [len(g) for g in article_groups(_texts(*[10] * 7), size=3, chars=1000)]
    assert sizes == [3, 3, 1]
    groups = list(article_groups(_texts(400, 400, 400, 5000, 10), size=16, chars=1000))
    assert [[len(a.text) for a in g] for g in groups] == [[400, 400], [400], [5000], [10]]
    assert list(article_groups([])) == []


def test_ctrl_c_while_reading_still_gives_the_group_read() -> None:
    def reading():
        yield from _texts(1, 2)
        raise KeyboardInterrupt

    groups = article_groups(reading(), size=16, chars=1000)
    assert [len(a.text) for a in next(groups)] == [1, 2]
    with pytest.raises(KeyboardInterrupt):
        next(groups)


def test_an_empty_group() -> None:
    assert analyze_articles([]) == []


def test_a_streams_errors_stay_where_they_stand_uncounted() -> None:
    from thoisu.records import IngestError

    bad = IngestError("x", "unreadable")
    items = [bad, *_texts(10, 10), bad, *_texts(10)]
    groups = list(article_groups(items, size=2, chars=1000))
    assert [[getattr(x, "text", "E") for x in g] for g in groups] == [
        ["E", "x" * 10, "x" * 10, "E"],
        ["x" * 10],
    ]
