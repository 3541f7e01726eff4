"""One event, many reports: fact events grouped across articles and outlets.

Two coded facts (CAMEO-coded, certainty neither ``negated`` nor ``question``) report the same
occurrence when they have the same CAMEO code, the same source and the same target actor (by
entity, else by an actor code that names a country or a known group: "USAMIL" identifies an
actor, a bare "CVL" for "170 người" does not; both known), dates within :data:`WINDOW_DAYS` of the group's first date, and
compatible places and numbers (the same, or one of them unknown: "170 người" killed is not
the attack that killed "41 người"). An event that cannot be matched that
way (an actor missing, no full date) is a group of its own: with one actor only, "Philippines
warned" on one day is many different warnings. Each group keeps its first report
(earliest publication, then the order stored) and GDELT's counts: NumMentions (events),
NumArticles (distinct articles) and NumSources (distinct publishers).

Grouping is incremental: each article's events are placed when it is stored, so the result
depends only on the order articles are stored in (a batch stores in input order).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from datetime import date, timedelta

from .export import split_actor_code
from .sql import FACTS_ONLY

__all__ = ["WINDOW_DAYS", "group_article", "group_key", "refresh"]

WINDOW_DAYS = 3


def group_key(
    cameo: str | None,
    source: tuple[str | None, str | None],
    target: tuple[str | None, str | None],
) -> str | None:
    """The part of an event that must match exactly: CAMEO code and both actors (each as
    (entity id, actor code)); None when the code or either actor is missing."""
    src, tgt = _identity(*source), _identity(*target)
    if not cameo or not src or not tgt or src == tgt:
        return None
    return f"{cameo}|{src}|{tgt}"


def _identity(entity: str | None, code: str | None) -> str | None:
    """Who an actor is, for matching: its entity, else a code with a country or group."""
    if entity:
        return entity
    parts = split_actor_code(code)
    return code if "country" in parts or "knowngroup" in parts else None


def _number(text: str | None) -> str | None:
    """The first number in an actor's words ("170 người" -> "170"), if any."""
    m = re.search(r"\d+(?:[.,]\d+)*", text or "")
    return m.group(0) if m else None


def _window(day: str) -> tuple[str, str] | None:
    """The days WINDOW_DAYS after and before ``day``; None for a day that is no date or
    too near the calendar's ends (such an event is grouped as undated)."""
    try:
        when, width = date.fromisoformat(day), timedelta(days=WINDOW_DAYS)
        return (when + width).isoformat(), (when - width).isoformat()
    except (ValueError, OverflowError):
        return None


def group_article(db: sqlite3.Connection, article_id: str) -> None:
    """Place each fact event of one stored article in a group (an existing one that it
    matches, else a new one), then refresh the counts of the groups touched."""
    rows = db.execute(
        "SELECT num, cameo, source_entity, source_code, target_entity, target_code,"
        " coalesce(location_entity, location_code) AS place, effective_date, target_text"
        f" FROM events e WHERE article_id = ? AND {FACTS_ONLY} ORDER BY ord",
        (article_id,),
    ).fetchall()
    touched: set[int] = set()
    for num, cameo, s_ent, s_code, t_ent, t_code, place, day, target_text in rows:
        key = group_key(cameo, (s_ent, s_code), (t_ent, t_code))
        amount = _number(target_text)
        group = None
        window = _window(day[:10]) if key is not None and day and len(day) >= 10 else None
        if window is not None:
            day = day[:10]
            group = db.execute(
                # within the window of the group's first date, so groups do not creep
                "SELECT id FROM event_groups WHERE key = ?"
                " AND first_date <= ? AND first_date >= ?"
                " AND (place IS NULL OR ? IS NULL OR place = ?)"
                " AND (amount IS NULL OR ? IS NULL OR amount = ?)"
                " ORDER BY abs(julianday(first_date) - julianday(?)), id LIMIT 1",
                (key, *window, place, place,
                 amount, amount, day),
            ).fetchone()  # fmt: skip
        else:
            day = None
        if group is None:
            group_id = db.execute(
                "INSERT INTO event_groups (key, place, amount, first_date, last_date)"
                " VALUES (?, ?, ?, ?, ?)",
                (key, place, amount, day, day),
            ).lastrowid
        else:
            group_id = group[0]
            db.execute(
                "UPDATE event_groups SET first_date = min(first_date, ?),"
                " last_date = max(last_date, ?), place = coalesce(place, ?),"
                " amount = coalesce(amount, ?) WHERE id = ?",
                (day, day, place, amount, group_id),
            )
        db.execute("UPDATE events SET group_id = ? WHERE num = ?", (group_id, num))
        touched.add(group_id)
    refresh(db, touched)


def refresh(db: sqlite3.Connection, group_ids: Iterable[int]) -> None:
    """Recount mentions, articles and sources and re-pick the first report of groups."""
    for group_id in group_ids:
        db.execute(
            """
            UPDATE event_groups SET
              mentions = (SELECT count(*) FROM events WHERE group_id = :g),
              articles = (SELECT count(DISTINCT article_id) FROM events WHERE group_id = :g),
              sources = (SELECT count(DISTINCT coalesce(a.publisher, a.url, a.id))
                         FROM events e JOIN articles a ON a.id = e.article_id
                         WHERE e.group_id = :g),
              first_event = (SELECT e.num FROM events e JOIN articles a ON a.id = e.article_id
                             WHERE e.group_id = :g
                             ORDER BY coalesce(a.published, '9999'), a.num, e.ord LIMIT 1)
            WHERE id = :g
            """,
            {"g": group_id},
        )
