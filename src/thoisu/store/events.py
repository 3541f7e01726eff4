"""Event queries of the store: filtered lists, keyset pages and counts per period.

Functions over an open connection; :class:`~thoisu.store.core.Store` hands on to them. The
filters are those of :func:`thoisu.store.sql._event_where`.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from typing import Any

from .errors import QueryError
from .sql import (
    _COUNT_KEYS,
    _EVENT_NEWEST_KEY,
    _EVENT_ORDER_KEY,
    _EVENT_SELECT,
    _INTERVALS,
    _NEWEST_FIRST,
    _check_page,
    _decode_cursor,
    _encode_cursor,
    _event_dict,
    _event_where,
    _period_range,
    charted,
    period_of,
)

UNITS = ("groups", "mentions")
"""What event counts count: occurrences (``groups``: each group of reports once, at its
first report) or reports (``mentions``: every report)."""


def check_unit(unit: str) -> None:
    if unit not in UNITS:
        raise QueryError(f"unit must be one of {', '.join(UNITS)}, got {unit!r}")


def check_interval(interval: str) -> None:
    if interval not in _INTERVALS:
        raise QueryError(f"interval must be one of {', '.join(_INTERVALS)}, got {interval!r}")


def select(
    db: sqlite3.Connection,
    *,
    limit: int | None = None,
    offset: int = 0,
    after: tuple[Any, ...] | None = None,
    newest_first: bool = False,
    **filters: Any,
) -> sqlite3.Cursor:
    """The event rows matching the filters, in order (see ``Store.events``). A cursor, not
    a generator: bad filters fail here, before an export opens its file."""
    _check_page(limit, offset)
    where, params = _event_where(**filters)
    if after is not None:
        if newest_first:
            where.append(f"{_EVENT_NEWEST_KEY} < (?, ?, ?)")
        else:
            where.append(f"{_EVENT_ORDER_KEY} > (?, ?, ?)")
        params += list(after)
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    order = _NEWEST_FIRST if newest_first else _EVENT_ORDER_KEY[1:-1]
    params += [-1 if limit is None else limit, offset]
    if limit is None:
        return db.execute(f"{_EVENT_SELECT}{clause} ORDER BY {order} LIMIT ? OFFSET ?", params)
    # A page: its events are picked by their order keys alone, then joined to their article,
    # sentence, group and names; sorting every matching event with all its joined columns
    # cost more than the rest of the query. (The keys are unique: the same events, in order.)
    picked = (f"SELECT e.num FROM events e JOIN articles a ON a.id = e.article_id{clause}"
              f" ORDER BY {order} LIMIT ? OFFSET ?")  # fmt: skip
    return db.execute(f"{_EVENT_SELECT} WHERE e.num IN ({picked}) ORDER BY {order}", params)


def page(
    db: sqlite3.Connection,
    *,
    limit: int = 50,
    cursor: str | None = None,
    newest_first: bool = False,
    **filters: Any,
) -> tuple[list[dict[str, Any]], str | None]:
    """See :meth:`Store.events_page <thoisu.store.core.Store.events_page>`."""
    order = "newest" if newest_first else "oldest"
    after = None
    if cursor:
        *key, made_for = _decode_cursor(cursor, 4)
        after = tuple(key)
        if made_for != order:
            raise QueryError(f"this cursor pages the {made_for} events first, not the {order}")
    rows = list(select(db, limit=limit + 1, after=after, newest_first=newest_first, **filters))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        key = ([last["_n_date"], last["_k_num"], -last["_k_ord"]] if newest_first
               else [last["_k_date"], last["_k_num"], last["_k_ord"]])  # fmt: skip
        next_cursor = _encode_cursor([*key, order])
    return [_event_dict(r) for r in rows], next_cursor


def counts(
    db: sqlite3.Connection,
    *,
    by: str = "cameo_root",
    interval: str = "month",
    unit: str = "groups",
    full_range: bool = False,
    **filters: Any,
) -> dict[str, Any]:
    """See :meth:`Store.event_counts <thoisu.store.core.Store.event_counts>`."""
    if by not in _COUNT_KEYS:
        raise QueryError(f"by must be one of {', '.join(_COUNT_KEYS)}, got {by!r}")
    check_interval(interval)
    check_unit(unit)
    # Counts are of facts: denied and asked-about events are left out, unless the counts
    # are by certainty or for one certainty. Occurrences are facts only (grouping).
    facts_only = by != "certainty" and not filters.get("certainty")
    first_reports = unit == "groups" and facts_only
    where, params = _event_where(**filters, facts_only=facts_only, first_reports=first_reports)
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    sql = f"""
        SELECT {period_of("e.effective_date", interval)} AS period,
               coalesce(e.{by}, '') AS key, count(*) AS n, min(a.published) AS published
        FROM events e JOIN articles a ON a.id = e.article_id{clause}
        GROUP BY 1, 2 ORDER BY 1, 2
    """
    per_key: dict[str, dict[str, int]] = {}
    undated = out_of_range = total = 0
    published = []
    for period, key, n, first_published in db.execute(sql, params):
        total += n
        if first_published and charted(first_published[:4]):
            published.append(first_published)
        if period is None:
            undated += n
        elif not charted(period):
            out_of_range += n
        else:
            per_key.setdefault(key, {})[period] = n
    per_period: dict[str, int] = {}
    for c in per_key.values():
        for p, n in c.items():
            per_period[p] = per_period.get(p, 0) + n
    first, last = (None, None) if full_range else core_span(per_period)
    if first and published and not full_range:
        first = max(first, news_start(min(published), interval))
    earlier = sum(n for p, n in per_period.items() if first and p < first)
    later = sum(n for p, n in per_period.items() if last and p > last)
    shown = sorted(p for p in per_period if (not first or p >= first) and (not last or p <= last))
    periods = _period_range(shown, interval)
    series = {k: [c.get(p, 0) for p in periods] for k, c in sorted(per_key.items())}
    return {
        "periods": periods,
        "series": series,
        "undated": undated,
        "out_of_range": out_of_range,
        "earlier": earlier,
        "later": later,
        "total": total,
        "unit": "groups" if first_reports else "mentions",
    }


CORE_SHARE = 0.98
"""The share of the dated events a timeline shows by default: from the 1st to the 99th
percentile of their dates, and from a month before the first publication date of their
articles. A few events dated decades back (a biography's 1931) would otherwise squeeze the
news into one bar at the edge; they are counted as ``earlier``."""
LOOKBACK_DAYS = 31  # the news of a day tells of the days before it


def news_start(published: str, interval: str) -> str:
    """The period ``LOOKBACK_DAYS`` before a publication date (``YYYY-MM-DD...``)."""
    try:
        day = date.fromisoformat(published[:10]) - timedelta(days=LOOKBACK_DAYS)
    except ValueError:
        return ""
    if interval == "year":
        return f"{day.year:04d}"
    if interval == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if interval == "week":
        day -= timedelta(days=day.weekday())
    return day.isoformat()


def core_span(per_period: dict[str, int]) -> tuple[str | None, str | None]:
    """The first and last period of the central :data:`CORE_SHARE` of the counts (None,
    None for none)."""
    if not per_period:
        return None, None
    periods = sorted(per_period)
    total = sum(per_period.values())
    cut = total * (1 - CORE_SHARE) / 2
    seen, first = 0, periods[0]
    for p in periods:  # the first period after the lowest 1% of events
        seen += per_period[p]
        if seen > cut:
            first = p
            break
    seen, last = 0, periods[-1]
    for p in reversed(periods):
        seen += per_period[p]
        if seen > cut:
            last = p
            break
    return first, last
