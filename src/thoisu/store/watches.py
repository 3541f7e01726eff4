"""Watches: saved event filters whose new matching facts are marked as they are stored.

A watch is an :class:`~thoisu.store.filters.EventFilter` under a name. When an article is
stored (by ``ingest``, ``follow``, ``load`` or the API: every write goes through
:func:`thoisu.store.writing.insert_analysis`), :func:`mark_article` records which of its
facts each watch matches; a new watch marks the facts already stored. The matches are
then an events filter (``watch``) like any other, and in the order they came for alerts.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from functools import lru_cache
from typing import Any

from .errors import QueryError
from .filters import EventFilter
from .sql import (
    _EVENT_SELECT,
    _check_page,
    _decode_cursor,
    _encode_cursor,
    _event_dict,
    _event_where,
    _now,
)

log = logging.getLogger(__name__)

NAME = re.compile(r"[\w-]{1,64}")
"""A watch name: letters (any script), digits, ``_`` and ``-``, at most 64: it is part of
the watch's URLs (``/watches/{name}.atom``)."""


def check_name(name: str) -> str:
    if not NAME.fullmatch(name or ""):
        raise QueryError(f"a watch name is 1 to 64 letters, digits, '_' or '-', got {name!r}")
    return name


_CODED = ("e.cameo IS NOT NULL", [])


@lru_cache(maxsize=1 << 14)
def _condition(filters_json: str) -> tuple[str, tuple[Any, ...]]:
    """The SQL condition of a stored filter: coded events, and facts only (neither denied
    nor asked about) unless it asks for a certainty. Cached by the filter's text (a write
    checks every watch), at most 16,384 of them: a long-running server outlives watches."""
    kwargs = json.loads(filters_json)
    where, params = _event_where(**kwargs, facts_only=not kwargs.get("certainty"), condition=_CODED)
    return " AND ".join(where), tuple(params)


def mark_article(db: sqlite3.Connection, article_id: str) -> int:
    """Mark the article's events that each watch matches; return the matches made. A watch
    whose stored filter no longer reads (written by another version) is skipped with a
    warning: it must never stop an article from being stored."""
    if not db.execute(
        "SELECT 1 FROM events WHERE article_id = ? AND cameo IS NOT NULL LIMIT 1", (article_id,)
    ).fetchone():
        return 0  # nothing coded: no watch can match
    watches = db.execute("SELECT id, name, filters FROM watches").fetchall()
    made, now = 0, _now()
    for watch_id, name, filters_json in watches:
        try:
            condition, params = _condition(filters_json)
        except (QueryError, TypeError, ValueError) as exc:
            log.warning("watch %s is skipped: its filter %s does not read: %s", name,
                        filters_json, exc)  # fmt: skip
            continue
        made += db.execute(
            "INSERT OR IGNORE INTO watch_matches (watch_id, event_num, matched_at)"
            " SELECT ?, e.num, ? FROM events e JOIN articles a ON a.id = e.article_id"
            f" WHERE e.article_id = ? AND {condition} ORDER BY e.num",
            (watch_id, now, article_id, *params),
        ).rowcount
    return made


def add(db: sqlite3.Connection, name: str, event_filter: EventFilter) -> dict[str, Any]:
    """Create a watch and mark the stored facts it matches (oldest first, so that the
    newest come first in the order of matches)."""
    check_name(name)
    if not {k: v for k, v in event_filter.as_kwargs().items() if k not in ("since", "until")}:
        raise QueryError(
            "a watch needs at least one filter besides dates: it would match every event"
        )
    event_filter.check()
    event_filter.check_actors(db)
    if db.execute("SELECT 1 FROM watches WHERE name = ?", (name,)).fetchone():
        raise QueryError(f"a watch named {name!r} exists: remove it first or pick another name")
    filters_json = json.dumps(event_filter.as_kwargs(), ensure_ascii=False, sort_keys=True)
    watch_id = db.execute(
        "INSERT INTO watches (name, filters, created_at) VALUES (?, ?, ?)",
        (name, filters_json, _now()),
    ).lastrowid
    condition, params = _condition(filters_json)
    db.execute(
        "INSERT OR IGNORE INTO watch_matches (watch_id, event_num, matched_at)"
        " SELECT ?, e.num, ? FROM events e JOIN articles a ON a.id = e.article_id"
        f" WHERE {condition} ORDER BY coalesce(e.effective_date, ''), e.num",
        (watch_id, _now(), *params),
    )
    found = get(db, name)
    assert found is not None
    return found


def remove(db: sqlite3.Connection, name: str) -> bool:
    return db.execute("DELETE FROM watches WHERE name = ?", (name,)).rowcount > 0


_SUMMARY = """
    SELECT w.id, w.name, w.filters, w.created_at,
           (SELECT count(*) FROM watch_matches m WHERE m.watch_id = w.id) AS reports,
           (SELECT count(DISTINCT coalesce(e.group_id, -e.num)) FROM watch_matches m
            JOIN events e ON e.num = m.event_num WHERE m.watch_id = w.id) AS occurrences,
           (SELECT max(m.matched_at) FROM watch_matches m WHERE m.watch_id = w.id)
               AS last_matched_at
    FROM watches w
"""


def _summary(row: sqlite3.Row) -> dict[str, Any]:
    out = dict(row)
    out["filters"] = json.loads(out["filters"])
    return out


def get(db: sqlite3.Connection, name: str) -> dict[str, Any] | None:
    """A watch: ``{"id", "name", "filters", "created_at", "occurrences", "reports",
    "last_matched_at"}``, or None."""
    row = db.execute(_SUMMARY + " WHERE w.name = ?", (name,)).fetchone()
    return _summary(row) if row else None


def page(
    db: sqlite3.Connection, *, limit: int = 50, cursor: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """Watches by name, a page at a time (keyset: each page costs the same)."""
    if limit < 1:
        raise QueryError(f"limit must be >= 1, got {limit}")
    after = _decode_cursor(cursor, 1)[0] if cursor else ""
    rows = db.execute(
        _SUMMARY + " WHERE w.name > ? ORDER BY w.name LIMIT ?", (after, limit + 1)
    ).fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = _encode_cursor([rows[-1]["name"]]) if more and rows else None
    return [_summary(r) for r in rows], next_cursor


def latest(db: sqlite3.Connection, watch_id: int, *, limit: int = 50) -> list[dict[str, Any]]:
    """The latest occurrences the watch matched, newest match first: each the first
    matching report of its group, with ``matched_at`` (when its latest report came)."""
    _check_page(limit, 0)
    rows = db.execute(
        f"""
        WITH recent AS (
            SELECT coalesce(e.group_id, -e.num) AS occurrence, min(m.event_num) AS num,
                   max(m.seq) AS seq, max(m.matched_at) AS matched_at
            FROM watch_matches m JOIN events e ON e.num = m.event_num
            WHERE m.watch_id = ?
            GROUP BY 1 ORDER BY seq DESC LIMIT ?
        )
        {_EVENT_SELECT.replace("SELECT e.*", "SELECT recent.matched_at, recent.seq, e.*", 1)}
        JOIN recent ON recent.num = e.num
        ORDER BY recent.seq DESC
        """,
        (watch_id, limit),
    ).fetchall()
    out = []
    for r in rows:
        event = _event_dict(r)
        event["matched_at"] = r["matched_at"]
        out.append(event)
    return out


def matches_of_article(db: sqlite3.Connection, article_id: str) -> list[dict[str, Any]]:
    """The watch matches of one article's events: ``{"watch": name, "event": {...}}``."""
    rows = db.execute(
        f"""{_EVENT_SELECT.replace("SELECT e.*", "SELECT w.name AS watch_name, e.*", 1)}
        JOIN watch_matches m ON m.event_num = e.num
        JOIN watches w ON w.id = m.watch_id
        WHERE e.article_id = ?
        ORDER BY w.name, e.ord""",
        (article_id,),
    ).fetchall()
    return [{"watch": r["watch_name"], "event": _event_dict(r)} for r in rows]
