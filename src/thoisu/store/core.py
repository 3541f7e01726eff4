"""The SQLite store: :class:`Store` and its query helpers."""

from __future__ import annotations

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
        sql = """
            SELECT a.id, a.title, a.publisher, a.published, a.text,
                   CASE :exact WHEN '' THEN 0 ELSE thoisu_exact(a.title, a.text, :exact) END
                       - m.rank / (1.0 - m.rank) AS score
            FROM (SELECT rowid, bm25(articles_fts, 3.0, 1.0) AS rank
                  FROM articles_fts WHERE articles_fts MATCH :fts) AS m
            JOIN articles a ON a.num = m.rowid
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
        source: str | None = None,
        target: str | None = None,
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

        ``actor`` matches the source or target, ``source``/``target`` one side: by entity
        id, or CAMEO actor code (a 3/6/9-letter code also matches as a prefix: "USA"
        matches "USAGOV"). ``cameo`` is a code prefix ("19" matches "190", "193").
        ``since``/``until`` (``YYYY[-MM[-DD]]``, inclusive) compare with the event date
        when it is a full date, else the article's published date. Each dict is the event
        record plus ``article_id``, ``article_title``, ``published``, ``sentence_text``.
        """
        filters = {
            "actor": actor, "source": source, "target": target, "cameo": cameo,
            "plover": plover, "event_type": event_type, "certainty": certainty,
            "since": since, "until": until, "limit": limit, "offset": offset,
        }  # fmt: skip
        return [_event_dict(r) for r in self._iter_events(**filters)]

    def entity_events(self, entity_id: str) -> list[dict[str, Any]]:
        """Events in which the entity is source, target, location, speaker or via."""
        return [_event_dict(r) for r in self._iter_events(entity=entity_id)]

    def _iter_events(
        self,
        *,
        actor: str | None = None,
        source: str | None = None,
        target: str | None = None,
        cameo: str | None = None,
        plover: str | None = None,
        event_type: str | None = None,
        certainty: str | None = None,
        since: str | None = None,
        until: str | None = None,
        entity: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> Iterator[sqlite3.Row]:
        _check_page(limit, offset)
        where: list[str] = []
        params: list[Any] = []

        def add(sql: str, *values: Any) -> None:
            where.append(sql)
            params.extend(values)

        for value, sides in ((actor, ("source", "target")), (source, ("source",)),
                             (target, ("target",))):  # fmt: skip
            if value:
                sql, values = _actor_clause(value, sides)
                add(sql, *values)
        if entity:
            sides = ("source", "target", "location", "speaker", "via")
            add("(" + " OR ".join(f"e.{s}_entity = ?" for s in sides) + ")", *[entity] * 5)
        if cameo:
            code = cameo.strip()
            if not code.isdigit():
                raise QueryError(f"CAMEO code must be digits, got {cameo!r}")
            add("e.cameo >= ? AND e.cameo < ?", code, _next_string(code))
        if plover:
            add("upper(e.plover) = ?", plover.strip().upper())
        if event_type:
            add("lower(e.type) = ?", event_type.strip().lower())
        if certainty:
            add("e.certainty = ?", certainty.strip().lower())
        if since:
            add("e.effective_date >= ?", _filter_date(since, "since"))
        if until:
            bound = _filter_date(until, "until")
            add("substr(e.effective_date, 1, ?) <= ?", len(bound), bound)
        sql = _EVENT_SELECT
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY e.effective_date IS NULL, e.effective_date, a.num, e.ord LIMIT ? OFFSET ?"
        params += [-1 if limit is None else limit, offset]
        # A cursor, not a generator: bad filters fail here, before an export opens its file.
        return self.db.execute(sql, params)

    def get_entity(self, entity_id: str) -> dict[str, Any] | None:
        """One canonical entity with its counts, or None."""
        rows = self._entity_rows("WHERE en.id = ?", [entity_id], None)
        return rows[0] if rows else None

    def entities(self, *, limit: int | None = None, query: str | None = None) -> list[dict]:
        """Canonical entities, most widely reported first.

        ``query`` keeps entities whose id, name, Vietnamese name or code contains it,
        ignoring case and diacritics. Each dict: id, name, name_vi, type, code, wikidata,
        kind, country, article_count, mention_count.
        """
        _check_page(limit, 0)
        where, params = "", []
        if query and query.strip():
            where = (
                "WHERE instr(thoisu_fold(en.id || ' ' || en.name || ' ' ||"
                " coalesce(en.name_vi, '') || ' ' || coalesce(en.code, '')), ?) > 0"
            )
            params.append(fold(query.strip()))
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
        and category; events by CAMEO root and certainty; the published date range."""
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
    if not _FILTER_DATE.fullmatch(value):
        raise QueryError(f"--{name} must be a date like 2024, 2024-03 or 2024-03-15, got {value!r}")
    return value


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


_EVENT_SELECT = """
    SELECT e.*, a.title AS article_title, a.published, a.url, a.source AS article_source,
           a.publisher, a.added_at, s.text AS sentence_text,
           se.name AS source_name, te.name AS target_name, le.kind AS location_kind
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
