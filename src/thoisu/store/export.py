"""Export writers: JSON Lines, Parquet (one row per event) and GDELT 2.0 Event rows.

CAMEO actor-code blocks (countries, types, known groups, religions) come from GDELT's
lookup files (``cameo_actor_codes.tsv``; source: The GDELT Project, gdeltproject.org).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import IO, Any, TextIO

from ..events.english import actor_english_name
from .errors import StoreError
from .sql import _event_dict, full_date

GDELT_COLUMNS = 61
# GDELT 2.0 ActionGeo_Type: 1 = country, 4 = world city, 5 = world state/ADM1.
_GEO_TYPES = {"country": "1", "city": "4", "province": "5", "state": "5", "region": "5"}


def write_lines(out: str | Path | TextIO, lines: Iterable[str]) -> int:
    """Write *lines* (without newlines) to a path or text stream; return how many."""
    if isinstance(out, str | Path):
        with open(out, "w", encoding="utf-8", newline="\n") as f:
            return _write(f, lines)
    return _write(out, lines)


def _write(f: TextIO, lines: Iterable[str]) -> int:
    n = 0
    for line in lines:
        f.write(line)
        f.write("\n")
        n += 1
    return n


# -- CSV -----------------------------------------------------------------------------

EVENT_CSV_COLUMNS = (
    "id", "article_id", "published", "date", "cameo", "cameo_label", "plover", "type",
    "certainty", "source", "source_code", "target", "target_code", "location", "trigger",
    "sentence", "en",
)  # fmt: skip
# A cell a spreadsheet would run as a formula (or DDE command) when the file is opened.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def spreadsheet_safe(value: Any) -> str:
    """A CSV cell that no spreadsheet evaluates: text that starts like a formula gets a
    leading apostrophe (OWASP's advice against CSV injection); numbers are left alone."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_events_csv(out: TextIO, events: Iterable[dict[str, Any]]) -> int:
    """Events (the dicts of ``Store.events``) as CSV with a header row, every cell
    spreadsheet-safe; returns the rows written."""
    writer = csv.writer(out)
    writer.writerow(EVENT_CSV_COLUMNS)
    n = 0
    for ev in events:
        source, target, location = (ev.get(r) or {} for r in ("source", "target", "location"))
        row = [
            ev.get("id"), ev.get("article_id"), ev.get("published"), ev.get("date"),
            ev.get("cameo"), ev.get("cameo_label"), ev.get("plover"), ev.get("type"),
            ev.get("certainty"), source.get("text"), source.get("code"), target.get("text"),
            target.get("code"), location.get("text"), (ev.get("trigger") or {}).get("text"),
            ev.get("sentence_text"), ev.get("en"),
        ]  # fmt: skip
        writer.writerow([spreadsheet_safe(v) for v in row])
        n += 1
    return n


# -- GDELT ---------------------------------------------------------------------------


@cache
def _actor_codes() -> dict[str, frozenset[str]]:
    """CAMEO 3-letter block -> its kinds (country, type, knowngroup, religion)."""
    kinds: dict[str, set[str]] = {}
    path = Path(__file__).with_name("cameo_actor_codes.tsv")
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            code, kind, _ = line.rstrip("\n").split("\t", 2)
            kinds.setdefault(code, set()).add(kind)
    return {code: frozenset(k) for code, k in kinds.items()}


def split_actor_code(code: str | None) -> dict[str, str]:
    """Split a CAMEO actor code into GDELT's fields: ``country``, ``knowngroup``,
    ``religion1``/``religion2``, ``type1``..``type3`` (e.g. "USAGOV" -> USA + GOV)."""
    parts: dict[str, str] = {}
    if not code or len(code) % 3:
        return parts
    table = _actor_codes()
    for i in range(0, len(code), 3):
        block = code[i : i + 3].upper()
        kinds = table.get(block, frozenset())
        # A few blocks have two kinds (UNO: type and group): country first, then type.
        if i == 0 and "country" in kinds:
            parts["country"] = block
        elif "type" in kinds:
            _first_free(parts, ("type1", "type2", "type3"), block)
        elif "knowngroup" in kinds:
            _first_free(parts, ("knowngroup",), block)
        elif "religion" in kinds:
            _first_free(parts, ("religion1", "religion2"), block)
    return parts


def _first_free(parts: dict[str, str], keys: tuple[str, ...], value: str) -> None:
    key = next((k for k in keys if k not in parts), None)
    if key:
        parts[key] = value


def global_event_id(event_id: str, article_id: str) -> int:
    """A stable 60-bit integer: the first 15 hex digits of a hex event id, else of a hash."""
    head = event_id[:15]
    if len(head) == 15 and all(c in "0123456789abcdefABCDEF" for c in head):
        return int(head, 16)
    return int(hashlib.sha1(f"{article_id}:{event_id}".encode()).hexdigest()[:15], 16)


def _clean(value: Any) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split())  # no tabs or newlines inside a field


def _actor_name(row: sqlite3.Row, role: str) -> str:
    """Actor{1,2}Name as GDELT writes it: English, in capitals. The entity's canonical
    (English) name, else the English name of the agent noun the actor's text opens with
    ("công an" POLICE, "binh lính" SOLDIERS), else nothing: a Vietnamese phrase is no name."""
    entity = row[f"{role}_entity"]
    actor = {"entity": entity, "text": row[f"{role}_text"]}
    names = {entity: row[f"{role}_name"]} if entity and row[f"{role}_name"] else None
    return _clean(actor_english_name(actor, names, use_code=False)).upper()


def _actor_fields(code: str | None, name: str | None) -> list[str]:
    """Actor{1,2} Code, Name, CountryCode, KnownGroupCode, EthnicCode, Religion1Code,
    Religion2Code, Type1Code, Type2Code, Type3Code."""
    if not code and not name:
        return [""] * 10
    p = split_actor_code(code)
    keys = ("country", "knowngroup", "ethnic", "religion1", "religion2", "type1", "type2", "type3")
    return [_clean(code), _clean(name).upper(), *(p.get(k, "") for k in keys)]


def gdelt_line(row: sqlite3.Row) -> str | None:
    """One GDELT 2.0 Event row (61 tab-separated columns) for an event row of the store, or
    None (write no row) when neither actor has a code or an English name: a GDELT row says
    who did what to whom."""
    source, target = _actor_name(row, "source"), _actor_name(row, "target")
    if not (row["source_code"] or source or row["target_code"] or target):
        return None
    event: dict[str, Any] = json.loads(row["record"])
    f = [""] * GDELT_COLUMNS
    f[0] = str(global_event_id(row["id"], row["article_id"]))
    day = row["effective_date"] or full_date(row["published"])
    if day:
        y, m, d = int(day[:4]), int(day[5:7]), int(day[8:10])
        f[1], f[2], f[3] = f"{y:04d}{m:02d}{d:02d}", f"{y:04d}{m:02d}", str(y)
        f[4] = f"{y + (m * 30 + d) / 365:.4f}"  # GDELT's own formula: (MONTH*30+DAY)/365
    f[5:15] = _actor_fields(row["source_code"], source)
    f[15:25] = _actor_fields(row["target_code"], target)
    f[25] = "1" if row["is_root"] else "0"
    cameo = row["cameo"] or ""
    f[26], f[27], f[28] = cameo, cameo[:3], cameo[:2]
    if event.get("quad_class") is not None:
        f[29] = str(int(event["quad_class"]))
    if event.get("goldstein") is not None:
        f[30] = str(float(event["goldstein"]))
    # NumMentions, NumSources, NumArticles: the row stands for its group of reports
    f[31], f[32], f[33] = (
        str(row[k] or 1) for k in ("group_mentions", "group_sources", "group_articles")
    )
    if row["location_entity"] or row["location_code"]:  # a place ("khu vực" is none)
        f[51] = _GEO_TYPES.get((row["location_kind"] or "").lower(), "")
        # ActionGeo_FullName in English, as GDELT's are
        place = {k: row[f"location_{k}"] for k in ("entity", "text", "code")}
        names = {row["location_entity"]: row["location_name"]} if row["location_name"] else None
        f[52] = _clean(actor_english_name(place, names) or row["location_text"])
        location = event.get("location") or {}
        fips = event.get("action_geo_country_code") or location.get("fips10_4") or ""
        f[53] = _clean(fips)
    added = row["added_at"] or ""
    f[59] = "".join(c for c in added if c.isdigit())[:14]
    f[60] = _clean(row["url"] or row["article_source"])
    return "\t".join(f)


# -- Parquet -------------------------------------------------------------------------

_STRING_FIELDS = (
    "event_id", "article_id", "published", "date", "effective_date", "cameo", "cameo_root",
    "cameo_label", "plover", "type", "certainty",
    "source_entity", "source_code", "source_text",
    "target_entity", "target_code", "target_text",
    "location_entity", "location_code", "location_text",
    "speaker_entity", "speaker_code", "speaker_text",
    "via_entity", "via_code", "via_text",
    "quantities", "trigger", "sentence_text", "title", "publisher", "url", "en",
)  # fmt: skip


def _parquet_schema() -> Any:
    import pyarrow as pa

    fields = [pa.field(name, pa.string()) for name in _STRING_FIELDS]
    fields += [
        pa.field("sentence", pa.int32()),
        pa.field("is_root", pa.bool_()),
        pa.field("quad_class", pa.int8()),
        pa.field("goldstein", pa.float64()),
    ]
    return pa.schema(fields)


def _parquet_record(row: sqlite3.Row) -> dict[str, Any]:
    rec = {name: row[name] for name in _STRING_FIELDS if name in row.keys()}
    rec.update(
        event_id=row["id"],
        title=row["article_title"],
        url=row["url"] or row["article_source"],
        sentence=row["sentence"],
        is_root=bool(row["is_root"]),
        quad_class=row["quad_class"],
        goldstein=row["goldstein"],
        en=_event_dict(row).get("en"),
    )
    return rec


def write_parquet(
    out: str | Path | IO[bytes] | TextIO, rows: Iterator[sqlite3.Row], batch_size: int = 2000
) -> int:
    """Write event rows to a Parquet file in batches (constant memory); return the count."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as e:  # pragma: no cover - pyarrow is a dependency
        raise StoreError("parquet export needs pyarrow: pip install pyarrow") from e
    if isinstance(out, io.TextIOBase):
        raise StoreError("parquet export needs a file path or a binary stream, not a text stream")
    schema = _parquet_schema()
    sink = str(out) if isinstance(out, str | Path) else out
    n = 0
    with pq.ParquetWriter(sink, schema) as writer:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(_parquet_record(row))
            if len(batch) >= batch_size:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                n += len(batch)
                batch.clear()
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            n += len(batch)
    return n
