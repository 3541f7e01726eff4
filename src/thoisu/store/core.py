"""The SQLite store: :class:`Store` and its query helpers."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TextIO

from ..records import Analysis
from . import schema
from .errors import QueryError, StoreError
from .text import exact_hits, fold, parse_query, snippet

DEFAULT_DB_PATH: Path = Path(os.environ.get("THOISU_DB") or "thoisu.db")
"""Where :class:`Store` opens by default: ``$THOISU_DB`` if set, else ``./thoisu.db``
(relative to the working directory; read once, at import)."""

ExportFormat = Literal["jsonl", "parquet", "gdelt"]

_FULL_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_FILTER_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_ROLES = ("source", "target", "location")


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result. ``score``: higher is better; its integer part counts the query
    terms found with the exact diacritics typed, its fraction is BM25 relevance."""

    article_id: str
    title: str | None
    publisher: str | None
    published: str | None
    snippet: str
    score: float


def full_date(value: str | None) -> str | None:
    """``YYYY-MM-DD`` when *value* starts with a full, valid ISO date, else None."""
    m = _FULL_DATE.match(value or "")
    if not m:
        return None
    try:
        datetime(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None
    return m[0]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _next_string(s: str) -> str:
    """The smallest string greater than every string starting with *s* (for index ranges)."""
    return s[:-1] + chr(ord(s[-1]) + 1)


def _actor(value: Any) -> tuple[str | None, str | None, str | None]:
    if not isinstance(value, Mapping):
        return None, None, None
    return value.get("entity"), value.get("code"), value.get("text")


class Store:
    """thoisu's SQLite database of analysed articles (the only code that speaks SQL).

    One writer at a time: all writes go through :meth:`add`/:meth:`add_many`. Open
    with ``readonly=True`` (``mode=ro``) to read from other processes. ``":memory:"``
    gives a private in-memory store.
    """

    def __init__(self, path: str | Path = DEFAULT_DB_PATH, *, readonly: bool = False) -> None:
        self.path = str(path)
        self.readonly = readonly
        memory = self.path == ":memory:"
        try:
            if readonly:
                if memory:
                    raise StoreError("an in-memory store cannot be opened read-only")
                if not Path(self.path).exists():
                    raise StoreError(f"no thoisu database at {self.path}")
                uri = Path(self.path).resolve().as_uri() + "?mode=ro"
                self._conn: sqlite3.Connection | None = sqlite3.connect(
                    uri, uri=True, isolation_level=None
                )
            else:
                if not memory:
                    Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                self._conn = sqlite3.connect(self.path, isolation_level=None)
            db = self._conn
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA busy_timeout = 5000")
            db.create_function("thoisu_fold", 1, _fold_or_none, deterministic=True)
            db.create_function("thoisu_exact", 3, exact_hits, deterministic=True)
            if readonly:
                db.execute("PRAGMA query_only = ON")
                pending = schema.check(db)
                if pending:
                    raise StoreError(
                        f"database {self.path} needs schema migrations {pending}; "
                        "open it once without readonly to upgrade"
                    )
            else:
                if not memory:
                    db.execute("PRAGMA journal_mode = WAL")
                schema.migrate(db)
        except sqlite3.DatabaseError as e:
            self.close()
            raise StoreError(f"cannot open database {self.path}: {e}") from e
        except BaseException:
            self.close()
            raise

    # -- lifecycle -------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection (idempotent)."""
        if getattr(self, "_conn", None) is not None:
            assert self._conn is not None
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.path!r}{', readonly=True' if self.readonly else ''})"

    @property
    def db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError("the store is closed")
        return self._conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        if self.readonly:
            raise StoreError(f"store {self.path} is open read-only")
        db = self.db
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        except sqlite3.Error as e:  # locked, disk full, bad data: one clear line
            raise StoreError(f"cannot write to {self.path}: {e}") from e

    def migrations(self) -> list[dict[str, Any]]:
        """The applied schema migrations: ``{"id", "name", "applied_at"}``."""
        rows = self.db.execute("SELECT id, name, applied_at FROM _migrations ORDER BY id")
        return [dict(r) for r in rows]

    # -- writing ---------------------------------------------------------------------

    def add(self, analysis: Analysis | Mapping[str, Any]) -> bool:
        """Store one analysis (or its ``to_dict`` record); idempotent by article id.

        Returns True if stored, False if the article id was already there (then nothing
        changes).
        """
        with self._transaction() as db:
            return self._insert(db, analysis)

    def add_many(
        self, analyses: Iterable[Analysis | Mapping[str, Any]], *, batch_size: int = 500
    ) -> tuple[int, int]:
        """Store many analyses, one transaction per *batch_size*; return (stored, duplicates)."""
        if batch_size < 1:
            raise StoreError("batch_size must be at least 1")
        stored = duplicates = 0
        batch: list[Analysis | Mapping[str, Any]] = []

        def flush() -> None:
            nonlocal stored, duplicates
            with self._transaction() as db:
                for item in batch:
                    if self._insert(db, item):
                        stored += 1
                    else:
                        duplicates += 1
            batch.clear()

        for analysis in analyses:
            batch.append(analysis)
            if len(batch) >= batch_size:
                flush()
        if batch:
            flush()
        return stored, duplicates

    def _insert(self, db: sqlite3.Connection, analysis: Analysis | Mapping[str, Any]) -> bool:
        record = analysis.to_dict() if isinstance(analysis, Analysis) else dict(analysis)
        art = record.get("article")
        if not isinstance(art, Mapping) or not art.get("id"):
            raise StoreError("analysis record has no article id")
        aid = str(art["id"])
        text = art.get("text") or ""
        title = art.get("title")
        cur = db.execute(
            "INSERT INTO articles (id, title, author, publisher, published, url, source, lead,"
            " body, text, language, category, credit, external_id, record, added_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO NOTHING",
            (
                aid, title, art.get("author"), art.get("publisher"), art.get("published"),
                art.get("url"), art.get("source"), art.get("lead"), art.get("body"), text,
                art.get("language"), art.get("category"), art.get("credit"),
                art.get("external_id"), _json(record), _now(),
            ),
        )  # fmt: skip
        if cur.rowcount == 0:
            return False
        db.execute(
            "INSERT INTO articles_fts (rowid, title_folded, text_folded) VALUES (?, ?, ?)",
            (cur.lastrowid, fold(title or ""), fold(text)),
        )

        sentences = [
            s
            for s in record.get("sentences") or []
            if isinstance(s, Mapping) and isinstance(s.get("index"), int)
        ]
        db.executemany(
            'INSERT OR REPLACE INTO sentences (article_id, idx, start, "end", text)'
            " VALUES (?, ?, ?, ?, ?)",
            [(aid, s.get("index"), s.get("start"), s.get("end"), s.get("text")) for s in sentences],
        )

        for ent in record.get("entities") or []:
            eid = ent.get("id")
            if not eid:
                continue
            # Canonical entities are shared: keep the first name, fill gaps from later ones.
            db.execute(
                "INSERT INTO entities (id, name, name_vi, type, code, wikidata, kind, country)"
                " VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET"
                " name_vi = coalesce(name_vi, excluded.name_vi),"
                " type = coalesce(type, excluded.type),"
                " code = coalesce(code, excluded.code),"
                " wikidata = coalesce(wikidata, excluded.wikidata),"
                " kind = coalesce(kind, excluded.kind),"
                " country = coalesce(country, excluded.country)",
                (
                    eid, ent.get("name") or eid, ent.get("name_vi"), ent.get("type"),
                    ent.get("code"), ent.get("wikidata"), ent.get("kind"), ent.get("country"),
                ),
            )  # fmt: skip
            db.execute(
                "INSERT OR IGNORE INTO article_entities (article_id, entity_id, role)"
                " VALUES (?, ?, ?)",
                (aid, eid, ent.get("role")),
            )
            db.executemany(
                'INSERT INTO mentions (article_id, entity_id, sentence, start, "end", text)'
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (aid, eid, m.get("sentence"), m.get("start"), m.get("end"), m.get("text"))
                    for m in ent.get("mentions") or []
                ],
            )

        roots = _root_sentences(title, sentences)
        published = art.get("published")
        for ord_, ev in enumerate(record.get("events") or []):
            db.execute(_EVENT_INSERT, _event_row(aid, ord_, ev, published, roots))
        return True

    # -- reading ---------------------------------------------------------------------

    def has_article(self, article_id: str) -> bool:
        """Whether an article with this id is stored."""
        row = self.db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row is not None

    def get_article(self, article_id: str) -> dict[str, Any] | None:
        """The stored analysis record (``Analysis.to_dict`` shape), or None."""
        row = self.db.execute("SELECT record FROM articles WHERE id = ?", (article_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def iter_analyses(self) -> Iterator[dict[str, Any]]:
        """Stream every stored analysis record, in insertion order."""
        for row in self.db.execute("SELECT record FROM articles ORDER BY num"):
            yield json.loads(row[0])

    def __len__(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM articles").fetchone()[0])

    def search(self, query: str, *, limit: int = 20, offset: int = 0) -> list[SearchHit]:
        """Full-text search, insensitive to case and Vietnamese diacritics (đ = d).

        Syntax: words (all must match), ``"phrases"``, ``OR``, ``a NOT b``, ``prefix*``.
        Articles that contain the query's words with the exact diacritics typed rank
        first, then by BM25 (title weighted 3x). Raises :class:`QueryError` for a query
        with no searchable words.
        """
        _check_page(limit, offset)
        parsed = parse_query(query)
        sql = f"""
            SELECT a.id, a.title, a.publisher, a.published, a.text, {_SEARCH_SCORE} AS score
            FROM {_SEARCH_SOURCE}
            ORDER BY score DESC, a.published DESC, a.id
            LIMIT :limit OFFSET :offset
        """
        params = {"exact": parsed.exact_key(), "fts": parsed.fts, "limit": limit, "offset": offset}
        try:
            rows = self.db.execute(sql, params).fetchall()
        except sqlite3.OperationalError as e:  # sanitising should prevent this; never leak it
            raise QueryError(f"cannot run search {query!r}: {e}") from e
        terms = parsed.positive
        return [
            SearchHit(
                article_id=r["id"],
                title=r["title"],
                publisher=r["publisher"],
                published=r["published"],
                snippet=snippet(r["text"] or r["title"] or "", terms),
                score=round(float(r["score"]), 6),
            )
            for r in rows
        ]

    def events(
        self,
        *,
        actor: str | None = None,
        counterpart: str | None = None,
        source: str | None = None,
        target: str | None = None,
        location: str | None = None,
        cameo: str | None = None,
        plover: str | None = None,
        event_type: str | None = None,
        certainty: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Events matching all given filters, oldest first.

        ``actor`` matches the source or target, ``source``/``target``/``location`` one
        side: by entity id, or CAMEO actor code (a 3/6/9-letter code also matches as a
        prefix: "USA" matches "USAGOV"); ``actor`` with ``counterpart``: the events between
        the two, either way round (one the source, the other the target or location). ``cameo`` is a code prefix ("19" matches "190", "193").
        ``since``/``until`` (``YYYY[-MM[-DD]]``, inclusive) compare with the event date
        when it is a full date, else the article's published date. Each dict is the event
        record plus ``article_id``, ``article_title``, ``published``, ``sentence_text``.
        """
        filters = {
            "actor": actor, "counterpart": counterpart, "source": source, "target": target,
            "location": location, "cameo": cameo, "plover": plover, "event_type": event_type,
            "certainty": certainty, "since": since, "until": until, "limit": limit,
            "offset": offset,
        }  # fmt: skip
        return [_event_dict(r) for r in self._iter_events(**filters)]

    def entity_events(self, entity_id: str) -> list[dict[str, Any]]:
        """Events in which the entity is source, target, location, speaker or via."""
        return [_event_dict(r) for r in self._iter_events(entity=entity_id)]

    def _iter_events(
        self,
        *,
        limit: int | None = None,
        offset: int = 0,
        after: tuple[Any, ...] | None = None,
        **filters: Any,
    ) -> Iterator[sqlite3.Row]:
        _check_page(limit, offset)
        where, params = _event_where(**filters)
        if after is not None:
            where.append(f"{_EVENT_ORDER_KEY} > (?, ?, ?)")
            params += list(after)
        sql = _EVENT_SELECT
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY {_EVENT_ORDER_KEY[1:-1]} LIMIT ? OFFSET ?"
        params += [-1 if limit is None else limit, offset]
        # A cursor, not a generator: bad filters fail here, before an export opens its file.
        return self.db.execute(sql, params)

    def events_page(
        self, *, limit: int = 50, cursor: str | None = None, **filters: Any
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of :meth:`events` (same filters, plus ``location`` and ``counterpart``)
        and the cursor of the next page (None on the last). Cursors are keyset positions:
        a page never repeats or skips an event when other events are added."""
        after = _decode_cursor(cursor, 3) if cursor else None
        rows = list(self._iter_events(limit=limit + 1, after=after, **filters))
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = (
            _encode_cursor([rows[-1]["_k_date"], rows[-1]["_k_num"], rows[-1]["_k_ord"]])
            if more and rows
            else None
        )
        return [_event_dict(r) for r in rows], next_cursor

    def event_counts(
        self, *, by: str = "cameo_root", interval: str = "month", **filters: Any
    ) -> dict[str, Any]:
        """Events per period, split by ``by`` (``cameo_root``, ``plover``, ``type`` or
        ``certainty``), for the :meth:`events_page` filters. Periods follow the effective
        date (the event's own full date, else the article's publication date) cut to
        ``interval`` (``year``, ``month`` or ``day``); events with neither are counted in
        ``undated``. Returns ``{"periods": [...], "series": {key: [count per period]},
        "undated": n, "total": n}``."""
        if by not in _COUNT_KEYS:
            raise QueryError(f"by must be one of {', '.join(_COUNT_KEYS)}, got {by!r}")
        if interval not in _INTERVALS:
            raise QueryError(f"interval must be one of {', '.join(_INTERVALS)}, got {interval!r}")
        where, params = _event_where(**filters)
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        sql = f"""
            SELECT substr(e.effective_date, 1, {_INTERVALS[interval]}) AS period,
                   coalesce(e.{by}, '') AS key, count(*) AS n
            FROM events e JOIN articles a ON a.id = e.article_id{clause}
            GROUP BY 1, 2 ORDER BY 1, 2
        """
        counts: dict[str, dict[str, int]] = {}
        undated = total = 0
        for period, key, n in self.db.execute(sql, params):
            total += n
            if period is None:
                undated += n
                continue
            counts.setdefault(key, {})[period] = n
        periods = _period_range(sorted({p for c in counts.values() for p in c}), interval)
        series = {k: [c.get(p, 0) for p in periods] for k, c in sorted(counts.items())}
        return {"periods": periods, "series": series, "undated": undated, "total": total}

    def articles_page(
        self,
        *,
        query: str | None = None,
        publisher: str | None = None,
        category: str | None = None,
        entity: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Articles matching every filter, a page at a time, and the next page's cursor.

        With ``query`` (the :meth:`search` syntax, diacritics ignored) the best matches come
        first and each item has a ``snippet`` around the first match (matches between
        ``\ue000`` and ``\ue001``); without, the newest published first (undated last), then
        the most recently stored. ``since``/``until`` compare with the published date.
        Listing cursors never repeat or skip an article when others are added; search
        cursors are exact while the store is unchanged (new articles move BM25 scores).
        """
        if limit < 1:
            raise QueryError(f"limit must be >= 1, got {limit}")
        where: list[str] = []
        params: list[Any] = []
        if publisher:
            where.append("a.publisher = ?")
            params.append(publisher)
        if category:
            where.append("a.category = ?")
            params.append(category)
        if entity:
            where.append("a.id IN (SELECT article_id FROM article_entities WHERE entity_id = ?)")
            params.append(entity)
        if since:
            where.append("a.published >= ?")
            params.append(_filter_date(since, "since"))
        if until:
            bound = _filter_date(until, "until")
            where.append("substr(a.published, 1, ?) <= ?")
            params += [len(bound), bound]
        parsed = parse_query(query) if query and query.strip() else None
        # The sort key: the search score with a query, else the publication date (undated
        # last); then the newest stored first.
        if parsed is not None:
            key, source = _SEARCH_SCORE, _SEARCH_SOURCE
            named: dict[str, Any] = {"exact": parsed.exact_key(), "fts": parsed.fts}
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
        try:
            rows = self.db.execute(f"{select} ORDER BY {order} LIMIT :limit", named).fetchall()
        except sqlite3.OperationalError as e:
            raise QueryError(f"cannot run search {query!r}: {e}") from e
        more = len(rows) > limit
        rows = rows[:limit]
        terms = parsed.positive if parsed is not None else ()
        items = []
        for r in rows:
            item = {
                k: r[k]
                for k in ("id", "title", "publisher", "published", "category", "url", "author")
            }
            item["snippet"] = snippet(r["text"] or r["title"] or "", terms, mark=SNIPPET_MARKS)
            if parsed is not None:
                item["score"] = round(float(r["_k1"]), 6)
            items.append(item)
        next_cursor = _encode_cursor([rows[-1]["_k1"], rows[-1]["num"]]) if more and rows else None
        return items, next_cursor

    def facets(self, query: str | None = None) -> dict[str, dict[str, int]]:
        """Article counts by publisher and by category, over the articles matching
        ``query`` (all articles without one)."""
        parsed = parse_query(query) if query and query.strip() else None
        source = "articles a"
        params: dict[str, Any] = {}
        if parsed is not None:
            source = _SEARCH_SOURCE
            params["fts"] = parsed.fts
        out = {}
        for column in ("publisher", "category"):
            sql = f"SELECT a.{column}, count(*) n FROM {source} GROUP BY 1 ORDER BY n DESC, 1"
            try:
                out[column] = {
                    ("(unknown)" if k is None else k): n for k, n in self.db.execute(sql, params)
                }
            except sqlite3.OperationalError as e:
                raise QueryError(f"cannot run search {query!r}: {e}") from e
        return out

    def entity_timeline(self, entity_id: str, *, interval: str = "month") -> dict[str, Any]:
        """Articles mentioning the entity per publication period: ``{"periods": [...],
        "articles": [...], "mentions": [...], "undated": n}`` (undated: articles with no
        publication date)."""
        if interval not in _INTERVALS:
            raise QueryError(f"interval must be one of {', '.join(_INTERVALS)}, got {interval!r}")
        rows = self.db.execute(
            f"""
            SELECT substr(a.published, 1, {_INTERVALS[interval]}) AS period,
                   count(DISTINCT a.id) AS articles, count(m.id) AS mentions
            FROM article_entities ae
            JOIN articles a ON a.id = ae.article_id
            LEFT JOIN mentions m ON m.article_id = a.id AND m.entity_id = ae.entity_id
            WHERE ae.entity_id = ?
            GROUP BY 1 ORDER BY 1
            """,
            (entity_id,),
        ).fetchall()
        dated = {r["period"]: r for r in rows if r["period"] is not None}
        periods = _period_range(sorted(dated), interval)
        undated = sum(r["articles"] for r in rows if r["period"] is None)
        return {
            "periods": periods,
            "articles": [dated[p]["articles"] if p in dated else 0 for p in periods],
            "mentions": [dated[p]["mentions"] if p in dated else 0 for p in periods],
            "undated": undated,
        }

    def counterparts(self, entity_id: str, *, limit: int = 15) -> list[dict[str, Any]]:
        """The actors the entity is most often in events with, as source or target: each
        ``{"entity", "name", "type", "code", "as_target", "as_source", "total",
        "by_cameo_root": {...}, "by_plover": {...}}``, where ``as_target`` counts events in
        which the entity acts on the counterpart and ``as_source`` the other way round."""
        _check_page(limit, 0)
        rows = self.db.execute(
            """
            SELECT other, direction, cameo_root, plover, count(*) AS n FROM (
                SELECT e.target_entity AS other, 'as_target' AS direction, e.cameo_root,
                       e.plover
                FROM events e WHERE e.source_entity = :id AND e.target_entity IS NOT NULL
                    AND e.target_entity != :id
                UNION ALL
                SELECT e.source_entity, 'as_source', e.cameo_root, e.plover
                FROM events e WHERE e.target_entity = :id AND e.source_entity IS NOT NULL
                    AND e.source_entity != :id
            ) GROUP BY 1, 2, 3, 4
            """,
            {"id": entity_id},
        )
        acc: dict[str, dict[str, Any]] = {}
        for other, direction, root, plover, n in rows:
            c = acc.setdefault(
                other,
                {"entity": other, "as_target": 0, "as_source": 0, "total": 0,
                 "by_cameo_root": {}, "by_plover": {}},
            )  # fmt: skip
            c[direction] += n
            c["total"] += n
            for key, value in (("by_cameo_root", root), ("by_plover", plover)):
                if value:
                    c[key][value] = c[key].get(value, 0) + n
        top = sorted(acc.values(), key=lambda c: (-c["total"], c["entity"]))
        top = top[:limit] if limit is not None else top
        names = self._names([c["entity"] for c in top])
        for c in top:
            c.update(names.get(c["entity"], {"name": c["entity"], "type": None, "code": None}))
        return top

    def counterpart_links(self, entity_ids: list[str]) -> list[dict[str, Any]]:
        """Event counts between each ordered pair of the given entities: ``{"source",
        "target", "count"}`` (for drawing who acts on whom among an actor's counterparts)."""
        if not entity_ids:
            return []
        marks = ", ".join("?" * len(entity_ids))
        rows = self.db.execute(
            f"""
            SELECT source_entity, target_entity, count(*) FROM events
            WHERE source_entity IN ({marks}) AND target_entity IN ({marks})
                AND source_entity != target_entity
            GROUP BY 1, 2 ORDER BY 1, 2
            """,
            [*entity_ids, *entity_ids],
        )
        return [{"source": s, "target": t, "count": n} for s, t, n in rows]

    def _names(self, entity_ids: list[str]) -> dict[str, dict[str, Any]]:
        if not entity_ids:
            return {}
        marks = ", ".join("?" * len(entity_ids))
        rows = self.db.execute(
            f"SELECT id, name, name_vi, type, code FROM entities WHERE id IN ({marks})",
            entity_ids,
        )
        return {
            r["id"]: {
                "name": r["name"],
                "name_vi": r["name_vi"],
                "type": r["type"],
                "code": r["code"],
            }
            for r in rows
        }

    def get_entity(self, entity_id: str) -> dict[str, Any] | None:
        """One canonical entity with its counts, or None."""
        rows = self._entity_rows("WHERE en.id = ?", [entity_id], None)
        return rows[0] if rows else None

    def entities(
        self, *, limit: int | None = None, query: str | None = None, type: str | None = None
    ) -> list[dict]:
        """Canonical entities, most widely reported first.

        ``query`` keeps entities whose id, name, Vietnamese name or code contains it,
        ignoring case and diacritics; ``type`` one type (PER, ORG, LOC, MISC). Each dict:
        id, name, name_vi, type, code, wikidata, kind, country, article_count, mention_count.
        """
        _check_page(limit, 0)
        conditions, params = [], []
        if query and query.strip():
            conditions.append(
                "instr(thoisu_fold(en.id || ' ' || en.name || ' ' ||"
                " coalesce(en.name_vi, '') || ' ' || coalesce(en.code, '')), ?) > 0"
            )
            params.append(fold(query.strip()))
        if type:
            conditions.append("en.type = ?")
            params.append(type)
        where = ("WHERE " + " AND ".join(conditions)) if conditions else ""
        return self._entity_rows(where, params, limit)

    def _entity_rows(self, where: str, params: list[Any], limit: int | None) -> list[dict]:
        sql = f"""
            SELECT en.id, en.name, en.name_vi, en.type, en.code, en.wikidata, en.kind,
                   en.country,
                   (SELECT count(*) FROM article_entities ae WHERE ae.entity_id = en.id)
                       AS article_count,
                   (SELECT count(*) FROM mentions m WHERE m.entity_id = en.id) AS mention_count
            FROM entities en {where}
            ORDER BY article_count DESC, mention_count DESC, en.id
            LIMIT ?
        """
        rows = self.db.execute(sql, [*params, -1 if limit is None else limit])
        return [dict(r) for r in rows]

    def entity_articles(self, entity_id: str) -> list[dict[str, Any]]:
        """Articles that mention the entity, newest first: id, title, publisher,
        published, url, mention_count."""
        rows = self.db.execute(
            """
            SELECT a.id, a.title, a.publisher, a.published, a.url,
                   (SELECT count(*) FROM mentions m
                    WHERE m.article_id = a.id AND m.entity_id = ae.entity_id) AS mention_count
            FROM article_entities ae JOIN articles a ON a.id = ae.article_id
            WHERE ae.entity_id = ?
            ORDER BY a.published DESC, a.num DESC
            """,
            (entity_id,),
        )
        return [dict(r) for r in rows]

    def stats(self) -> dict[str, Any]:
        """Counts: articles, sentences, events, entities, mentions; articles by publisher
        and category; events by CAMEO root, certainty, PLOVER type and ACE type; articles per
        publication day and events per effective day; the published date range."""
        db = self.db

        def count(table: str) -> int:
            return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

        def group(sql: str) -> dict[str, int]:
            return {("(unknown)" if k is None else str(k)): n for k, n in db.execute(sql)}

        first, last = db.execute("SELECT min(published), max(published) FROM articles").fetchone()
        return {
            "articles": count("articles"),
            "sentences": count("sentences"),
            "events": count("events"),
            "entities": count("entities"),
            "mentions": count("mentions"),
            "published_first": first,
            "published_last": last,
            "by_publisher": group(
                "SELECT publisher, count(*) n FROM articles GROUP BY 1 ORDER BY n DESC, 1"
            ),
            "by_category": group(
                "SELECT category, count(*) n FROM articles GROUP BY 1 ORDER BY n DESC, 1"
            ),
            "by_cameo_root": group(
                "SELECT cameo_root, count(*) n FROM events GROUP BY 1 ORDER BY 1"
            ),
            "by_certainty": group(
                "SELECT certainty, count(*) n FROM events GROUP BY 1 ORDER BY n DESC, 1"
            ),
            "by_plover": group(
                "SELECT plover, count(*) n FROM events GROUP BY 1 ORDER BY n DESC, 1"
            ),
            "by_type": group("SELECT type, count(*) n FROM events GROUP BY 1 ORDER BY n DESC, 1"),
            "articles_by_day": group(
                "SELECT substr(published, 1, 10), count(*) FROM articles"
                " WHERE published IS NOT NULL GROUP BY 1 ORDER BY 1"
            ),
            "events_by_day": group(
                "SELECT effective_date, count(*) FROM events"
                " WHERE effective_date IS NOT NULL GROUP BY 1 ORDER BY 1"
            ),
        }

    # -- export ----------------------------------------------------------------------

    def export(self, out: str | Path | TextIO, fmt: ExportFormat, **event_filters: Any) -> int:
        """Write the store to *out* (a path or an open file); return the rows written.

        ``jsonl``: one analysis record per line (with event filters: the records of
        articles that have a matching event). ``parquet``: one row per event (needs a
        path or binary file). ``gdelt``: one GDELT 2.0 Event row per event, tab-separated,
        no header. ``event_filters`` are those of :meth:`events`.
        """
        from . import export as _export  # pyarrow is imported only when needed

        if fmt == "jsonl":
            return _export.write_lines(out, self._iter_jsonl(event_filters))
        if fmt == "gdelt":
            rows = self._iter_events(**event_filters)
            return _export.write_lines(out, (_export.gdelt_line(r) for r in rows))
        if fmt == "parquet":
            return _export.write_parquet(out, self._iter_events(**event_filters))
        raise StoreError(f"unknown export format {fmt!r}: use jsonl, parquet or gdelt")

    def _iter_jsonl(self, event_filters: dict[str, Any]) -> Iterator[str]:
        if not event_filters:
            for row in self.db.execute("SELECT record FROM articles ORDER BY num"):
                yield row[0]
            return
        seen: set[str] = set()  # article ids only, not records: stays small
        for row in self._iter_events(**event_filters):
            aid = row["article_id"]
            if aid not in seen:
                seen.add(aid)
                rec = self.db.execute("SELECT record FROM articles WHERE id = ?", (aid,))
                yield rec.fetchone()[0]


# -- helpers -------------------------------------------------------------------------


def _fold_or_none(s: str | None) -> str | None:
    return None if s is None else fold(s)


def _check_page(limit: int | None, offset: int) -> None:
    if limit is not None and limit < 0:
        raise QueryError(f"limit must be >= 0, got {limit}")
    if offset < 0:
        raise QueryError(f"offset must be >= 0, got {offset}")


def _filter_date(value: str, name: str) -> str:
    value = value.strip()
    if _FILTER_DATE.fullmatch(value):
        padded = value + "-01-01"[len(value) - 4 :]  # 2024 -> 2024-01-01, 2024-03 -> -03-01
        try:
            datetime.strptime(padded, "%Y-%m-%d")
            return value
        except ValueError:
            pass
    raise QueryError(f"{name} must be a date like 2024, 2024-03 or 2024-03-15, got {value!r}")


def _actor_clause(value: str, sides: tuple[str, ...]) -> tuple[str, list[Any]]:
    value = value.strip()
    code = value.upper()
    # CAMEO actor codes are built from 3-letter blocks: "USA" also matches "USAGOV".
    as_prefix = code.isalnum() and len(code) % 3 == 0
    parts: list[str] = []
    params: list[Any] = []
    for side in sides:
        parts.append(f"e.{side}_entity = ?")
        params.append(value)
        if as_prefix:
            parts.append(f"(e.{side}_code >= ? AND e.{side}_code < ?)")
            params += [code, _next_string(code)]
        else:
            parts.append(f"e.{side}_code = ?")
            params.append(code)
    return "(" + " OR ".join(parts) + ")", params


def _root_sentences(title: str | None, sentences: list[Mapping[str, Any]]) -> set[int]:
    """Indices of the title sentence(s) and the first sentence after the title."""
    if not sentences:
        return {0}
    title_end = len(title) if title else 0
    ordered = sorted(sentences, key=lambda s: (s.get("start") or 0, s.get("index") or 0))
    roots = {s.get("index") for s in ordered if (s.get("start") or 0) < title_end}
    after = [s for s in ordered if (s.get("start") or 0) >= title_end]
    if after:
        roots.add(after[0].get("index"))
    return {i for i in roots if isinstance(i, int)}


_EVENT_COLUMNS = (
    "id", "article_id", "ord", "sentence", "trigger", "trigger_start", "trigger_end",
    "type", "cameo", "cameo_root", "cameo_label", "plover", "quad_class", "goldstein",
    "source_entity", "source_code", "source_text", "target_entity", "target_code",
    "target_text", "location_entity", "location_code", "location_text", "date",
    "effective_date", "certainty", "speaker_entity", "speaker_code", "speaker_text",
    "via_entity", "via_code", "via_text", "attribution_text", "quantities", "is_root",
    "record",
)  # fmt: skip
_EVENT_INSERT = (
    f"INSERT INTO events ({', '.join(_EVENT_COLUMNS)})"
    f" VALUES ({', '.join('?' * len(_EVENT_COLUMNS))})"
    " ON CONFLICT(article_id, id) DO NOTHING"
)


def _event_row(
    aid: str, ord_: int, ev: Mapping[str, Any], published: str | None, roots: set[int]
) -> tuple[Any, ...]:
    ev = dict(ev)
    trig = ev.get("trigger") if isinstance(ev.get("trigger"), Mapping) else {}
    cameo = ev.get("cameo") or None
    if not ev.get("id"):  # the JSON contract does not require event ids: derive a stable one
        basis = f"{aid}:{ord_}:{trig.get('start')}:{cameo}"
        ev["id"] = hashlib.sha1(basis.encode()).hexdigest()[:16]
    attribution = ev.get("attribution") if isinstance(ev.get("attribution"), Mapping) else {}
    sentence = ev.get("sentence")
    actors = [_actor(ev.get(r)) for r in _ROLES]
    actors += [_actor(attribution.get("speaker")), _actor(attribution.get("via"))]
    return (
        str(ev["id"]), aid, ord_, sentence, trig.get("text"), trig.get("start"), trig.get("end"),
        ev.get("type"), cameo, cameo[:2] if cameo else None, ev.get("cameo_label"),
        ev.get("plover"), ev.get("quad_class"), ev.get("goldstein"),
        *[v for a in actors[:3] for v in a], ev.get("date"),
        full_date(ev.get("date")) or full_date(published), ev.get("certainty"),
        *[v for a in actors[3:] for v in a], attribution.get("text"),
        _json(ev.get("quantities") or []), int(sentence in roots), _json(ev),
    )  # fmt: skip


# Full-text search: the matching articles (``:fts``, the sanitised FTS5 query) and their
# score, BM25 with the title weighted 3x, plus 1 for each query word found with the exact
# diacritics typed (``:exact``), so "đàm phán" ranks articles that write it so first.
_SEARCH_SOURCE = """(SELECT rowid, bm25(articles_fts, 3.0, 1.0) AS rank
                  FROM articles_fts WHERE articles_fts MATCH :fts) AS m
            JOIN articles a ON a.num = m.rowid"""
_SEARCH_SCORE = """(CASE :exact WHEN '' THEN 0 ELSE thoisu_exact(a.title, a.text, :exact) END
                    - m.rank / (1.0 - m.rank))"""
_CERTAINTIES = ("asserted", "reported", "possible", "negated", "question")
_COUNT_KEYS = ("cameo_root", "plover", "type", "certainty")
_INTERVALS = {"year": 4, "month": 7, "day": 10}
# Undated events sort last; then the article's insertion order and the event's position.
_EVENT_ORDER_KEY = "(coalesce(e.effective_date, '9999'), a.num, e.ord)"
# Brackets of the matches in article snippets: private-use characters, never in news text.
SNIPPET_MARKS = ("\ue000", "\ue001")


def _event_where(
    *,
    actor: str | None = None,
    counterpart: str | None = None,
    source: str | None = None,
    target: str | None = None,
    location: str | None = None,
    cameo: str | None = None,
    plover: str | None = None,
    event_type: str | None = None,
    certainty: str | None = None,
    since: str | None = None,
    until: str | None = None,
    entity: str | None = None,
) -> tuple[list[str], list[Any]]:
    """SQL conditions (on ``events e JOIN articles a``) for the event filters.

    ``actor`` with ``counterpart``: events between the two, either way round: one is the
    source and the other the target or the location ("NATO trains troops in Iraq").
    """
    where: list[str] = []
    params: list[Any] = []

    def add(sql: str, *values: Any) -> None:
        where.append(sql)
        params.extend(values)

    if actor and counterpart:
        # One of the two acts (source) on the other (target) or where the other is (location).
        pairs = []
        for one, other in ((actor, counterpart), (counterpart, actor)):
            acts, acts_p = _actor_clause(one, ("source",))
            on, on_p = _actor_clause(other, ("target", "location"))
            pairs.append(f"({acts} AND {on})")
            params.extend([*acts_p, *on_p])
        where.append("(" + " OR ".join(pairs) + ")")
    elif counterpart:
        raise QueryError("counterpart needs an actor")
    for value, sides in ((None if counterpart else actor, ("source", "target")),
                         (source, ("source",)), (target, ("target",)),
                         (location, ("location",))):  # fmt: skip
        if value and value.strip():
            sql, values = _actor_clause(value, sides)
            add(sql, *values)
    if entity:
        sides = ("source", "target", "location", "speaker", "via")
        add("(" + " OR ".join(f"e.{s}_entity = ?" for s in sides) + ")", *[entity] * 5)
    if cameo:
        code = cameo.strip()
        if not code.isdigit() or len(code) > 4:
            raise QueryError(f"CAMEO code must be 1 to 4 digits, got {cameo!r}")
        add("e.cameo >= ? AND e.cameo < ?", code, _next_string(code))
    if plover:
        add("upper(e.plover) = ?", plover.strip().upper())
    if event_type:
        add("lower(e.type) = ?", event_type.strip().lower())
    if certainty:
        value = certainty.strip().lower()
        if value not in _CERTAINTIES:
            raise QueryError(
                f"certainty must be one of {', '.join(_CERTAINTIES)}, got {certainty!r}"
            )
        add("e.certainty = ?", value)
    if since:
        add("e.effective_date >= ?", _filter_date(since, "since"))
    if until:
        bound = _filter_date(until, "until")
        add("substr(e.effective_date, 1, ?) <= ?", len(bound), bound)
    return where, params


def _named(conditions: list[str]) -> list[str]:
    """Positional ``?`` placeholders -> ``:p0``, ``:p1``, ... in order (for named queries)."""
    out, k = [], 0
    for cond in conditions:
        parts = cond.split("?")
        text = parts[0]
        for part in parts[1:]:
            text += f":p{k}{part}"
            k += 1
        out.append(text)
    return out


def _encode_cursor(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, size: int) -> tuple[Any, ...]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        key = None
    if (
        not isinstance(key, list)
        or len(key) != size
        or not all(isinstance(k, str | int | float) for k in key)
    ):
        raise QueryError(f"invalid cursor {cursor!r}: pass the next_cursor of a previous page")
    return tuple(key)


def _period_range(periods: list[str], interval: str) -> list[str]:
    """Every period from the first to the last of ``periods`` (none left out of a chart)."""
    if not periods:
        return []
    first, last = periods[0], periods[-1]
    if interval == "year":
        return [str(y) for y in range(int(first), int(last) + 1)]
    if interval == "month":
        out, (y, m) = [], map(int, first.split("-"))
        while f"{y:04d}-{m:02d}" <= last and len(out) < 1200:
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out
    from datetime import date, timedelta

    day, end = date.fromisoformat(first), date.fromisoformat(last)
    out = []
    while day <= end and len(out) < 3660:
        out.append(day.isoformat())
        day += timedelta(days=1)
    return out


_EVENT_SELECT = """
    SELECT e.*, a.title AS article_title, a.published, a.url, a.source AS article_source,
           a.publisher, a.added_at, s.text AS sentence_text,
           se.name AS source_name, te.name AS target_name, le.kind AS location_kind,
           coalesce(e.effective_date, '9999') AS _k_date, a.num AS _k_num, e.ord AS _k_ord
    FROM events e
    JOIN articles a ON a.id = e.article_id
    LEFT JOIN sentences s ON s.article_id = e.article_id AND s.idx = e.sentence
    LEFT JOIN entities se ON se.id = e.source_entity
    LEFT JOIN entities te ON te.id = e.target_entity
    LEFT JOIN entities le ON le.id = e.location_entity
"""


def _event_dict(row: sqlite3.Row) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(row["record"])
    event["article_id"] = row["article_id"]
    event["article_title"] = row["article_title"]
    event["published"] = row["published"]
    event["sentence_text"] = row["sentence_text"]
    return event
