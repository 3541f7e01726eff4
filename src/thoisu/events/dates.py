"""Dates in Vietnamese news text, resolved against the publication date.

Day first: "3/1" is 3 January. When the year is not written and the publication date is
unknown, the date is partial ISO 8601: "--01-03". Relative expressions ("hôm qua",
"sáng nay", "thứ Hai", "cuối tuần trước", "tháng trước", "năm ngoái") need the publication
date and are left unresolved without it. An event takes the date of its own clause
(:func:`event_date`), never one from another clause of the sentence.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

__all__ = ["event_date", "find_dates", "parse_published"]

_DAY_MONTH = re.compile(
    r"(?:(?<=ngày\s)|(?<=hôm\s)|(?<=\()|(?<=sáng\s)|(?<=chiều\s)|(?<=tối\s)|(?<=trưa\s)|(?<=đêm\s)|(?<=vào\s))"
    r"(\d{1,2})\s*(?:/|-|\.|\s+tháng\s+)\s*(\d{1,2})(?:\s*(?:/|-|\.|\s+năm\s+)\s*(\d{4}))?(?!\d)",
    re.IGNORECASE,
)
_MONTH_YEAR = re.compile(r"tháng\s+(\d{1,2})\s*(?:/|năm\s+)\s*(\d{4})(?!\d)", re.IGNORECASE)
_YEAR = re.compile(r"(?<=năm\s)(\d{4})(?!\d)", re.IGNORECASE)
_RELATIVE = re.compile(
    r"\b(hôm nay|sáng nay|chiều nay|tối nay|trưa nay|đêm nay|hôm qua|sáng qua|chiều qua|tối qua|đêm qua|"
    r"trưa qua|hôm kia|ngày mai|sáng mai|ngày hôm qua|ngày hôm nay)\b",
    re.IGNORECASE,
)
_WEEKDAY = re.compile(r"\b(thứ\s+(hai|ba|tư|năm|sáu|bảy)|chủ\s+nhật)\b", re.IGNORECASE)
_WEEKEND = re.compile(r"\bcuối tuần (?:trước|qua|rồi)\b", re.IGNORECASE)
_MONTH_RELATIVE = re.compile(r"\b(tháng (?:trước|qua|rồi|này|nay|sau|tới))\b", re.IGNORECASE)
_YEAR_RELATIVE = re.compile(r"\b(năm (?:ngoái|trước|qua|nay|này|sau|tới))\b", re.IGNORECASE)
_SHIFT = {"trước": -1, "qua": -1, "rồi": -1, "ngoái": -1, "này": 0, "nay": 0, "sau": 1, "tới": 1}
_WEEKDAYS = {"hai": 0, "ba": 1, "tư": 2, "năm": 3, "sáu": 4, "bảy": 5}
_RELATIVE_DAYS = {"nay": 0, "qua": -1, "kia": -2, "mai": 1}


def parse_published(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _iso(year: int | None, month: int, day: int | None, published: date | None) -> str | None:
    if not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
        return None
    if year is None and published is not None:
        year = published.year
        # "ngày 28/12" in an article of 2 January is last year.
        if day is not None:
            try:
                if date(year, month, day) - published > timedelta(days=183):
                    year -= 1
            except ValueError:
                return None
    if year is None:
        return f"--{month:02d}-{day:02d}" if day is not None else f"--{month:02d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def find_dates(text: str, published: str | None) -> list[tuple[int, int, str]]:
    """``(start, end, iso)`` for each date expression in ``text``."""
    pub = parse_published(published)
    found: list[tuple[int, int, str]] = []

    def add(start: int, end: int, iso: str | None) -> None:
        if iso and not any(s < end and start < e for s, e, _ in found):
            found.append((start, end, iso))

    for m in _DAY_MONTH.finditer(text):
        add(
            m.start(),
            m.end(),
            _iso(int(m.group(3)) if m.group(3) else None, int(m.group(2)), int(m.group(1)), pub),
        )
    for m in _MONTH_YEAR.finditer(text):
        add(m.start(), m.end(), _iso(int(m.group(2)), int(m.group(1)), None, pub))
    for m in _YEAR.finditer(text):
        if 1900 <= int(m.group(1)) <= 2100:
            add(m.start(), m.end(), m.group(1))
    if pub is not None:
        for m in _RELATIVE.finditer(text):
            shift = _RELATIVE_DAYS[m.group(1).split()[-1].lower()]
            add(m.start(), m.end(), (pub + timedelta(days=shift)).isoformat())
        for m in _WEEKEND.finditer(text):
            # the Saturday of the week before the publication's
            add(m.start(), m.end(), (pub - timedelta(days=pub.weekday() + 2)).isoformat())
        for m in _MONTH_RELATIVE.finditer(text):
            month = pub.year * 12 + pub.month - 1 + _SHIFT[m.group(1).split()[-1].lower()]
            add(m.start(), m.end(), f"{month // 12:04d}-{month % 12 + 1:02d}")
        for m in _YEAR_RELATIVE.finditer(text):
            add(m.start(), m.end(), str(pub.year + _SHIFT[m.group(1).split()[-1].lower()]))
        for m in _WEEKDAY.finditer(text):
            name = m.group(2)
            weekday = _WEEKDAYS[name.lower()] if name else 6
            back = (pub.weekday() - weekday) % 7  # news reports the most recent such day
            add(m.start(), m.end(), (pub - timedelta(days=back)).isoformat())
    return sorted(found)


_CLAUSE_BREAK = re.compile(
    r";|\s[-–]\s|(?<!\w)(?:nhưng|song|trong khi|sau khi|trước khi|khi|vì|do|nên)(?!\w)", re.I
)


def event_date(text: str, dates: list[tuple[int, int, str]], start: int, end: int) -> str | None:
    """The date of the event whose trigger is at ``start``..``end`` of the sentence ``text``
    (``dates`` as :func:`find_dates` gives them): the nearest date expression of the
    trigger's clause, one before the trigger preferred ("Ngày 5/3, cảnh sát bắt ...")."""
    left, right = 0, len(text)
    for m in _CLAUSE_BREAK.finditer(text):
        if m.end() <= start:
            left = m.end()
        elif m.start() >= end:
            right = m.start()
            break
    inside = [d for d in dates if left <= d[0] and d[1] <= right]
    before = [d for d in inside if d[1] <= start]
    if before:
        return before[-1][2]
    after = [d for d in inside if d[0] >= end]
    return after[0][2] if after else None
