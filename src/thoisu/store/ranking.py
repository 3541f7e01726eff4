"""Search ranking beyond BM25: the reading of the words a user typed.

A query typed without diacritics is ambiguous in Vietnamese: ``dam phan`` folds "đàm phán"
(negotiate) and also "dâm" + "phần"; ``dang`` folds "đang", "đảng", "đẳng". Ranking gives
each :class:`~thoisu.store.text.Unit` of the query (a run of words typed side by side, a
quoted phrase, a prefix) up to two points in a matching document:

- 2 when the unit is found with the diacritics the user typed, or, typed without any, with
  its most common reading in the store (found in a sample of matching articles);
- 1 when its words are found side by side in the folded text (any reading);
- 0 when its words are only found apart.

The points come before BM25 in the order. Each document is tokenised once, and each unit is
a substring test on that one string, so a row's cost does not grow with query length beyond
the bounded number of (distinct) units; and only the best matches by BM25 are read at all
(``sql.RANKED_MATCHES``), so the cost does not grow with the store either.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections import Counter
from functools import lru_cache

from ..text import fold
from .text import Unit

__all__ = ["common_readings", "rank_key", "reading_points"]

_TOKEN = re.compile(r"[^\W_]+")
READING_SAMPLE = 50  # matching articles read to find the common reading of a unit
MAX_READING_UNITS = 8  # units whose common reading is looked up (the rest: typed form only)
_MAX_OCCURRENCES = 64  # occurrences of one phrase checked in one document


def rank_key(units: tuple[Unit, ...], readings: dict[tuple[str, ...], str]) -> str:
    """The ranking key passed to :func:`reading_points` for every matching row: per unit,
    its folded phrase, the typed words that carry marks, its preferred reading, prefix."""
    key = []
    for unit in dict.fromkeys(units):  # a unit typed twice counts once
        typed = list(unit.typed) if unit.has_marks else None
        key.append([" ".join(unit.folded), typed, readings.get(unit.folded), unit.prefix])
    return json.dumps(key, ensure_ascii=False)


@lru_cache(maxsize=64)
def _parse_key(key: str) -> list[tuple[str, list[str] | None, str | None, bool]]:
    return [tuple(unit) for unit in json.loads(key)]  # type: ignore[misc]


# Reading a document (NFC, lowercase, tokens, folding) was nine tenths of a search's time,
# and each query reads again the articles the previous ones read: the forms of the articles
# read last are kept, keyed by their title and text (so never stale). A query reads at most
# sql.RANKED_MATCHES articles; some 12 KB each (the text and both forms): 25 MB at most.
JOINED_CACHE = 2048


@lru_cache(maxsize=JOINED_CACHE)
def _joined(title: str | None, text: str | None) -> tuple[str, str]:
    """The document's words, lowercased, each between single spaces: as written and
    folded. Folding keeps lengths, so offsets in one are offsets in the other."""
    raw = unicodedata.normalize("NFC", f"{title or ''}\n{text or ''}").lower()
    written = " " + " ".join(_TOKEN.findall(raw)) + " "
    return written, fold(written)


def reading_points(title: str | None, text: str | None, key: str) -> int:
    """Points of a document for the units in ``key`` (SQLite function ``thoisu_rank``)."""
    if not key:
        return 0
    units = _parse_key(key)
    written, folded = _joined(title, text)
    points = 0
    for phrase, typed, reading, prefix in units:
        needle = " " + phrase + ("" if prefix else " ")
        if needle not in folded:
            continue
        if typed is not None:
            points += 2 if _typed_found(written, folded, needle, typed) else 1
        elif reading is not None and f" {reading}{'' if prefix else ' '}" in written:
            points += 2
        else:
            points += 1
    return points


def _typed_found(written: str, folded: str, needle: str, typed: list[str]) -> bool:
    """Whether the phrase occurs with every typed word that carries marks written so."""
    start = folded.find(needle)
    for _ in range(_MAX_OCCURRENCES):
        if start < 0:
            return False
        words = written[start + 1 : start + len(needle)].split()
        if all(t == fold(t) or t == w for t, w in zip(typed, words, strict=False)):
            return True
        start = folded.find(needle, start + 1)
    return False


def common_readings(db: sqlite3.Connection, units: tuple[Unit, ...]) -> dict[tuple[str, ...], str]:
    """The most common written form of each unit typed without diacritics, read from a
    sample of the articles where its words occur side by side."""
    readings: dict[tuple[str, ...], str] = {}
    plain = [u for u in dict.fromkeys(units) if not u.has_marks and not u.prefix]
    plain = plain[:MAX_READING_UNITS]
    for unit in plain:
        phrase = " ".join(unit.folded)
        rows = db.execute(
            "SELECT a.title, a.text FROM articles_fts f JOIN articles a ON a.num = f.rowid"
            " WHERE articles_fts MATCH ? LIMIT ?",
            ('"' + phrase + '"', READING_SAMPLE),
        )
        forms: Counter[str] = Counter()
        needle = f" {phrase} "
        for title, text in rows:
            written, folded = _joined(title, text)
            start = folded.find(needle)
            for _ in range(_MAX_OCCURRENCES):
                if start < 0:
                    break
                forms[written[start + 1 : start + len(needle) - 1]] += 1
                start = folded.find(needle, start + 1)
        if forms:
            readings[unit.folded] = forms.most_common(1)[0][0]
    return readings
