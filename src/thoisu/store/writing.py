"""Writing an analysis record into the store: the article, its search index, sentences,
entities and mentions, events and their groups of reports, and the watches they match."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from ..records import Analysis
from .errors import StoreError
from .grouping import group_article
from .linking import alias_rows, link_people
from .sql import _EVENT_INSERT, _event_row, _json, _now, _root_sentences
from .text import fold
from .watches import mark_article


def insert_analysis(db: sqlite3.Connection, analysis: Analysis | Mapping[str, Any]) -> bool:
    """Store one analysis in the open transaction; False if its article id is there."""
    record = analysis.to_dict() if isinstance(analysis, Analysis) else dict(analysis)
    art = record.get("article")
    if not isinstance(art, Mapping) or not art.get("id"):
        raise StoreError("analysis record has no article id")
    aid = str(art["id"])
    if db.execute("SELECT 1 FROM articles WHERE id = ?", (aid,)).fetchone():
        return False
    link_people(db, record)  # before the record is stored: it keeps the linked ids
    text = art.get("text") or ""
    title = art.get("title")
    cur = db.execute(
        "INSERT INTO articles (id, title, author, publisher, published, url, source, lead,"
        " body, text, language, category, credit, external_id, record, added_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO NOTHING",
        (
            aid, title, art.get("author"), art.get("publisher"), art.get("published"),
            art.get("url"), art.get("source"), art.get("lead"), art.get("body"), text,
            art.get("language"), art.get("category"), art.get("credit"),
            art.get("external_id"), _json(record), _now(),
        ),
    )  # fmt: skip
    if cur.rowcount == 0:
        return False
    db.execute(
        "INSERT INTO articles_fts (rowid, title_folded, text_folded) VALUES (?, ?, ?)",
        (cur.lastrowid, fold(title or ""), fold(text)),
    )
    sentences = [
        s
        for s in record.get("sentences") or []
        if isinstance(s, Mapping) and isinstance(s.get("index"), int)
    ]
    db.executemany(
        'INSERT OR REPLACE INTO sentences (article_id, idx, start, "end", text)'
        " VALUES (?, ?, ?, ?, ?)",
        [(aid, s.get("index"), s.get("start"), s.get("end"), s.get("text")) for s in sentences],
    )
    for ent in record.get("entities") or []:
        _insert_entity(db, aid, ent)
    roots = _root_sentences(title, sentences)
    published = art.get("published")
    for ord_, ev in enumerate(record.get("events") or []):
        db.execute(_EVENT_INSERT, _event_row(aid, ord_, ev, published, roots))
    group_article(db, aid)
    mark_article(db, aid)
    return True


def _insert_entity(db: sqlite3.Connection, aid: str, ent: Mapping[str, Any]) -> None:
    eid = ent.get("id")
    if not eid:
        return
    # Canonical entities are shared: keep the first name, fill gaps from later ones.
    db.execute(
        "INSERT INTO entities (id, name, name_vi, type, code, wikidata, kind, country)"
        " VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET"
        " name_vi = coalesce(name_vi, excluded.name_vi),"
        " type = coalesce(type, excluded.type),"
        " code = coalesce(code, excluded.code),"
        " wikidata = coalesce(wikidata, excluded.wikidata),"
        " kind = coalesce(kind, excluded.kind),"
        " country = coalesce(country, excluded.country)",
        (
            eid, ent.get("name") or eid, ent.get("name_vi"), ent.get("type"),
            ent.get("code"), ent.get("wikidata"), ent.get("kind"), ent.get("country"),
        ),
    )  # fmt: skip
    db.execute(
        "INSERT OR IGNORE INTO article_entities (article_id, entity_id, role) VALUES (?, ?, ?)",
        (aid, eid, ent.get("role")),
    )
    db.executemany(
        "INSERT OR IGNORE INTO entity_aliases (entity_id, alias, folded, last) VALUES (?, ?, ?, ?)",
        alias_rows(eid, ent),
    )
    db.executemany(
        'INSERT INTO mentions (article_id, entity_id, sentence, start, "end", text)'
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            (aid, eid, m.get("sentence"), m.get("start"), m.get("end"), m.get("text"))
            for m in ent.get("mentions") or []
        ],
    )
