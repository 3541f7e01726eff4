"""A partitioned Parquet dataset of analyses: what ``--engine dask --out DIR`` writes and
``thoisu load DIR`` reads.

Layout (any fsspec URL: a local folder, ``s3://bucket/run``, ``gcs://...``)::

    DIR/articles/part-00000000.parquet   one row per article, with its full analysis record
    DIR/entities/part-00000000.parquet   one row per (article, entity)
    DIR/mentions/part-00000000.parquet   one row per entity mention
    DIR/events/part-00000000.parquet     one row per event, with its actor codes and certainty

Each partition writes its four files under one number, so a dataset can be read with any
Parquet reader (DuckDB, Spark, pandas: ``read_parquet("DIR/events")``). ``articles.record``
holds the analysis record (``../shared/spec/analysis-json.md``) that ``load`` stores. A
second run into the same DIR appends partitions after the existing ones.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["TABLES", "next_partition", "partition_rows", "read_records", "write_partition"]

TABLES = ("articles", "entities", "mentions", "events")
_ROLES = ("source", "target", "location")


def _actor(value: Any, field: str) -> Any:
    return value.get(field) if isinstance(value, Mapping) else None


def partition_rows(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The rows of each table for a partition's analysis records."""
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES}
    for rec in records:
        art = rec["article"]
        aid = art["id"]
        rows["articles"].append({
            "id": aid, "title": art.get("title"), "publisher": art.get("publisher"),
            "published": art.get("published"), "url": art.get("url"),
            "source": art.get("source"), "category": art.get("category"),
            "sentences": len(rec.get("sentences") or []),
            "events": len(rec.get("events") or []),
            "record": json.dumps(rec, ensure_ascii=False),
        })  # fmt: skip
        for ent in rec.get("entities") or []:
            rows["entities"].append({
                "article_id": aid, "entity_id": ent.get("id"), "name": ent.get("name"),
                "name_vi": ent.get("name_vi"), "type": ent.get("type"), "code": ent.get("code"),
                "wikidata": ent.get("wikidata"), "kind": ent.get("kind"),
                "country": ent.get("country"),
            })  # fmt: skip
            for m in ent.get("mentions") or []:
                rows["mentions"].append({
                    "article_id": aid, "entity_id": ent.get("id"), "sentence": m.get("sentence"),
                    "start": m.get("start"), "end": m.get("end"), "text": m.get("text"),
                })  # fmt: skip
        for ev in rec.get("events") or []:
            trigger = ev.get("trigger") or {}
            row = {
                "article_id": aid, "event_id": ev.get("id"), "sentence": ev.get("sentence"),
                "trigger": trigger.get("text"), "type": ev.get("type"), "cameo": ev.get("cameo"),
                "plover": ev.get("plover"), "certainty": ev.get("certainty"),
                "date": ev.get("date"), "published": art.get("published"),
                "quantities": json.dumps(ev.get("quantities") or [], ensure_ascii=False),
            }  # fmt: skip
            for role in _ROLES:
                for field in ("text", "code", "entity"):
                    row[f"{role}_{field}"] = _actor(ev.get(role), field)
            rows["events"].append(row)
    return rows


def _schemas() -> dict[str, Any]:
    import pyarrow as pa

    s, i = pa.string(), pa.int64()
    actor_fields = [(f"{r}_{f}", s) for r in _ROLES for f in ("text", "code", "entity")]
    return {
        "articles": pa.schema([("id", s), ("title", s), ("publisher", s), ("published", s),
                               ("url", s), ("source", s), ("category", s), ("sentences", i),
                               ("events", i), ("record", s)]),
        "entities": pa.schema([("article_id", s), ("entity_id", s), ("name", s),
                               ("name_vi", s), ("type", s), ("code", s), ("wikidata", s),
                               ("kind", s), ("country", s)]),
        "mentions": pa.schema([("article_id", s), ("entity_id", s), ("sentence", i),
                               ("start", i), ("end", i), ("text", s)]),
        "events": pa.schema([("article_id", s), ("event_id", s), ("sentence", i),
                             ("trigger", s), ("type", s), ("cameo", s), ("plover", s),
                             ("certainty", s), ("date", s), ("published", s),
                             ("quantities", s), *actor_fields]),
    }  # fmt: skip


def write_partition(out: str, index: int, records: list[dict[str, Any]]) -> int:
    """Write partition ``index`` of the dataset at ``out`` (a path or fsspec URL); returns
    the number of articles written. Each file goes to a temporary name first and is renamed
    when complete, the articles file last: ``read_records`` (and ``load``) list partitions
    by their articles file, so they never see one whose other tables are missing."""
    import fsspec
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows, schemas = partition_rows(records), _schemas()
    fs, root = fsspec.core.url_to_fs(out)
    for table in (*TABLES[1:], TABLES[0]):
        folder = f"{root.rstrip('/')}/{table}"
        fs.makedirs(folder, exist_ok=True)
        final = f"{folder}/part-{index:08d}.parquet"
        temporary = f"{folder}/.part-{index:08d}.parquet.tmp"
        with fs.open(temporary, "wb") as f:
            pq.write_table(pa.Table.from_pylist(rows[table], schema=schemas[table]), f)
        fs.mv(temporary, final)
    return len(records)


def _part_number(path: str) -> int:
    digits = path.rsplit("part-", 1)[-1].split(".", 1)[0]
    return int(digits) if digits.isdigit() else -1


def next_partition(out: str) -> int:
    """The first free partition number of the dataset at ``out`` (0 for a new one): a run
    into an existing dataset appends to it instead of overwriting its partitions."""
    import fsspec

    fs, root = fsspec.core.url_to_fs(out)
    numbers = [_part_number(p) for p in fs.glob(f"{root.rstrip('/')}/articles/part-*.parquet")]
    return max(numbers, default=-1) + 1


def read_records(source: str) -> Iterator[dict[str, Any]]:
    """Every analysis record of the dataset at ``source``, partition by partition, in
    order. Raises FileNotFoundError when it holds no ``articles`` partition."""
    import fsspec
    import pyarrow.parquet as pq

    fs, root = fsspec.core.url_to_fs(source)
    pattern = f"{root.rstrip('/')}/articles/part-*.parquet"
    parts = sorted(fs.glob(pattern), key=_part_number)
    if not parts:
        raise FileNotFoundError(f"no Parquet partitions at {source} (looked for {pattern})")
    for part in parts:
        with fs.open(part, "rb") as f:
            table = pq.read_table(f, columns=["record"])
        for value in table.column("record").to_pylist():
            yield json.loads(value)
