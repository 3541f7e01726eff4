"""The SQLite store: :class:`Store` and its query helpers."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TextIO

from ..records import Analysis
from . import schema
from .crawl import CrawlLog
from .errors import QueryError, QueryTimeout, StoreError
from .grouping import group_article
from .linking import alias_rows, folded_key, link_people
from .ranking import common_readings, rank_key, reading_points
from .sql import (
    _COUNT_KEYS,
    _EVENT_INSERT,
    _EVENT_NEWEST_KEY,
    _EVENT_ORDER_KEY,
    _EVENT_SELECT,
    _INTERVALS,
    _NEWEST_FIRST,
    _SEARCH_CUTOFF,
    _SEARCH_SCORE,
    _SEARCH_SOURCE,
    FACTS_ONLY,
    NOT_DENIED,
    SNIPPET_MARKS,
    _article_where,
    _check_page,
    _decode_cursor,
    _encode_cursor,
    _event_dict,
    _event_row,
    _event_where,
    _fold_or_none,
    _json,
    _named,
    _now,
    _period_range,
    _root_sentences,
    charted,
)
from .text import ParsedQuery, fold, parse_query, snippet

DEFAULT_DB_PATH: Path = Path(os.environ.get("THOISU_DB") or "thoisu.db")
"""Where :class:`Store` opens by default: ``$THOISU_DB`` if set, else ``./thoisu.db``
(relative to the working directory; read once, at import)."""

ExportFormat = Literal["jsonl", "parquet", "gdelt"]


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
            db.create_function("thoisu_rank", 3, reading_points, deterministic=True)
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

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        self.close()
        if isinstance(exc, sqlite3.OperationalError) and self._time_spent():
            raise self._timeout() from exc

    def limit_time(self, exhausted: Callable[[], bool] | None, seconds: float = 0) -> None:
        """Stop any query of this store once ``exhausted()`` is true (checked every few
        thousand SQLite steps); the query then raises :class:`QueryTimeout`. The web app
        gives each request such a budget, which also runs out when its client leaves.
        ``None`` lifts the limit."""
        self._exhausted = exhausted
        self._seconds = seconds
        handler = (lambda: 1 if exhausted() else 0) if exhausted else None
        self.db.set_progress_handler(handler, 5_000)

    def _time_spent(self) -> bool:
        exhausted = getattr(self, "_exhausted", None)
        return bool(exhausted and exhausted())

    def _timeout(self) -> QueryTimeout:
        return QueryTimeout(
            f"the query was stopped after its time budget of {self._seconds:g} s"
            " (or its client left): narrow it with more words or filters"
        )

    def _failed(self, query: str | None, e: sqlite3.OperationalError) -> StoreError:
        """The error to raise for a search that SQLite stopped."""
        if self._time_spent():
            return self._timeout()
        return QueryError(f"cannot run search {query!r}: {e}")

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

    @property
    def crawl(self) -> CrawlLog:
        """What was followed and fetched: feed validators and page outcomes."""
        return CrawlLog(lambda: self.db, self._transaction)

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
        if db.execute("SELECT 1 FROM articles WHERE id = ?", (aid,)).fetchone():
            return False
        link_people(db, record)  # before the record is stored: it keeps the linked ids
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
                "INSERT OR IGNORE INTO entity_aliases (entity_id, alias, folded, last)"
                " VALUES (?, ?, ?, ?)",
                alias_rows(eid, ent),
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
        group_article(db, aid)
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
        Articles that contain the words typed side by side, with the diacritics typed (or,
        typed without any, in their most common reading: ``dam phan`` is "đàm phán") rank
        first, then by BM25 (title weighted 3x). Raises :class:`QueryError` for a query
        with no searchable words or past the bounds of :func:`parse_query`.
        """
        _check_page(limit, offset)
        parsed = parse_query(query)
        sql = f"""
            SELECT a.id, a.title, a.publisher, a.published, a.text, {_SEARCH_SCORE} AS score
            FROM {_SEARCH_SOURCE}
            ORDER BY score DESC, a.published DESC, a.id
            LIMIT :limit OFFSET :offset
        """
        try:
            params = {**self._search_params(parsed), "limit": limit, "offset": offset}
            rows = self.db.execute(sql, params).fetchall()
        except sqlite3.OperationalError as e:  # sanitising should prevent this; never leak it
            raise self._failed(query, e) from e
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

    def _search_params(self, parsed: ParsedQuery) -> dict[str, Any]:
        """The FTS5 query and the ranking key (with the common readings of the words typed
        without diacritics) for :data:`_SEARCH_SOURCE` and :data:`_SEARCH_SCORE`."""
        readings = common_readings(self.db, parsed.units)
        cutoff = self.db.execute(_SEARCH_CUTOFF, (parsed.fts,)).fetchone()
        return {
            "fts": parsed.fts,
            "rank": rank_key(parsed.units, readings),
            "cutoff": cutoff[0] if cutoff else None,
        }

    def count_articles(
        self,
        *,
        query: str | None = None,
        publisher: str | None = None,
        category: str | None = None,
        entity: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> int:
        """How many articles :meth:`articles_page` would list with these filters."""
        where, params = _article_where(publisher, category, entity, since, until)
        parsed = parse_query(query) if query and query.strip() else None
        source = _SEARCH_SOURCE if parsed is not None else "articles a"
        named: dict[str, Any] = {"fts": parsed.fts} if parsed is not None else {}
        named.update({f"p{i}": v for i, v in enumerate(params)})
        clause = (" WHERE " + " AND ".join(_named(where))) if where else ""
        try:
            return int(
                self.db.execute(f"SELECT count(*) FROM {source}{clause}", named).fetchone()[0]
            )
        except sqlite3.OperationalError as e:
            raise self._failed(query, e) from e

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
        newest_first: bool = False,
    ) -> list[dict[str, Any]]:
        """Events matching all given filters, oldest first (``newest_first``: the newest
        first); undated events come last either way.

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
            "offset": offset, "newest_first": newest_first,
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
        newest_first: bool = False,
        **filters: Any,
    ) -> Iterator[sqlite3.Row]:
        _check_page(limit, offset)
        where, params = _event_where(**filters)
        if after is not None:
            if newest_first:
                where.append(f"{_EVENT_NEWEST_KEY} < (?, ?, ?)")
            else:
                where.append(f"{_EVENT_ORDER_KEY} > (?, ?, ?)")
            params += list(after)
        sql = _EVENT_SELECT
        if where:
            sql += " WHERE " + " AND ".join(where)
        order = _NEWEST_FIRST if newest_first else _EVENT_ORDER_KEY[1:-1]
        sql += f" ORDER BY {order} LIMIT ? OFFSET ?"
        params += [-1 if limit is None else limit, offset]
        # A cursor, not a generator: bad filters fail here, before an export opens its file.
        return self.db.execute(sql, params)

    def events_page(
        self,
        *,
        limit: int = 50,
        cursor: str | None = None,
        newest_first: bool = False,
        **filters: Any,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of :meth:`events` (same filters and order, plus ``location`` and
        ``counterpart``) and the cursor of the next page (None on the last). Cursors are
        keyset positions: a page never repeats or skips an event when other events are
        added; a cursor serves only the order it was made for."""
        order = "newest" if newest_first else "oldest"
        after = None
        if cursor:
            *key, made_for = _decode_cursor(cursor, 4)
            after = tuple(key)
            if made_for != order:
                raise QueryError(f"this cursor pages the {made_for} events first, not the {order}")
        rows = list(self._iter_events(limit=limit + 1, after=after, newest_first=newest_first,
                                      **filters))  # fmt: skip
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = None
        if more and rows:
            last = rows[-1]
            key = ([last["_n_date"], last["_k_num"], -last["_k_ord"]] if newest_first
                   else [last["_k_date"], last["_k_num"], last["_k_ord"]])  # fmt: skip
            next_cursor = _encode_cursor([*key, order])
        return [_event_dict(r) for r in rows], next_cursor

    def event_counts(
        self,
        *,
        by: str = "cameo_root",
        interval: str = "month",
        unit: str = "mentions",
        **filters: Any,
    ) -> dict[str, Any]:
        """Events per period, split by ``by`` (``cameo_root``, ``plover``, ``type`` or
        ``certainty``), for the :meth:`events_page` filters. Periods follow the effective
        date (the event's own full date, else the article's publication date) cut to
        ``interval`` (``year``, ``month`` or ``day``); events with neither are counted in
        ``undated``. Only facts are counted (coded, neither ``negated`` nor ``question``),
        except by certainty or for a ``certainty`` filter. ``unit="groups"`` counts each
        occurrence once (the first report of each group, at its date) instead of every
        report (``mentions``). Returns ``{"periods": [...],
        "series": {key: [count per period]}, "undated": n, "out_of_range": n, "total": n}``
        (``out_of_range``: dated outside what a timeline charts, 1800 to next year)."""
        if by not in _COUNT_KEYS:
            raise QueryError(f"by must be one of {', '.join(_COUNT_KEYS)}, got {by!r}")
        if interval not in _INTERVALS:
            raise QueryError(f"interval must be one of {', '.join(_INTERVALS)}, got {interval!r}")
        # Counts are of facts: denied and asked-about events are left out, unless the counts
        # are by certainty or for one certainty.
        if unit not in ("mentions", "groups"):
            raise QueryError(f"unit must be mentions or groups, got {unit!r}")
        facts_only = by != "certainty" and not filters.get("certainty")
        where, params = _event_where(
            **filters, facts_only=facts_only, first_reports=unit == "groups"
        )
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        sql = f"""
            SELECT substr(e.effective_date, 1, {_INTERVALS[interval]}) AS period,
                   coalesce(e.{by}, '') AS key, count(*) AS n
            FROM events e JOIN articles a ON a.id = e.article_id{clause}
            GROUP BY 1, 2 ORDER BY 1, 2
        """
        counts: dict[str, dict[str, int]] = {}
        undated = out_of_range = total = 0
        for period, key, n in self.db.execute(sql, params):
            total += n
            if period is None:
                undated += n
            elif not charted(period):
                out_of_range += n
            else:
                counts.setdefault(key, {})[period] = n
        periods = _period_range(sorted({p for c in counts.values() for p in c}), interval)
        series = {k: [c.get(p, 0) for p in periods] for k, c in sorted(counts.items())}
        return {
            "periods": periods,
            "series": series,
            "undated": undated,
            "out_of_range": out_of_range,
            "total": total,
        }

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
        where, params = _article_where(publisher, category, entity, since, until)
        parsed = parse_query(query) if query and query.strip() else None
        # The sort key: the search score with a query, else the publication date (undated
        # last); then the newest stored first.
        named: dict[str, Any]
        if parsed is not None:
            key, source = _SEARCH_SCORE, _SEARCH_SOURCE
            try:
                named = self._search_params(parsed)
            except sqlite3.OperationalError as e:
                raise self._failed(query, e) from e
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
            raise self._failed(query, e) from e
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
                raise self._failed(query, e) from e
        return out

    def entity_timeline(self, entity_id: str, *, interval: str = "month") -> dict[str, Any]:
        """Articles mentioning the entity per publication period: ``{"periods": [...],
        "articles": [...], "mentions": [...], "undated": n, "out_of_range": n}`` (undated:
        articles with no publication date; out_of_range: dated before 1800 or after next
        year)."""
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
        dated = {r["period"]: r for r in rows if r["period"] is not None and charted(r["period"])}
        periods = _period_range(sorted(dated), interval)
        undated = sum(r["articles"] for r in rows if r["period"] is None)
        out_of_range = sum(r["articles"] for r in rows if r["period"] and not charted(r["period"]))
        return {
            "periods": periods,
            "articles": [dated[p]["articles"] if p in dated else 0 for p in periods],
            "mentions": [dated[p]["mentions"] if p in dated else 0 for p in periods],
            "undated": undated,
            "out_of_range": out_of_range,
        }

    def counterparts(self, entity_id: str, *, limit: int = 15) -> list[dict[str, Any]]:
        """The actors the entity is most often in events with, as source or target: each
        ``{"entity", "name", "type", "code", "as_target", "as_source", "total",
        "by_cameo_root": {...}, "by_plover": {...}}``, where ``as_target`` counts events in
        which the entity acts on the counterpart and ``as_source`` the other way round."""
        _check_page(limit, 0)
        rows = self.db.execute(
            f"""
            SELECT other, direction, cameo_root, plover, count(*) AS n FROM (
                SELECT e.target_entity AS other, 'as_target' AS direction, e.cameo_root,
                       e.plover
                FROM events e WHERE e.source_entity = :id AND e.target_entity IS NOT NULL
                    AND e.target_entity != :id AND {FACTS_ONLY}
                UNION ALL
                SELECT e.source_entity, 'as_source', e.cameo_root, e.plover
                FROM events e WHERE e.target_entity = :id AND e.source_entity IS NOT NULL
                    AND e.source_entity != :id AND {FACTS_ONLY}
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
            SELECT source_entity, target_entity, count(*)
            FROM events e WHERE source_entity IN ({marks}) AND target_entity IN ({marks})
                AND source_entity != target_entity AND {FACTS_ONLY}
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

        ``query`` finds entities by any name they are known by (English and Vietnamese
        names, code, id, every form they were mentioned in), ignoring case and diacritics,
        best match first: the name as typed, then a name equal to it without diacritics,
        then a name starting with it, then containing it; within each, the most widely
        reported first. ``type``: one type (PER, ORG, LOC, MISC). Each dict: id, name,
        name_vi, type, code, wikidata, kind, country, article_count, mention_count.
        """
        _check_page(limit, 0)
        conditions, params = [], []
        if type:
            conditions.append("en.type = ?")
            params.append(type)
        if not (query and query.strip()):
            where = ("WHERE " + " AND ".join(conditions)) if conditions else ""
            return self._entity_rows(where, params, limit)
        typed = " ".join(query.split())[:200]
        folded = folded_key(typed)
        if not folded:
            return []
        like = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        matches = """(
            SELECT entity_id, min(CASE WHEN :marks AND alias = :typed COLLATE NOCASE THEN 0
                                       WHEN folded = :folded THEN 1
                                       WHEN folded LIKE :like || '%' ESCAPE '\\' THEN 2
                                       ELSE 3 END) AS tier
            FROM entity_aliases
            WHERE instr(folded, :folded) > 0
            GROUP BY entity_id
            UNION ALL
            SELECT id, 3 FROM entities WHERE instr(thoisu_fold(id), :folded) > 0
        )"""
        # Typed without diacritics, "my" is as much "Mỹ" as "My": then only the folded
        # match counts, and the most widely reported entity comes first.
        named = {
            "typed": typed,
            "folded": folded,
            "like": like,
            "marks": fold(typed) != typed.lower(),
        }
        named.update({f"p{i}": v for i, v in enumerate(params)})
        where = " AND ".join(_named(conditions)) or "1"
        sql = f"""
            SELECT en.id, en.name, en.name_vi, en.type, en.code, en.wikidata, en.kind,
                   en.country, min(mt.tier) AS tier,
                   (SELECT count(*) FROM article_entities ae WHERE ae.entity_id = en.id)
                       AS article_count,
                   (SELECT count(*) FROM mentions m WHERE m.entity_id = en.id) AS mention_count
            FROM {matches} mt JOIN entities en ON en.id = mt.entity_id
            WHERE {where}
            GROUP BY en.id
            ORDER BY tier, article_count DESC, mention_count DESC, en.id
            LIMIT :limit
        """
        named["limit"] = -1 if limit is None else limit
        rows = [dict(r) for r in self.db.execute(sql, named)]
        for row in rows:
            row.pop("tier")
        return rows

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
            # the breakdowns count facts; by_certainty shows every event
            "facts": int(
                db.execute(f"SELECT count(*) FROM events e WHERE {FACTS_ONLY}").fetchone()[0]
            ),
            "by_cameo_root": group(
                f"SELECT cameo_root, count(*) n FROM events e WHERE {FACTS_ONLY} GROUP BY 1 ORDER BY 1"
            ),
            "by_certainty": group(
                "SELECT certainty, count(*) n FROM events GROUP BY 1 ORDER BY n DESC, 1"
            ),
            "by_plover": group(
                f"SELECT plover, count(*) n FROM events e WHERE {FACTS_ONLY}"
                " GROUP BY 1 ORDER BY n DESC, 1"
            ),
            "by_type": group(  # ACE types: uncoded events too
                f"SELECT type, count(*) n FROM events e WHERE {NOT_DENIED}"
                " GROUP BY 1 ORDER BY n DESC, 1"
            ),
            "articles_by_day": group(
                "SELECT substr(published, 1, 10), count(*) FROM articles"
                " WHERE published IS NOT NULL GROUP BY 1 ORDER BY 1"
            ),
            "events_by_day": group(
                f"SELECT effective_date, count(*) FROM events e WHERE {FACTS_ONLY}"
                " AND effective_date IS NOT NULL GROUP BY 1 ORDER BY 1"
            ),
        }

    # -- export ----------------------------------------------------------------------

    def export(self, out: str | Path | TextIO, fmt: ExportFormat, **event_filters: Any) -> int:
        """Write the store to *out* (a path or an open file); return the rows written.

        ``jsonl``: one analysis record per line (with event filters: the records of
        articles that have a matching event). ``parquet``: one row per event (needs a
        path or binary file). ``gdelt``: one GDELT 2.0 Event row per occurrence reported as
        a fact (with a CAMEO code, certainty neither ``negated`` nor ``question``; the others
        stay in JSON Lines and Parquet with their certainty): the first report of each group
        of reports (``grouping``), with the group's NumMentions, NumSources and NumArticles;
        tab-separated, no header.
        ``event_filters`` are those of :meth:`events`.
        """
        from . import export as _export  # pyarrow is imported only when needed

        if fmt == "jsonl":
            return _export.write_lines(out, self._iter_jsonl(event_filters))
        if fmt == "gdelt":  # a GDELT row is a coded fact: no negated, asked or uncoded event
            rows = self._iter_events(**event_filters, facts_only=True, first_reports=True)
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
