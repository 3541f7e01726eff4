"""Entity queries of the store: canonical entities, their articles, timelines and
counterparts.

Functions over an open connection; :class:`~thoisu.store.core.Store` hands on to them.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from .events import check_interval, check_unit
from .linking import folded_key
from .sql import FACTS_ONLY, FIRST_REPORT, _check_page, _named, _period_range, charted, period_of
from .text import fold

_ENTITY = "en.id, en.name, en.name_vi, en.type, en.code, en.wikidata, en.kind, en.country"
_ARTICLE_COUNT = "(SELECT count(*) FROM article_entities ae WHERE ae.entity_id = en.id)"
_MENTION_COUNT = "(SELECT count(*) FROM mentions m WHERE m.entity_id = en.id)"
_COLUMNS = f"{_ENTITY}, {_ARTICLE_COUNT} AS article_count, {_MENTION_COUNT} AS mention_count"


def rows(
    db: sqlite3.Connection, where: str, params: list[Any], limit: int | None
) -> list[dict[str, Any]]:
    if limit is None:
        sql = f"""
            SELECT {_COLUMNS}
            FROM entities en {where}
            ORDER BY article_count DESC, mention_count DESC, en.id
        """
        return [dict(r) for r in db.execute(sql, params)]
    # The list is ordered by every entity's article count, but mentions only break ties:
    # they are counted for the entities with at least the article count of the limit-th,
    # not for all of them (two thirds of the time of a page of /entities).
    sql = f"""
        WITH counted AS (SELECT en.id AS id, {_ARTICLE_COUNT} AS n FROM entities en {where})
        SELECT {_ENTITY}, c.n AS article_count, {_MENTION_COUNT} AS mention_count
        FROM counted c JOIN entities en ON en.id = c.id
        WHERE c.n >= coalesce(
            (SELECT n FROM counted ORDER BY n DESC LIMIT 1 OFFSET :cut), 0)
        ORDER BY article_count DESC, mention_count DESC, en.id
        LIMIT :limit
    """
    named: dict[str, Any] = {f"p{i}": v for i, v in enumerate(params)}
    named.update(cut=limit - 1, limit=limit)
    return [dict(r) for r in db.execute(_named([sql])[0], named)]


def find(
    db: sqlite3.Connection, *, limit: int | None, query: str | None, type: str | None
) -> list[dict[str, Any]]:
    """See :meth:`Store.entities <thoisu.store.core.Store.entities>`."""
    _check_page(limit, 0)
    conditions, params = [], []
    if type:
        conditions.append("en.type = ?")
        params.append(type)
    if not (query and query.strip()):
        return rows(db, ("WHERE " + " AND ".join(conditions)) if conditions else "", params, limit)
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
    # Typed without diacritics, "my" is as much "Mỹ" as "My": then only the folded match
    # counts, and the most widely reported entity comes first.
    named = {"typed": typed, "folded": folded, "like": like, "marks": fold(typed) != typed.lower()}
    named.update({f"p{i}": v for i, v in enumerate(params)})
    where = " AND ".join(_named(conditions)) or "1"
    sql = f"""
        SELECT {_COLUMNS}, min(mt.tier) AS tier
        FROM {matches} mt JOIN entities en ON en.id = mt.entity_id
        WHERE {where}
        GROUP BY en.id
        ORDER BY tier, article_count DESC, mention_count DESC, en.id
        LIMIT :limit
    """
    named["limit"] = -1 if limit is None else limit
    found = [dict(r) for r in db.execute(sql, named)]
    for row in found:
        row.pop("tier")
    return found


def names(db: sqlite3.Connection, entity_ids: list[str]) -> dict[str, dict[str, Any]]:
    """``{id: {"name", "name_vi", "type", "code"}}`` of the given entities that exist."""
    if not entity_ids:
        return {}
    marks = ", ".join("?" * len(entity_ids))
    found = db.execute(
        f"SELECT id, name, name_vi, type, code FROM entities WHERE id IN ({marks})", entity_ids
    )
    return {
        r["id"]: {"name": r["name"], "name_vi": r["name_vi"], "type": r["type"], "code": r["code"]}
        for r in found
    }


def articles(db: sqlite3.Connection, entity_id: str) -> list[dict[str, Any]]:
    """Articles that mention the entity, newest first: id, title, publisher, published,
    url, mention_count."""
    found = db.execute(
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
    return [dict(r) for r in found]


def timeline(db: sqlite3.Connection, entity_id: str, *, interval: str) -> dict[str, Any]:
    """See :meth:`Store.entity_timeline <thoisu.store.core.Store.entity_timeline>`."""
    check_interval(interval)
    found = db.execute(
        f"""
        SELECT {period_of("a.published", interval)} AS period,
               count(DISTINCT a.id) AS articles, count(m.id) AS mentions
        FROM article_entities ae
        JOIN articles a ON a.id = ae.article_id
        LEFT JOIN mentions m ON m.article_id = a.id AND m.entity_id = ae.entity_id
        WHERE ae.entity_id = ?
        GROUP BY 1 ORDER BY 1
        """,
        (entity_id,),
    ).fetchall()
    dated = {r["period"]: r for r in found if r["period"] is not None and charted(r["period"])}
    periods = _period_range(sorted(dated), interval)
    return {
        "periods": periods,
        "articles": [dated[p]["articles"] if p in dated else 0 for p in periods],
        "mentions": [dated[p]["mentions"] if p in dated else 0 for p in periods],
        "undated": sum(r["articles"] for r in found if r["period"] is None),
        "out_of_range": sum(
            r["articles"] for r in found if r["period"] and not charted(r["period"])
        ),
    }


def counterparts(
    db: sqlite3.Connection, entity_id: str, *, limit: int | None, unit: str = "groups"
) -> list[dict[str, Any]]:
    """See :meth:`Store.counterparts <thoisu.store.core.Store.counterparts>`."""
    _check_page(limit, 0)
    check_unit(unit)
    # Occurrences: the first report of each group only (only facts are grouped).
    first = f" AND {FIRST_REPORT}" if unit == "groups" else ""
    found = db.execute(
        f"""
        SELECT other, direction, cameo_root, plover, count(*) AS n FROM (
            SELECT e.target_entity AS other, 'as_target' AS direction, e.cameo_root, e.plover
            FROM events e WHERE e.source_entity = :id AND e.target_entity IS NOT NULL
                AND e.target_entity != :id AND {FACTS_ONLY}{first}
            UNION ALL
            SELECT e.source_entity, 'as_source', e.cameo_root, e.plover
            FROM events e WHERE e.target_entity = :id AND e.source_entity IS NOT NULL
                AND e.source_entity != :id AND {FACTS_ONLY}{first}
        ) GROUP BY 1, 2, 3, 4
        """,
        {"id": entity_id},
    )
    acc: dict[str, dict[str, Any]] = {}
    for other, direction, root, plover, n in found:
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
    known = names(db, [c["entity"] for c in top])
    for c in top:
        c.update(known.get(c["entity"], {"name": c["entity"], "type": None, "code": None}))
    return top


def counterpart_links(db: sqlite3.Connection, entity_ids: list[str]) -> list[dict[str, Any]]:
    """Event counts between each ordered pair of the given entities."""
    if not entity_ids:
        return []
    marks = ", ".join("?" * len(entity_ids))
    found = db.execute(
        f"""
        SELECT source_entity, target_entity, count(*)
        FROM events e WHERE source_entity IN ({marks}) AND target_entity IN ({marks})
            AND source_entity != target_entity AND {FACTS_ONLY}
        GROUP BY 1, 2 ORDER BY 1, 2
        """,
        [*entity_ids, *entity_ids],
    )
    return [{"source": s, "target": t, "count": n} for s, t, n in found]
