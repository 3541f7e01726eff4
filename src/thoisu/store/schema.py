"""Schema migrations: a registry of numbered functions applied in order.

Each migration runs in its own transaction and is recorded in ``_migrations``
(``PRAGMA user_version`` mirrors the highest number). To change the schema, add a
function decorated with ``@migration(N, "what it does")`` with the next number; never
edit a migration that has shipped.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

from .errors import StoreError

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: dict[int, tuple[str, Migration]] = {}


def migration(number: int, name: str) -> Callable[[Migration], Migration]:
    """Register *fn* as migration *number*."""

    def register(fn: Migration) -> Migration:
        if number in MIGRATIONS:
            raise ValueError(f"duplicate migration number {number}")
        MIGRATIONS[number] = (name, fn)
        return fn

    return register


@migration(1, "initial schema")
def _initial(db: sqlite3.Connection) -> None:
    # articles.num is an INTEGER PRIMARY KEY so the rowid the FTS table points at
    # survives VACUUM; the article id is the public key.
    _script(
        db,
        """
        CREATE TABLE articles (
            num INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            title TEXT, author TEXT, publisher TEXT, published TEXT,
            url TEXT, source TEXT, lead TEXT, body TEXT, text TEXT,
            language TEXT, category TEXT, credit TEXT, external_id TEXT,
            record TEXT NOT NULL,      -- the full analysis record (JSON)
            added_at TEXT NOT NULL     -- UTC, ISO 8601
        );
        CREATE INDEX articles_published ON articles(published);
        CREATE INDEX articles_publisher ON articles(publisher);
        CREATE INDEX articles_url ON articles(url);

        CREATE TABLE sentences (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            start INTEGER, "end" INTEGER, text TEXT,
            PRIMARY KEY (article_id, idx)
        ) WITHOUT ROWID;

        CREATE TABLE entities (
            id TEXT PRIMARY KEY,       -- canonical, stable across articles
            name TEXT NOT NULL, name_vi TEXT, type TEXT,
            code TEXT, wikidata TEXT, kind TEXT, country TEXT
        );
        CREATE INDEX entities_code ON entities(code);

        -- which articles list which entity (also for entities with no mention spans)
        CREATE TABLE article_entities (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            entity_id TEXT NOT NULL REFERENCES entities(id),
            role TEXT,
            PRIMARY KEY (article_id, entity_id)
        ) WITHOUT ROWID;
        CREATE INDEX article_entities_entity ON article_entities(entity_id);

        CREATE TABLE mentions (
            id INTEGER PRIMARY KEY,
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            entity_id TEXT NOT NULL REFERENCES entities(id),
            sentence INTEGER, start INTEGER, "end" INTEGER, text TEXT
        );
        CREATE INDEX mentions_entity ON mentions(entity_id);
        CREATE INDEX mentions_article ON mentions(article_id);

        -- Event ids are unique per article; a surrogate key keeps the store working even
        -- if a producer reuses ids across articles.
        CREATE TABLE events (
            num INTEGER PRIMARY KEY,
            id TEXT NOT NULL,
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            ord INTEGER NOT NULL,      -- position in the article's event list
            sentence INTEGER,
            trigger TEXT, trigger_start INTEGER, trigger_end INTEGER,
            type TEXT, cameo TEXT, cameo_root TEXT, cameo_label TEXT, plover TEXT,
            quad_class INTEGER, goldstein REAL,
            source_entity TEXT, source_code TEXT, source_text TEXT,
            target_entity TEXT, target_code TEXT, target_text TEXT,
            location_entity TEXT, location_code TEXT, location_text TEXT,
            date TEXT,                 -- as given, may be partial ("--02-12")
            effective_date TEXT,       -- YYYY-MM-DD: the event date if full, else published
            certainty TEXT,
            speaker_entity TEXT, speaker_code TEXT, speaker_text TEXT,
            via_entity TEXT, via_code TEXT, via_text TEXT,
            attribution_text TEXT,
            quantities TEXT,           -- JSON list
            is_root INTEGER NOT NULL DEFAULT 0,   -- in the title or first sentence
            record TEXT NOT NULL,      -- the event dict (JSON)
            UNIQUE (article_id, id)
        );
        CREATE INDEX events_id ON events(id);
        CREATE INDEX events_cameo ON events(cameo);
        CREATE INDEX events_cameo_root ON events(cameo_root);
        CREATE INDEX events_plover ON events(plover);
        CREATE INDEX events_type ON events(type);
        CREATE INDEX events_certainty ON events(certainty);
        CREATE INDEX events_effective_date ON events(effective_date);
        CREATE INDEX events_source_code ON events(source_code);
        CREATE INDEX events_target_code ON events(target_code);
        CREATE INDEX events_source_entity ON events(source_entity);
        CREATE INDEX events_target_entity ON events(target_entity);
        CREATE INDEX events_location_entity ON events(location_entity);

        -- Folded (diacritic-free, đ->d, lowercase) title and text; rowid = articles.num.
        CREATE VIRTUAL TABLE articles_fts USING fts5(
            title_folded, text_folded, tokenize = 'unicode61 remove_diacritics 2'
        );
        """,
    )


@migration(2, "entity aliases")
def _entity_aliases(db: sqlite3.Connection) -> None:
    # Every name an entity is known by (canonical names, code, mention forms), folded for
    # diacritic-insensitive search; ``last`` (its last word, folded) finds the stored
    # person a short or fuller name refers to (``linking``).
    from .linking import alias_rows

    _script(
        db,
        """
        CREATE TABLE entity_aliases (
            entity_id TEXT NOT NULL REFERENCES entities(id),
            alias TEXT NOT NULL,
            folded TEXT NOT NULL,
            last TEXT NOT NULL,
            PRIMARY KEY (entity_id, alias)
        ) WITHOUT ROWID;
        CREATE INDEX entity_aliases_folded ON entity_aliases(folded);
        CREATE INDEX entity_aliases_last ON entity_aliases(last);
        """,
    )
    rows = db.execute(
        "SELECT en.id, en.name, en.name_vi, en.code,"
        " (SELECT json_group_array(DISTINCT m.text) FROM mentions m WHERE m.entity_id = en.id)"
        " FROM entities en"
    )
    for eid, name, name_vi, code, forms in rows.fetchall():
        mentions = [{"text": t} for t in json.loads(forms or "[]") if t]
        entity = {"name": name, "name_vi": name_vi, "code": code, "mentions": mentions}
        db.executemany(
            "INSERT OR IGNORE INTO entity_aliases VALUES (?, ?, ?, ?)", alias_rows(eid, entity)
        )


@migration(3, "followed feeds and fetched pages")
def _crawl_state(db: sqlite3.Connection) -> None:
    # What `thoisu follow` and `thoisu ingest URL` remember between runs: each feed's
    # validators (ETag / Last-Modified, for 304 answers) and each page URL's outcome, so a
    # page already stored is never fetched again unless its feed entry changed.
    _script(
        db,
        """
        CREATE TABLE feeds (
            url TEXT PRIMARY KEY,
            etag TEXT, last_modified TEXT,
            title TEXT,
            checked_at TEXT,           -- UTC, ISO 8601: last round that asked for it
            changed_at TEXT,           -- last round that got a new version (not 304)
            status TEXT,               -- "ok", "not modified", or the failure
            items INTEGER NOT NULL DEFAULT 0,   -- entries in its last version
            rounds INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE fetched_urls (
            url TEXT PRIMARY KEY,
            feed TEXT,                 -- the feed that listed it (NULL: given directly)
            entry_stamp TEXT,          -- the feed entry's updated/published stamp
            status TEXT NOT NULL,      -- stored | duplicate | failed | blocked
            article_id TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            fetched_at TEXT NOT NULL
        );
        CREATE INDEX fetched_urls_feed ON fetched_urls(feed);
        """,
    )


@migration(4, "event groups: one occurrence, many reports")
def _event_groups(db: sqlite3.Connection) -> None:
    # GDELT's NumMentions / NumArticles / NumSources: see ``grouping``. Existing articles
    # are grouped in the order they were stored.
    from .grouping import group_article

    _script(
        db,
        """
        CREATE TABLE event_groups (
            id INTEGER PRIMARY KEY,
            key TEXT,                  -- CAMEO code | source | target (NULL: ungroupable)
            place TEXT,                -- location entity or code, when known
            amount TEXT,               -- the number in the target's words ("170 người")
            first_date TEXT, last_date TEXT,
            first_event INTEGER,       -- events.num of the first report
            mentions INTEGER NOT NULL DEFAULT 0,
            articles INTEGER NOT NULL DEFAULT 0,
            sources INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX event_groups_key ON event_groups(key, first_date);
        ALTER TABLE events ADD COLUMN group_id INTEGER REFERENCES event_groups(id);
        CREATE INDEX events_group ON events(group_id);
        """,
    )
    for (article_id,) in db.execute("SELECT id FROM articles ORDER BY num").fetchall():
        group_article(db, article_id)


@migration(5, "watches: saved event filters and the facts that matched them")
def _watches(db: sqlite3.Connection) -> None:
    # A watch is an event filter (store.filters, as JSON) whose matching facts are marked
    # when they are stored (store.watches); seq orders the matches as they came.
    _script(
        db,
        """
        CREATE TABLE watches (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            filters TEXT NOT NULL,     -- the EventFilter's fields given (JSON)
            created_at TEXT NOT NULL   -- UTC, ISO 8601
        );
        CREATE TABLE watch_matches (
            seq INTEGER PRIMARY KEY,
            watch_id INTEGER NOT NULL REFERENCES watches(id) ON DELETE CASCADE,
            event_num INTEGER NOT NULL REFERENCES events(num) ON DELETE CASCADE,
            matched_at TEXT NOT NULL,  -- UTC, ISO 8601: when the fact was stored
            UNIQUE (watch_id, event_num)
        );
        CREATE INDEX watch_matches_recent ON watch_matches(watch_id, seq);
        CREATE INDEX watch_matches_event ON watch_matches(event_num);
        """,
    )


@migration(6, "indexes of the events' newest-first and oldest-first orders")
def _event_order_indexes(db: sqlite3.Connection) -> None:
    # The first key of the events' list orders (sql._NEWEST_PARTS and _OLDEST_PARTS: the
    # effective date, else a partial date with a year; undated last), word for word, so
    # that a page of the events is read in order from the index instead of sorting every
    # event with its joined rows (15 ms on 7,000 events, growing with the store).
    _script(
        db,
        """
        CREATE INDEX events_newest ON events(coalesce(coalesce(effective_date,
            CASE WHEN date GLOB '[0-9][0-9][0-9][0-9]*' THEN date END), '0000'));
        CREATE INDEX events_oldest ON events(coalesce(coalesce(effective_date,
            CASE WHEN date GLOB '[0-9][0-9][0-9][0-9]*' THEN date END), '9999'));
        """,
    )


def _script(db: sqlite3.Connection, sql: str) -> None:
    """Run several statements inside the current transaction.

    ``Connection.executescript`` would COMMIT first, breaking the migration's atomicity.
    """
    buf = ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            db.execute(buf)
            buf = ""
    if buf.strip():
        raise ValueError(f"incomplete SQL statement: {buf.strip()[:60]}")


def _ensure_table(db: sqlite3.Connection) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS _migrations ("
        " id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )


def applied(db: sqlite3.Connection) -> set[int]:
    """Numbers of the migrations recorded in *db* (empty for a new database)."""
    exists = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'"
    ).fetchone()
    if not exists:
        return set()
    return {row[0] for row in db.execute("SELECT id FROM _migrations")}


def check(db: sqlite3.Connection) -> list[int]:
    """Return the pending migration numbers; fail if *db* is newer than this code."""
    done = applied(db)
    unknown = sorted(done - MIGRATIONS.keys())
    if unknown:
        raise StoreError(
            f"database has schema migrations {unknown} unknown to this thoisu version; upgrade"
        )
    return sorted(MIGRATIONS.keys() - done)


def migrate(db: sqlite3.Connection) -> list[int]:
    """Apply pending migrations in order, each in its own transaction; return their numbers.

    *db* must be in autocommit mode (``isolation_level=None``).
    """
    ran: list[int] = []
    for number in check(db):
        name, fn = MIGRATIONS[number]
        db.execute("BEGIN IMMEDIATE")
        try:
            _ensure_table(db)
            if number in applied(db):  # another process got there first
                db.execute("ROLLBACK")
                continue
            fn(db)
            now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            db.execute(
                "INSERT INTO _migrations (id, name, applied_at) VALUES (?, ?, ?)",
                (number, name, now),
            )
            db.execute(f"PRAGMA user_version = {int(number)}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        ran.append(number)
    return ran
