"""Article queries of the store: records, full-text search, listing pages and facets.

Functions over an open connection; :class:`~thoisu.store.core.Store` hands on to them and
turns a stopped query (``sqlite3.OperationalError``) into its own error.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .errors import QueryError
from .ranking import common_readings, rank_key
from .sql import (
    _SEARCH_CUTOFF,
    _SEARCH_SCORE,
    _SEARCH_SOURCE,
    SNIPPET_MARKS,
    _article_where,
    _check_page,
    _decode_cursor,
    _encode_cursor,
    _named,
)
from .text import ParsedQuery, parse_query, snippet


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result. ``score``: higher is better; its integer part is the reading
    points of :mod:`thoisu.store.ranking` (words found as typed, or in their common reading,
    side by side), its fraction is BM25 relevance."""

    article_id: str
    title: str | None
    publisher: str | None
    published: str | None
    snippet: str
    score: float


def has_article(db: sqlite3.Connection, article_id: str) -> bool:
    return db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None


def get_article(db: sqlite3.Connection, article_id: str) -> dict[str, Any] | None:
    row = db.execute("SELECT record FROM articles WHERE id = ?", (article_id,)).fetchone()
    return json.loads(row[0]) if row else None


def iter_records(db: sqlite3.Connection) -> Iterator[str]:
    """Every stored analysis record as its JSON text, in insertion order."""
    for row in db.execute("SELECT record FROM articles ORDER BY num"):
        yield row[0]


def count(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT count(*) FROM articles").fetchone()[0])


def search(db: sqlite3.Connection, query: str, *, limit: int, offset: int) -> list[SearchHit]:
    """See :meth:`Store.search <thoisu.store.core.Store.search>`."""
    _check_page(limit, offset)
    parsed = parse_query(query)
    sql = f"""
        SELECT a.id, a.title, a.publisher, a.published, a.text, {_SEARCH_SCORE} AS score
        FROM {_SEARCH_SOURCE}
        ORDER BY score DESC, a.published DESC, a.id
        LIMIT :limit OFFSET :offset
    """
    params = {**search_params(db, parsed), "limit": limit, "offset": offset}
    rows = db.execute(sql, params).fetchall()
    return [
        SearchHit(
            article_id=r["id"],
            title=r["title"],
            publisher=r["publisher"],
            published=r["published"],
            snippet=snippet(r["text"] or r["title"] or "", parsed.positive),
            score=round(float(r["score"]), 6),
        )
        for r in rows
    ]


def search_params(db: sqlite3.Connection, parsed: ParsedQuery) -> dict[str, Any]:
    """The FTS5 query and the ranking key (with the common readings of the words typed
    without diacritics) for :data:`_SEARCH_SOURCE` and :data:`_SEARCH_SCORE`."""
    readings = common_readings(db, parsed.units)
    cutoff = db.execute(_SEARCH_CUTOFF, (parsed.fts,)).fetchone()
    return {
        "fts": parsed.fts,
        "rank": rank_key(parsed.units, readings),
        "cutoff": cutoff[0] if cutoff else None,
    }


def count_matching(db: sqlite3.Connection, query: str | None, **filters: Any) -> int:
    """How many articles :func:`page` would list with these filters."""
    where, params = _article_where(**filters)
    parsed = parse_query(query) if query and query.strip() else None
    source = _SEARCH_SOURCE if parsed is not None else "articles a"
    named: dict[str, Any] = {"fts": parsed.fts} if parsed is not None else {}
    named.update({f"p{i}": v for i, v in enumerate(params)})
    clause = (" WHERE " + " AND ".join(_named(where))) if where else ""
    return int(db.execute(f"SELECT count(*) FROM {source}{clause}", named).fetchone()[0])


def page(
    db: sqlite3.Connection, query: str | None, *, limit: int, cursor: str | None, **filters: Any
) -> tuple[list[dict[str, Any]], str | None]:
    """See :meth:`Store.articles_page <thoisu.store.core.Store.articles_page>`."""
    if limit < 1:
        raise QueryError(f"limit must be >= 1, got {limit}")
    where, params = _article_where(**filters)
    parsed = parse_query(query) if query and query.strip() else None
    # The sort key: the search score with a query, else the publication date (undated
    # last); then the newest stored first.
    named: dict[str, Any]
    if parsed is not None:
        key, source = _SEARCH_SCORE, _SEARCH_SOURCE
        named = search_params(db, parsed)
    else:
        key, source, named = "coalesce(a.published, '')", "articles a", {}
    select = f"""
        SELECT * FROM (
            SELECT a.num, a.id, a.title, a.publisher, a.published, a.category,
                   a.url, a.author, a.text, {key} AS _k1
            FROM {source}
            {("WHERE " + " AND ".join(_named(where))) if where else ""}
        )"""
    order, compare = "_k1 DESC, num DESC", "(_k1 < :c1 OR (_k1 = :c1 AND num < :c2))"
    named.update({f"p{i}": v for i, v in enumerate(params)})
    if cursor:
        named["c1"], named["c2"] = _decode_cursor(cursor, 2)
        select += f" WHERE {compare}"
    named["limit"] = limit + 1
    rows = db.execute(f"{select} ORDER BY {order} LIMIT :limit", named).fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    terms = parsed.positive if parsed is not None else ()
    items = []
    for r in rows:
        item = {k: r[k] for k in ("id", "title", "publisher", "published", "category", "url",
                                  "author")}  # fmt: skip
        item["snippet"] = snippet(r["text"] or r["title"] or "", terms, mark=SNIPPET_MARKS)
        if parsed is not None:
            item["score"] = round(float(r["_k1"]), 6)
        items.append(item)
    next_cursor = _encode_cursor([rows[-1]["_k1"], rows[-1]["num"]]) if more and rows else None
    return items, next_cursor


def facets(db: sqlite3.Connection, query: str | None) -> dict[str, dict[str, int]]:
    """Article counts by publisher and by category, over the articles matching ``query``."""
    parsed = parse_query(query) if query and query.strip() else None
    source = "articles a"
    params: dict[str, Any] = {}
    if parsed is not None:
        source = _SEARCH_SOURCE
        params["fts"] = parsed.fts
    out = {}
    for column in ("publisher", "category"):
        sql = f"SELECT a.{column}, count(*) n FROM {source} GROUP BY 1 ORDER BY n DESC, 1"
        out[column] = {("(unknown)" if k is None else k): n for k, n in db.execute(sql, params)}
    return out
