"""The SQLite store: the :class:`Store` facade over the query modules.

The facade owns the connection (opening, migrations, transactions, time budgets) and hands
each operation on to the module of its resource: :mod:`.articles`, :mod:`.events`,
:mod:`.entities`, :mod:`.dyads`, :mod:`.watches`, :mod:`.stats`, :mod:`.export`, and
:mod:`.crawl` for what ``follow`` fetched; :mod:`.writing` stores an analysis.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, TextIO

from ..records import Analysis
from . import articles, dyads, entities, events, schema, stats, watches
from .articles import SearchHit
from .crawl import CrawlLog
from .errors import QueryError, QueryTimeout, StoreError
from .filters import EventFilter
from .ranking import reading_points
from .sql import _event_dict, _fold_or_none
from .writing import insert_analysis

__all__ = ["DEFAULT_DB_PATH", "ExportFormat", "SearchHit", "Store"]

DEFAULT_DB_PATH: Path = Path(os.environ.get("THOISU_DB") or "thoisu.db")
"""Where :class:`Store` opens by default: ``$THOISU_DB`` if set, else ``./thoisu.db``
(relative to the working directory; read once, at import)."""

ExportFormat = Literal["jsonl", "parquet", "gdelt"]


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
        timeout = self._as_timeout(exc)
        if timeout is not None:
            raise timeout from exc

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

    def _as_timeout(self, exc: BaseException | None) -> QueryTimeout | None:
        """The QueryTimeout that SQLite's interruption ``exc`` stands for, if the time
        budget was spent; else None."""
        if isinstance(exc, sqlite3.OperationalError) and self._time_spent():
            return self._timeout()
        return None

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

    @contextmanager
    def _searching(self, query: str | None) -> Iterator[None]:
        """A query SQLite stopped (its time budget, a search it cannot run) as our error."""
        try:
            yield
        except sqlite3.OperationalError as e:
            raise self._failed(query, e) from e

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
        changes). Its facts are marked for the watches they match.
        """
        with self._transaction() as db:
            return insert_analysis(db, analysis)

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
                    if insert_analysis(db, item):
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

    # -- articles --------------------------------------------------------------------

    def has_article(self, article_id: str) -> bool:
        """Whether an article with this id is stored."""
        return articles.has_article(self.db, article_id)

    def get_article(self, article_id: str) -> dict[str, Any] | None:
        """The stored analysis record (``Analysis.to_dict`` shape), or None."""
        return articles.get_article(self.db, article_id)

    def iter_analyses(self) -> Iterator[dict[str, Any]]:
        """Stream every stored analysis record, in insertion order."""
        for record in articles.iter_records(self.db):
            yield json.loads(record)

    def __len__(self) -> int:
        return articles.count(self.db)

    def search(self, query: str, *, limit: int = 20, offset: int = 0) -> list[SearchHit]:
        """Full-text search, insensitive to case and Vietnamese diacritics (đ = d).

        Syntax: words (all must match), ``"phrases"``, ``OR``, ``a NOT b``, ``prefix*``.
        Articles that contain the words typed side by side, with the diacritics typed (or,
        typed without any, in their most common reading: ``dam phan`` is "đàm phán") rank
        first, then by BM25 (title weighted 3x). Raises :class:`QueryError` for a query
        with no searchable words or past the bounds of :func:`parse_query`.
        """
        with self._searching(query):
            return articles.search(self.db, query, limit=limit, offset=offset)

    def count_articles(self, *, query: str | None = None, **filters: str | None) -> int:
        """How many articles :meth:`articles_page` would list with these filters."""
        with self._searching(query):
            return articles.count_matching(self.db, query, **filters)

    def articles_page(
        self,
        *,
        query: str | None = None,
        limit: int = 20,
        cursor: str | None = None,
        **filters: str | None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Articles matching every filter (``publisher``, ``category``, ``entity``,
        ``since``, ``until``), a page at a time, and the next page's cursor.

        With ``query`` (the :meth:`search` syntax, diacritics ignored) the best matches come
        first and each item has a ``snippet`` around the first match (matches between
        ``\ue000`` and ``\ue001``); without, the newest published first (undated last), then
        the most recently stored. ``since``/``until`` compare with the published date.
        Listing cursors never repeat or skip an article when others are added; search
        cursors are exact while the store is unchanged (new articles move BM25 scores).
        """
        with self._searching(query):
            return articles.page(self.db, query, limit=limit, cursor=cursor, **filters)

    def facets(self, query: str | None = None) -> dict[str, dict[str, int]]:
        """Article counts by publisher and by category, over the articles matching
        ``query`` (all articles without one)."""
        with self._searching(query):
            return articles.facets(self.db, query)

    # -- events ----------------------------------------------------------------------

    def events(
        self,
        *,
        limit: int | None = None,
        offset: int = 0,
        newest_first: bool = False,
        **filters: Any,
    ) -> list[dict[str, Any]]:
        """Events matching all given filters (those of :class:`EventFilter`: ``actor``,
        ``counterpart``, ``source``, ``target``, ``location``, ``cameo``, ``plover``,
        ``event_type``, ``certainty``, ``min_certainty``, ``q``, ``since``, ``until``;
        ``watch``: a watch's id), oldest first (``newest_first``: the newest first);
        undated events come last either way. ``since``/``until`` compare with the event
        date when it is a full date, else the article's published date. Each dict is the
        event record plus ``article_id``, ``article_title``, ``published``,
        ``sentence_text`` and, for facts, its ``group`` of reports."""
        rows = events.select(
            self.db, limit=limit, offset=offset, newest_first=newest_first, **filters
        )
        return [_event_dict(r) for r in rows]

    def entity_events(self, entity_id: str) -> list[dict[str, Any]]:
        """Events in which the entity is source, target, location, speaker or via."""
        return [_event_dict(r) for r in events.select(self.db, entity=entity_id)]

    def events_page(
        self,
        *,
        limit: int = 50,
        cursor: str | None = None,
        newest_first: bool = False,
        **filters: Any,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of :meth:`events` (same filters and order) and the cursor of the next
        page (None on the last). Cursors are keyset positions: a page never repeats or
        skips an event when other events are added; a cursor serves only the order it was
        made for."""
        with self._searching(filters.get("q")):
            return events.page(
                self.db, limit=limit, cursor=cursor, newest_first=newest_first, **filters
            )

    def event_counts(
        self,
        *,
        by: str = "cameo_root",
        interval: str = "month",
        unit: str = "groups",
        full_range: bool = False,
        **filters: Any,
    ) -> dict[str, Any]:
        """Events per period, split by ``by`` (``cameo_root``, ``plover``, ``type`` or
        ``certainty``), for the :meth:`events` filters. Periods follow the effective date
        (the event's own full date, else the article's publication date) cut to
        ``interval`` (``year``, ``month``, ``week``: from its Monday, or ``day``).

        ``unit="groups"`` (the default) counts occurrences: each group of reports once, at
        its first report; ``unit="mentions"`` counts every report. Only facts are counted
        (coded, neither ``negated`` nor ``question``), except by certainty or for a
        ``certainty`` filter (then reports: only facts are grouped, and ``unit`` in the
        answer says so). The periods charted run from the 1st to the 99th percentile of the
        dates (:data:`~thoisu.store.events.CORE_SHARE`; ``full_range``: all of them).

        Returns ``{"periods": [...], "series": {key: [count per period]}, "undated": n,
        "out_of_range": n, "earlier": n, "later": n, "total": n, "unit": ...}``:
        ``out_of_range`` dated outside what a timeline charts (1800 to next year),
        ``earlier``/``later`` outside the range shown; ``total`` counts them all."""
        with self._searching(filters.get("q")):
            return events.counts(
                self.db, by=by, interval=interval, unit=unit, full_range=full_range, **filters
            )

    def dyad(self, a: str, b: str, **options: Any) -> dict[str, Any]:
        """The facts between actors ``a`` and ``b`` (entity ids or CAMEO actor codes), per
        ``interval`` (``year``, ``month``, ``week``: from its Monday, or ``day``) and
        direction (``a_to_b``: ``a`` the source, ``b`` the target; ``b_to_a``): counts by
        quad class (1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4
        material conflict) and the mean Goldstein score (None where no event has one).
        ``unit``: ``groups`` (occurrences, the default) or ``mentions``; ``since``,
        ``until``, ``full_range`` as for :meth:`event_counts`."""
        return dyads.dyad(self.db, a, b, **options)

    # -- entities --------------------------------------------------------------------

    def get_entity(self, entity_id: str) -> dict[str, Any] | None:
        """One canonical entity with its counts, or None."""
        found = entities.rows(self.db, "WHERE en.id = ?", [entity_id], None)
        return found[0] if found else None

    def entities(
        self, *, limit: int | None = None, query: str | None = None, type: str | None = None
    ) -> list[dict[str, Any]]:
        """Canonical entities, most widely reported first.

        ``query`` finds entities by any name they are known by (English and Vietnamese
        names, code, id, every form they were mentioned in), ignoring case and diacritics,
        best match first: the name as typed, then a name equal to it without diacritics,
        then a name starting with it, then containing it; within each, the most widely
        reported first. ``type``: one type (PER, ORG, LOC, MISC). Each dict: id, name,
        name_vi, type, code, wikidata, kind, country, article_count, mention_count.
        """
        return entities.find(self.db, limit=limit, query=query, type=type)

    def entity_articles(self, entity_id: str) -> list[dict[str, Any]]:
        """Articles that mention the entity, newest first: id, title, publisher,
        published, url, mention_count."""
        return entities.articles(self.db, entity_id)

    def entity_timeline(self, entity_id: str, *, interval: str = "month") -> dict[str, Any]:
        """Articles mentioning the entity per publication period: ``{"periods": [...],
        "articles": [...], "mentions": [...], "undated": n, "out_of_range": n}`` (undated:
        articles with no publication date; out_of_range: dated before 1800 or after next
        year)."""
        return entities.timeline(self.db, entity_id, interval=interval)

    def counterparts(
        self, entity_id: str, *, limit: int | None = 15, unit: str = "groups"
    ) -> list[dict[str, Any]]:
        """The actors the entity is most often in facts with, as source or target: each
        ``{"entity", "name", "type", "code", "as_target", "as_source", "total",
        "by_cameo_root": {...}, "by_plover": {...}}``, where ``as_target`` counts events in
        which the entity acts on the counterpart and ``as_source`` the other way round;
        occurrences (``unit="groups"``, the default) or reports (``"mentions"``)."""
        return entities.counterparts(self.db, entity_id, limit=limit, unit=unit)

    def counterpart_links(self, entity_ids: list[str]) -> list[dict[str, Any]]:
        """Event counts between each ordered pair of the given entities: ``{"source",
        "target", "count"}`` (for drawing who acts on whom among an actor's counterparts)."""
        return entities.counterpart_links(self.db, entity_ids)

    # -- watches ---------------------------------------------------------------------

    def add_watch(self, name: str, event_filter: EventFilter) -> dict[str, Any]:
        """Save ``event_filter`` as the watch ``name`` and mark the stored facts it matches;
        from then on every stored fact it matches is marked as it is stored. Raises
        :class:`QueryError` for a name in use, an empty filter, or an actor that is neither
        a stored entity nor a CAMEO actor code."""
        with self._transaction() as db:
            return watches.add(db, name, event_filter)

    def remove_watch(self, name: str) -> bool:
        """Delete a watch and its matches; False if there was none of that name."""
        with self._transaction() as db:
            return watches.remove(db, name)

    def get_watch(self, name: str) -> dict[str, Any] | None:
        """A watch with its counts: ``{"id", "name", "filters", "created_at",
        "occurrences", "reports", "last_matched_at"}``, or None."""
        return watches.get(self.db, name)

    def watches_page(
        self, *, limit: int = 50, cursor: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """The watches by name, a page at a time, and the next page's cursor."""
        return watches.page(self.db, limit=limit, cursor=cursor)

    def watch_latest(self, watch_id: int, *, limit: int = 50) -> list[dict[str, Any]]:
        """A watch's latest occurrences, the most recently matched first (for alerts)."""
        return watches.latest(self.db, watch_id, limit=limit)

    def watch_matches_of(self, article_id: str) -> list[dict[str, Any]]:
        """What the watches matched in one stored article: ``{"watch", "event"}``."""
        return watches.matches_of_article(self.db, article_id)

    # -- summary ---------------------------------------------------------------------

    def stats(self, *, unit: str = "groups") -> dict[str, Any]:
        """Counts: articles, sentences, events, entities, mentions; articles by publisher
        and category; facts by CAMEO root, PLOVER type and effective day as occurrences
        (``unit="mentions"``: reports); events by certainty and ACE type; articles per
        publication day; the published date range."""
        return stats.summary(self.db, unit=unit)

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
            rows = events.select(self.db, **event_filters, facts_only=True, first_reports=True)
            lines = (_export.gdelt_line(r) for r in rows)  # None: neither actor named
            return _export.write_lines(out, (line for line in lines if line is not None))
        if fmt == "parquet":
            return _export.write_parquet(out, events.select(self.db, **event_filters))
        raise StoreError(f"unknown export format {fmt!r}: use jsonl, parquet or gdelt")

    def _iter_jsonl(self, event_filters: dict[str, Any]) -> Iterator[str]:
        if not event_filters:
            for row in self.db.execute("SELECT record FROM articles ORDER BY num"):
                yield row[0]
            return
        seen: set[str] = set()  # article ids only, not records: stays small
        for row in events.select(self.db, **event_filters):
            aid = row["article_id"]
            if aid not in seen:
                seen.add(aid)
                rec = self.db.execute("SELECT record FROM articles WHERE id = ?", (aid,))
                yield rec.fetchone()[0]
