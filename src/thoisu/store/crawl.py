"""What the store remembers of followed feeds and fetched pages (``Store.crawl``).

The follower (``thoisu.follow``) asks before fetching and records after: a page URL already
stored, or found to repeat a stored article, is not fetched again unless its feed entry's
stamp changed; a failed one is retried on later rounds up to :data:`MAX_ATTEMPTS` times; one
that robots.txt disallows is not asked for again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = ["MAX_ATTEMPTS", "CrawlLog", "FeedState"]

MAX_ATTEMPTS = 3
DONE = ("stored", "duplicate", "blocked")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(slots=True)
class FeedState:
    url: str
    etag: str | None = None
    last_modified: str | None = None


class CrawlLog:
    """Feed validators and page outcomes, in the store's ``feeds`` and ``fetched_urls``."""

    def __init__(
        self,
        db: Callable[[], sqlite3.Connection],
        transaction: Callable[[], AbstractContextManager[sqlite3.Connection]],
    ) -> None:
        self._db, self._transaction = db, transaction

    def feed_state(self, url: str) -> FeedState:
        row = (
            self._db()
            .execute("SELECT etag, last_modified FROM feeds WHERE url = ?", (url,))
            .fetchone()
        )
        return FeedState(url, *row) if row else FeedState(url)

    def record_feed(
        self,
        url: str,
        status: str,
        *,
        changed: bool = False,
        etag: str | None = None,
        last_modified: str | None = None,
        title: str | None = None,
        items: int | None = None,
    ) -> None:
        """One round's answer for a feed; validators and item count only when ``changed``."""
        now = _now()
        with self._transaction() as db:
            db.execute(
                "INSERT INTO feeds (url, status, checked_at, rounds) VALUES (?, ?, ?, 1)"
                " ON CONFLICT(url) DO UPDATE SET status = excluded.status,"
                " checked_at = excluded.checked_at, rounds = rounds + 1",
                (url, status, now),
            )
            if changed:
                db.execute(
                    "UPDATE feeds SET etag = ?, last_modified = ?, title = COALESCE(?, title),"
                    " items = COALESCE(?, items), changed_at = ? WHERE url = ?",
                    (etag, last_modified, title, items, now, url),
                )

    def wanted(self, url: str, stamp: str | None) -> bool:
        """Whether a page should be fetched: never seen, failed fewer than MAX_ATTEMPTS
        times, or stored under an older feed-entry stamp."""
        row = (
            self._db()
            .execute("SELECT status, entry_stamp, attempts FROM fetched_urls WHERE url = ?", (url,))
            .fetchone()
        )
        if row is None:
            return True
        status, old_stamp, attempts = row
        if status == "failed":
            return attempts < MAX_ATTEMPTS
        if status == "blocked":
            return False
        return stamp is not None and old_stamp is not None and stamp != old_stamp

    def record_page(
        self,
        url: str,
        status: str,
        *,
        feed: str | None = None,
        stamp: str | None = None,
        article_id: str | None = None,
        error: str | None = None,
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO fetched_urls"
                " (url, feed, entry_stamp, status, article_id, attempts, error, fetched_at)"
                " VALUES (?, ?, ?, ?, ?, 1, ?, ?)"
                " ON CONFLICT(url) DO UPDATE SET feed = COALESCE(feed, excluded.feed),"
                " entry_stamp = excluded.entry_stamp,"
                # a page stored once stays "stored" when a re-fetch finds the same article
                " status = CASE WHEN status = 'stored' AND excluded.status = 'duplicate'"
                " THEN 'stored' ELSE excluded.status END,"
                " article_id = COALESCE(excluded.article_id, article_id),"
                " attempts = CASE WHEN excluded.status = 'failed' THEN attempts + 1 ELSE 1 END,"
                " error = excluded.error, fetched_at = excluded.fetched_at",
                (url, feed, stamp, status, article_id, error, _now()),
            )

    def feeds(self) -> list[dict[str, Any]]:
        """Every followed feed with its pages' outcomes, most recently checked first."""
        rows = self._db().execute(
            "SELECT f.url, f.title, f.checked_at, f.changed_at, f.status, f.items, f.rounds,"
            " COUNT(u.url) AS pages,"
            " SUM(u.status = 'stored') AS stored, SUM(u.status = 'failed') AS failed,"
            " MAX(u.fetched_at) AS last_fetch"
            " FROM feeds f LEFT JOIN fetched_urls u ON u.feed = f.url"
            " GROUP BY f.url ORDER BY f.checked_at DESC, f.url"
        )
        return [dict(r) for r in rows]

    def pages(self, *, status: str | None = None, limit: int = 100) -> Iterator[dict[str, Any]]:
        """Fetched page URLs, newest first (only those with ``status`` if given)."""
        sql = "SELECT * FROM fetched_urls"
        args: tuple = ()
        if status:
            sql, args = sql + " WHERE status = ?", (status,)
        rows = self._db().execute(sql + " ORDER BY fetched_at DESC, url LIMIT ?", (*args, limit))
        return (dict(r) for r in rows)
