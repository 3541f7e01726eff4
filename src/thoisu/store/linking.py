"""Entities across articles: aliases for finding them, one id for one person.

Each article is analysed on its own, so "George W. Bush" in one article and "George Bush" or
"Bush" in the next would be three people. Before an analysis is stored, :func:`link_people`
gives its people the id of a person already stored when the names can only mean the same
one; :func:`aliases` lists the names an entity is found by (its canonical names, code and
every form it was mentioned in), for diacritic-insensitive entity search.

The rules are conservative, because a wrong merge is worse than a missed one:
- names written in Vietnamese are never linked across articles ("Nguyễn Dũng" is not
  "Nguyễn Tấn Dũng", a "Dũng" alone is anyone); their ids keep their diacritics, so
  "Nguyễn Văn Hùng" and "Nguyễn Văn Hưng" stay two people;
- two foreign names of two or more words match when they share the first and the last word
  and the shorter has no middle words, or the same number with matching initials ("George
  Bush" is "George W. Bush", but "George W. Bush" is not "George H. W. Bush");
- a one-word foreign name matches the only stored person whose full name ends with it
  ("Bush", when no other Bush is stored).
A name that could be two stored people is linked to neither. The first id stored stays; a
fuller name replaces a one-word display name.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any

from ..text import fold

__all__ = ["alias_rows", "aliases", "link_people"]

_WORD = re.compile(r"[^\W\d_]+(?:[.'’-][^\W\d_]+)*\.?")
# Letters only Vietnamese spelling uses (with a tone or a Vietnamese vowel): "Dũng", "Hùng".
_VIETNAMESE = re.compile(
    "[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
    "ÀÁẢÃẠẰẮẲẴẶẦẤẨẪẬÈÉẺẼẸỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌỒỐỔỖỘỜỚỞỠỢÙÚỦŨỤỪỨỬỮỰỲÝỶỸỴ]"
)
_MAX_ALIAS_CHARS = 200
_TOKEN = re.compile(r"[^\W_]+")
# Mention forms that refer back to an entity without naming it ("Ông nói...", "nước này"):
# not names to find it by. Folded.
_REFERRING = frozenset(
    ["ong", "ba", "anh", "chi", "co", "chu", "bac", "em", "cau", "ho", "y", "ho ta"]
    + ["nguoi nay", "nuoc nay", "quoc gia nay", "to chuc nay", "thanh pho nay"]
)


def folded_key(name: str) -> str:
    """``name`` folded to its words: no diacritics or punctuation ("George W. Bush" and
    "george w bush" have the same key)."""
    return " ".join(_TOKEN.findall(fold(name)))


def aliases(entity: Mapping[str, Any]) -> set[str]:
    """The names an entity is found by: name, Vietnamese name, code, and the forms it was
    mentioned in, except those that only refer back to it ("Ông", "nước này")."""
    names = [entity.get("name"), entity.get("name_vi"), entity.get("code")]
    forms = [m.get("text") for m in entity.get("mentions") or [] if isinstance(m, Mapping)]
    names += [f for f in forms if isinstance(f, str) and folded_key(f) not in _REFERRING]
    return {" ".join(n.split()) for n in names if isinstance(n, str) and n.strip()} - {""}


def _words(name: str) -> list[str]:
    """The name's words, lower-cased, diacritics kept, trailing dots of initials removed."""
    return [w.lower().rstrip(".") for w in _WORD.findall(name)]


def _same_person(short: list[str], full: list[str]) -> bool:
    """Whether ``short`` names ``full``: the same first and last word, and either no middle
    words or as many as ``full`` has, each the same or its initial."""
    if len(short) < 2 or len(short) > len(full) or short[0] != full[0] or short[-1] != full[-1]:
        return False
    middle, theirs = short[1:-1], full[1:-1]
    if not middle:
        return True
    return len(middle) == len(theirs) and all(
        w == x or (len(w) == 1 and x.startswith(w)) for w, x in zip(middle, theirs, strict=True)
    )


def _candidates(db: sqlite3.Connection, last: str) -> list[tuple[str, str]]:
    """Stored people known by a name that ends with the folded word ``last``: (id, name)."""
    rows = db.execute(
        "SELECT DISTINCT en.id, en.name FROM entity_aliases al"
        " JOIN entities en ON en.id = al.entity_id WHERE al.last = ? AND en.kind = 'person'",
        (last,),
    )
    return list(rows)


def _match(db: sqlite3.Connection, entity: Mapping[str, Any]) -> tuple[str, str] | None:
    """The stored person (id, name) that ``entity`` is, or None."""
    name = entity.get("name") or ""
    words = _words(name)
    if not words or _VIETNAMESE.search(name):
        return None
    found = []
    for eid, stored in _candidates(db, fold(words[-1])):
        if eid == entity.get("id"):
            return None  # already the same id: nothing to link
        if _VIETNAMESE.search(stored):
            continue
        theirs = _words(stored)
        if len(words) >= 2 and len(theirs) >= 2:
            if _same_person(words, theirs) or _same_person(theirs, words):
                found.append((eid, stored))
        elif (len(words) == 1) != (len(theirs) == 1):
            one, many = (words, theirs) if len(words) == 1 else (theirs, words)
            if many[-1] == one[0]:
                found.append((eid, stored))
    unique = {eid for eid, _ in found}
    return found[0] if len(unique) == 1 else None


def link_people(db: sqlite3.Connection, record: dict[str, Any]) -> dict[str, str]:
    """Give the record's people the ids of the same people already stored (in place:
    entities and every actor reference); return the ids changed, old -> new. A stored
    one-word name is replaced by the fuller name that linked to it."""
    renamed: dict[str, str] = {}
    for entity in record.get("entities") or []:
        if not isinstance(entity, dict) or entity.get("kind") != "person":
            continue
        match = _match(db, entity)
        if match is None:
            continue
        eid, stored_name = match
        renamed[entity["id"]] = eid
        if len(_words(stored_name)) == 1 < len(_words(entity.get("name") or "")):
            db.execute("UPDATE entities SET name = ?, name_vi = ? WHERE id = ?",
                       (entity["name"], entity.get("name_vi") or entity["name"], eid))  # fmt: skip
    if renamed:
        _rename(record, renamed)
    return renamed


def _rename(record: dict[str, Any], renamed: dict[str, str]) -> None:
    merged: dict[str, dict[str, Any]] = {}
    for entity in record.get("entities") or []:
        entity["id"] = renamed.get(entity["id"], entity["id"])
        if entity["id"] in merged:  # two names in one article, one person
            merged[entity["id"]].setdefault("mentions", []).extend(entity.get("mentions") or [])
        else:
            merged[entity["id"]] = entity
    record["entities"] = list(merged.values())
    for event in record.get("events") or []:
        attribution = event.get("attribution") or {}
        for actor in _actors(event, attribution):
            if actor.get("entity") in renamed:
                actor["entity"] = renamed[actor["entity"]]


def _actors(event: Mapping[str, Any], attribution: Mapping[str, Any]) -> Iterable[dict]:
    for actor in (*(event.get(r) for r in ("source", "target", "location")),
                  attribution.get("speaker"), attribution.get("via")):  # fmt: skip
        if isinstance(actor, dict):
            yield actor


def alias_rows(entity_id: str, entity: Mapping[str, Any]) -> list[tuple[str, str, str, str]]:
    """Rows of the ``entity_aliases`` table for one entity: (id, alias, folded alias, its
    folded last word)."""
    rows = []
    for alias in aliases(entity):
        alias = alias[:_MAX_ALIAS_CHARS]
        words = _words(alias)
        rows.append((entity_id, alias, folded_key(alias), fold(words[-1]) if words else ""))
    return rows
