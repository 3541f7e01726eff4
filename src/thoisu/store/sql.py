"""SQL building blocks of the store: filters, sort keys, cursors and row mapping.

Only :mod:`thoisu.store` uses these; :class:`~thoisu.store.core.Store` composes them into
queries. Kept apart so that the class reads as the store's operations, not its SQL details.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sqlite3
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from ..events.english import english_line
from ..text import fold
from .errors import QueryError
from .text import parse_query

_FULL_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_FILTER_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_ROLES = ("source", "target", "location")


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


# SQLite's thoisu_fold: an entity search folds every entity id (half its time). Ids are
# short (with their folded form, some 250 bytes cached: 16 MB at most), each folded once.
@lru_cache(maxsize=1 << 16)
def _fold_or_none(s: str | None) -> str | None:
    return None if s is None else fold(s)


def _check_page(limit: int | None, offset: int) -> None:
    if limit is not None and limit < 0:
        raise QueryError(f"limit must be >= 0, got {limit}")
    if offset < 0:
        raise QueryError(f"offset must be >= 0, got {offset}")


def _filter_date(value: str, name: str) -> str:
    value = value.strip()
    if _FILTER_DATE.fullmatch(value):
        padded = value + "-01-01"[len(value) - 4 :]  # 2024 -> 2024-01-01, 2024-03 -> -03-01
        try:
            datetime.strptime(padded, "%Y-%m-%d")
            return value
        except ValueError:
            pass
    raise QueryError(f"{name} must be a date like 2024, 2024-03 or 2024-03-15, got {value!r}")


def _article_where(
    *,
    publisher: str | None = None,
    category: str | None = None,
    entity: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> tuple[list[str], list[Any]]:
    """SQL conditions (on ``articles a``) for the article filters."""
    where: list[str] = []
    params: list[Any] = []
    if publisher:
        where.append("a.publisher = ?")
        params.append(publisher)
    if category:
        where.append("a.category = ?")
        params.append(category)
    if entity:
        where.append("a.id IN (SELECT article_id FROM article_entities WHERE entity_id = ?)")
        params.append(entity)
    if since:
        where.append("a.published >= ?")
        params.append(_filter_date(since, "since"))
    if until:
        bound = _filter_date(until, "until")
        where.append("substr(a.published, 1, ?) <= ?")
        params += [len(bound), bound]
    return where, params


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


# Full-text search: the matching articles (``:fts``, the sanitised FTS5 query) and their
# score: the reading points of ``ranking`` (``:rank``: words found as typed, or in their
# common reading, side by side), then BM25 with the title weighted 3x as the fraction. The
# points, which read each article's text, are computed for the RANKED_MATCHES best by BM25
# only (``:cutoff`` is the worst BM25 among them, NULL for fewer matches), so that a word
# in every article costs no more than a rare one.
RANKED_MATCHES = 1_000
_SEARCH_SOURCE = """(SELECT rowid, bm25(articles_fts, 3.0, 1.0) AS rank
                  FROM articles_fts WHERE articles_fts MATCH :fts) AS m
            JOIN articles a ON a.num = m.rowid"""
_SEARCH_CUTOFF = f"""SELECT bm25(articles_fts, 3.0, 1.0) AS rank FROM articles_fts
                    WHERE articles_fts MATCH ? ORDER BY rank LIMIT 1 OFFSET {RANKED_MATCHES - 1}"""
_SEARCH_SCORE = """(CASE WHEN :cutoff IS NULL OR m.rank <= :cutoff
                         THEN thoisu_rank(a.title, a.text, :rank) ELSE 0 END
                    - m.rank / (1.0 - m.rank))"""
_CERTAINTIES = ("asserted", "reported", "possible", "negated", "question")
# Certainties that state a fact, surest first: min_certainty "reported" keeps asserted and
# reported events.
CERTAINTY_LEVELS = ("asserted", "reported", "possible")
_COUNT_KEYS = ("cameo_root", "plover", "type", "certainty")
_INTERVALS = {"year": 4, "month": 7, "week": 10, "day": 10}


def period_of(column: str, interval: str) -> str:
    """The SQL of the period a date column falls in: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``,
    and for ``week`` the Monday of its ISO week (``YYYY-MM-DD``)."""
    if interval == "week":
        return f"date(substr({column}, 1, 10), 'weekday 0', '-6 days')"
    return f"substr({column}, 1, {_INTERVALS[interval]})"


# Undated events sort last; then the article's insertion order and the event's position.
# The date an event sorts and filters by: its effective date (its own full date, else the
# article's), else its own partial date when that has a year ("2003", "2002-10").
_SORT_DATE = (
    "coalesce(e.effective_date, CASE WHEN e.date GLOB '[0-9][0-9][0-9][0-9]*' THEN e.date END)"
)
_OLDEST_PARTS = (f"coalesce({_SORT_DATE}, '9999')", "a.num", "e.ord")
# Newest first: the same positions read backwards, undated last, an article's events in order.
_NEWEST_PARTS = (f"coalesce({_SORT_DATE}, '0000')", "a.num", "-e.ord")
_EVENT_ORDER_KEY = f"({', '.join(_OLDEST_PARTS)})"
_EVENT_NEWEST_KEY = f"({', '.join(_NEWEST_PARTS)})"
_NEWEST_FIRST = ", ".join(f"{part} DESC" for part in _NEWEST_PARTS)
# Events neither denied nor asked about.
NOT_DENIED = "e.certainty NOT IN ('negated', 'question')"
# Events reported as facts: coded, and neither denied nor asked about (a GDELT row).
FACTS_ONLY = f"e.cameo IS NOT NULL AND {NOT_DENIED}"
# The first report of its group: each occurrence once (only facts are grouped).
FIRST_REPORT = "e.num = (SELECT g.first_event FROM event_groups g WHERE g.id = e.group_id)"
# Brackets of the matches in article snippets: private-use characters, never in news text.
SNIPPET_MARKS = ("\ue000", "\ue001")


def _event_where(
    *,
    actor: str | None = None,
    counterpart: str | None = None,
    source: str | None = None,
    target: str | None = None,
    location: str | None = None,
    cameo: str | None = None,
    plover: str | None = None,
    event_type: str | None = None,
    certainty: str | None = None,
    min_certainty: str | None = None,
    q: str | None = None,
    since: str | None = None,
    until: str | None = None,
    entity: str | None = None,
    watch: int | None = None,
    group: int | str | None = None,
    pair_on_location: bool = True,
    condition: tuple[str, list[Any]] | None = None,
    facts_only: bool = False,
    first_reports: bool = False,
) -> tuple[list[str], list[Any]]:
    """SQL conditions (on ``events e JOIN articles a``) for the event filters.
    ``facts_only``: coded events that are neither negated nor questions. ``first_reports``:
    of the events that match every other filter, only the first report of each occurrence
    (its group of reports, ``grouping``: earliest published, then stored), so that each
    occurrence counts once, even when a filter keeps only some of its reports (an event not
    in a group is an occurrence of its own).

    ``actor`` with ``counterpart``: events between the two, either way round: one is the
    source and the other the target or the location ("NATO trains troops in Iraq"); without
    ``pair_on_location``, the target only (a dyad). ``condition``: one more SQL condition
    and its parameters (inside the ``first_reports`` selection).
    """
    where: list[str] = []
    params: list[Any] = []

    def add(sql: str, *values: Any) -> None:
        where.append(sql)
        params.extend(values)

    if group is not None and str(group).strip():
        if not str(group).strip().isdigit() or int(group) >= 2**63:
            raise QueryError(f"group must be a group id (a number), got {group!r}")
        add("e.group_id = ?", int(group))

    if actor and counterpart:
        # One of the two acts (source) on the other (target) or where the other is (location).
        pairs = []
        for one, other in ((actor, counterpart), (counterpart, actor)):
            acts, acts_p = _actor_clause(one, ("source",))
            on, on_p = _actor_clause(
                other, ("target", "location") if pair_on_location else ("target",)
            )
            pairs.append(f"({acts} AND {on})")
            params.extend([*acts_p, *on_p])
        where.append("(" + " OR ".join(pairs) + ")")
    elif counterpart:
        raise QueryError("counterpart needs an actor")
    for value, sides in ((None if counterpart else actor, ("source", "target")),
                         (source, ("source",)), (target, ("target",)),
                         (location, ("location",))):  # fmt: skip
        if value and value.strip():
            sql, values = _actor_clause(value, sides)
            add(sql, *values)
    if entity:
        sides = ("source", "target", "location", "speaker", "via")
        add("(" + " OR ".join(f"e.{s}_entity = ?" for s in sides) + ")", *[entity] * 5)
    if cameo:
        code = cameo.strip()
        if not code.isdigit() or len(code) > 4:
            raise QueryError(f"CAMEO code must be 1 to 4 digits, got {cameo!r}")
        add("e.cameo >= ? AND e.cameo < ?", code, _next_string(code))
    if plover:
        add("upper(e.plover) = ?", plover.strip().upper())
    if event_type:
        add("lower(e.type) = ?", event_type.strip().lower())
    if certainty:
        value = certainty.strip().lower()
        if value not in _CERTAINTIES:
            raise QueryError(
                f"certainty must be one of {', '.join(_CERTAINTIES)}, got {certainty!r}"
            )
        add("e.certainty = ?", value)
    if min_certainty:
        value = min_certainty.strip().lower()
        if value not in CERTAINTY_LEVELS:
            raise QueryError(
                f"min_certainty must be one of {', '.join(CERTAINTY_LEVELS)}, got {min_certainty!r}"
            )
        surer = CERTAINTY_LEVELS[: CERTAINTY_LEVELS.index(value) + 1]
        add(f"e.certainty IN ({', '.join('?' * len(surer))})", *surer)
    if q and q.strip():
        add(
            "a.num IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)",
            parse_query(q).fts,
        )
    if watch is not None:
        add("e.num IN (SELECT event_num FROM watch_matches WHERE watch_id = ?)", watch)
    if since:
        add(f"{_SORT_DATE} >= ?", _filter_date(since, "since"))
    if until:
        bound = _filter_date(until, "until")
        add(f"substr({_SORT_DATE}, 1, ?) <= ?", len(bound), bound)
    if facts_only:
        add(FACTS_ONLY)
    if condition is not None:
        add(condition[0], *condition[1])
    if first_reports:  # the conditions above select the reports; keep each one's first
        where.append(_FIRST_MATCHING.format(where=" AND ".join(where) or "1"))
        params = [*params, *params]  # the conditions, then again inside the subquery
    return where, params


# Of the matching reports, the first of each occurrence. Only an occurrence reported more
# than once (a group of several events) has reports that are not its first: those are
# ranked in a subquery whose ``e`` and ``a`` are its own, instead of ranking every event
# (which sorted the whole store for each count and page).
_SHARED_GROUPS = """SELECT group_id FROM events WHERE group_id IS NOT NULL
    GROUP BY group_id HAVING count(*) > 1"""
_FIRST_MATCHING = f"""(e.group_id IS NULL OR e.group_id NOT IN ({_SHARED_GROUPS})
    OR e.num IN (SELECT num FROM (
        SELECT e.num AS num, row_number() OVER (
            PARTITION BY e.group_id
            ORDER BY coalesce(a.published, '9999'), a.num, e.ord) AS rank
        FROM events e JOIN articles a ON a.id = e.article_id
        WHERE e.group_id IN ({_SHARED_GROUPS}) AND {{where}}) WHERE rank = 1))"""


def _named(conditions: list[str]) -> list[str]:
    """Positional ``?`` placeholders -> ``:p0``, ``:p1``, ... in order (for named queries)."""
    out, k = [], 0
    for cond in conditions:
        parts = cond.split("?")
        text = parts[0]
        for part in parts[1:]:
            text += f":p{k}{part}"
            k += 1
        out.append(text)
    return out


def _encode_cursor(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


_MAX_CURSOR = 2_000  # characters: the cursors thoisu hands out are far shorter


def _decode_cursor(cursor: str, size: int) -> tuple[Any, ...]:
    key = None
    if len(cursor) <= _MAX_CURSOR:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            key = json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError):
            key = None
    if not isinstance(key, list) or len(key) != size or not all(_cursor_value(k) for k in key):
        shown = cursor if len(cursor) <= 40 else cursor[:37] + "..."
        raise QueryError(f"invalid cursor {shown!r}: pass the next_cursor of a previous page")
    return tuple(key)


def _cursor_value(value: Any) -> bool:
    """A value SQLite can bind: a short string, a 64-bit integer, a finite float."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    if isinstance(value, float):
        return value == value and abs(value) != float("inf")
    return isinstance(value, str) and len(value) <= 1_000


def charted(period: str) -> bool:
    """Whether a period (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) lies where a timeline can
    place it: from 1800 to next year. Dates outside (a page dated 9999-12-31) are counted
    apart, never stretched over: one of them would make a chart of centuries of empty days."""
    year = period[:4]
    return year.isdigit() and 1800 <= int(year) <= date.today().year + 1


def _period_range(periods: list[str], interval: str) -> list[str]:
    """Every period from the first to the last of ``periods`` (none left out of a chart);
    ``periods`` must be :func:`charted`."""
    if not periods:
        return []
    first, last = periods[0], periods[-1]
    if interval == "year":
        return [str(y) for y in range(int(first), int(last) + 1)]
    if interval == "month":
        out, (y, m) = [], map(int, first.split("-"))
        while f"{y:04d}-{m:02d}" <= last and len(out) < 1200:
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out
    day, end = date.fromisoformat(first), date.fromisoformat(last)
    step = timedelta(days=7 if interval == "week" else 1)
    out = []
    while day <= end and len(out) < 3660:
        out.append(day.isoformat())
        day += step
    return out


_EVENT_SELECT = f"""
    SELECT e.*, a.title AS article_title, a.published, a.url, a.source AS article_source,
           a.publisher, a.added_at, s.text AS sentence_text,
           se.name AS source_name, te.name AS target_name, le.kind AS location_kind,
           le.name AS location_name,
           g.mentions AS group_mentions, g.articles AS group_articles,
           g.sources AS group_sources, g.first_event AS group_first,
           {_OLDEST_PARTS[0]} AS _k_date, a.num AS _k_num, e.ord AS _k_ord,
           {_NEWEST_PARTS[0]} AS _n_date
    FROM events e
    JOIN articles a ON a.id = e.article_id
    LEFT JOIN event_groups g ON g.id = e.group_id
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
    if "en" not in event:  # stored before events had English lines: build it now
        names = {row[f"{side}_entity"]: row[f"{side}_name"] for side in ("source", "target")}
        event["en"] = english_line(event, {k: v for k, v in names.items() if k and v})
    if row["group_id"] is not None:  # facts only: see grouping
        event["group"] = {
            "id": row["group_id"], "mentions": row["group_mentions"],
            "articles": row["group_articles"], "sources": row["group_sources"],
            "first_report": row["group_first"] == row["num"],
        }  # fmt: skip
    return event
