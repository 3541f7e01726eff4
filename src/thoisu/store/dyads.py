"""A relationship over time: the events between two actors, per period and direction, by
quad class (verbal/material x cooperation/conflict) with the mean Goldstein score, as
GDELT's users chart a dyad."""

from __future__ import annotations

import sqlite3
from typing import Any

from .errors import QueryError
from .events import check_interval, check_unit, core_span, news_start
from .sql import _actor_clause, _event_where, _period_range, charted, period_of

QUAD_CLASSES = {
    1: "verbal cooperation",
    2: "material cooperation",
    3: "verbal conflict",
    4: "material conflict",
}


def dyad(
    db: sqlite3.Connection,
    a: str,
    b: str,
    *,
    interval: str = "month",
    unit: str = "groups",
    full_range: bool = False,
    since: str | None = None,
    until: str | None = None,
) -> dict[str, Any]:
    """See :meth:`Store.dyad <thoisu.store.core.Store.dyad>`."""
    check_interval(interval)
    check_unit(unit)
    a, b = a.strip(), b.strip()
    if not a or not b:
        raise QueryError("a dyad needs two actors, a and b")
    if a.upper() == b.upper():
        raise QueryError(f"a dyad needs two different actors, got {a!r} twice")
    # a acting on b; b acting on a, unless that is also a acting on b (VNM and VNMGOV: an
    # event VNMGOV -> VNMGOV), so that no event counts in both directions
    a_on_b = _pair(a, b)
    b_on_a = _pair(b, a)
    conditions = {
        "a_to_b": a_on_b,
        "b_to_a": (f"{b_on_a[0]} AND NOT {a_on_b[0]}", b_on_a[1] + a_on_b[1]),
    }
    published: list[str] = []
    raw: dict[str, dict[str, dict[int, list[float]]]] = {}
    undated = out_of_range = 0
    for direction, condition in conditions.items():
        where, params = _event_where(
            since=since,
            until=until,
            condition=condition,
            facts_only=True,
            first_reports=unit == "groups",
        )
        rows = db.execute(
            f"""
            SELECT {period_of("e.effective_date", interval)} AS period, e.quad_class,
                   count(*) AS n, sum(e.goldstein) AS g, count(e.goldstein) AS gn,
                   min(a.published) AS published
            FROM events e JOIN articles a ON a.id = e.article_id
            WHERE {" AND ".join(where)}
            GROUP BY 1, 2
            """,
            params,
        )
        per_period = raw.setdefault(direction, {})
        for period, quad, n, g, gn, first_published in rows:
            if first_published and charted(first_published[:4]):
                published.append(first_published)
            if period is None:
                undated += n
            elif not charted(period):
                out_of_range += n
            else:  # count, Goldstein sum, Goldstein count
                cell = per_period.setdefault(period, {}).setdefault(quad or 0, [0, 0.0, 0])
                cell[0] += n
                cell[1] += g or 0.0
                cell[2] += gn
    totals: dict[str, int] = {}
    for per_period in raw.values():
        for period, quads in per_period.items():
            totals[period] = totals.get(period, 0) + sum(c[0] for c in quads.values())
    first, last = (None, None) if full_range else core_span(totals)
    if first and published:
        first = max(first, news_start(min(published), interval))
    shown = sorted(p for p in totals if (not first or p >= first) and (not last or p <= last))
    periods = _period_range(shown, interval)
    directions = {}
    for direction in ("a_to_b", "b_to_a"):
        per_period = raw.get(direction, {})
        quads = {
            str(q): [per_period.get(p, {}).get(q, [0])[0] for p in periods] for q in QUAD_CLASSES
        }
        goldstein = []
        for p in periods:
            cells = per_period.get(p, {}).values()
            count = sum(c[2] for c in cells)
            goldstein.append(round(sum(c[1] for c in cells) / count, 2) if count else None)
        directions[direction] = {
            "quad_classes": quads,
            "goldstein": goldstein,
            "total": sum(totals_of(per_period, first, last)),
        }
    return {
        "a": a, "b": b, "interval": interval, "unit": unit, "periods": periods,
        "quad_class_names": {str(k): v for k, v in QUAD_CLASSES.items()},
        **directions,
        "undated": undated, "out_of_range": out_of_range,
        "earlier": sum(n for p, n in totals.items() if first and p < first),
        "later": sum(n for p, n in totals.items() if last and p > last),
    }  # fmt: skip


def _pair(source: str, target: str) -> tuple[str, list[Any]]:
    """The SQL condition of an event whose source is ``source`` and target ``target``."""
    acts, acts_params = _actor_clause(source, ("source",))
    on, on_params = _actor_clause(target, ("target",))
    return f"({acts} AND {on})", [*acts_params, *on_params]


def totals_of(
    per_period: dict[str, dict[int, list[float]]], first: str | None, last: str | None
) -> list[int]:
    """The counts of the shown periods (between ``first`` and ``last``)."""
    return [
        int(sum(c[0] for c in quads.values()))
        for p, quads in per_period.items()
        if (not first or p >= first) and (not last or p <= last)
    ]
