"""The store in figures: totals and breakdowns for ``thoisu stats`` and ``GET /stats``."""

from __future__ import annotations

import sqlite3
from typing import Any

from .events import check_unit
from .sql import FACTS_ONLY, FIRST_REPORT, NOT_DENIED


def summary(db: sqlite3.Connection, *, unit: str = "groups") -> dict[str, Any]:
    """Counts: articles, sentences, events, entities, mentions; articles by publisher
    and category; facts (``occurrences`` and their reports) by CAMEO root and PLOVER type
    and per effective day, counted as ``unit`` (``groups``: occurrences; ``mentions``:
    reports); events by certainty and ACE type; articles per publication day; the
    published date range."""
    check_unit(unit)
    facts = FACTS_ONLY + (f" AND {FIRST_REPORT}" if unit == "groups" else "")

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
        "facts": int(db.execute(f"SELECT count(*) FROM events e WHERE {FACTS_ONLY}").fetchone()[0]),
        "occurrences": int(
            db.execute(
                f"SELECT count(*) FROM events e WHERE {FACTS_ONLY} AND {FIRST_REPORT}"
            ).fetchone()[0]
        ),
        "unit": unit,
        "by_cameo_root": group(
            f"SELECT cameo_root, count(*) n FROM events e WHERE {facts} GROUP BY 1 ORDER BY 1"
        ),
        "by_certainty": group(
            "SELECT certainty, count(*) n FROM events GROUP BY 1 ORDER BY n DESC, 1"
        ),
        "by_plover": group(
            f"SELECT plover, count(*) n FROM events e WHERE {facts} GROUP BY 1 ORDER BY n DESC, 1"
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
            f"SELECT effective_date, count(*) FROM events e WHERE {facts}"
            " AND effective_date IS NOT NULL GROUP BY 1 ORDER BY 1"
        ),
    }
