"""Dates as they appear in Vietnamese pages, feeds and corpora -> ISO 8601."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

# "26/2/2024", "26-02-2024", "26.02.2024"
_DMY = re.compile(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)")
# "ngày 26 tháng 2 năm 2024"
_VI_LONG = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s*(?:,|năm)\s*(\d{4})", re.I)
# "08:30", "8h30", "08:30:15"
_TIME = re.compile(r"(?<!\d)(\d{1,2})\s*[:hg]\s*(\d{2})(?::(\d{2}))?(?!\d)")
# "(GMT+7)", "GMT+07:00", "UTC+7"
_OFFSET = re.compile(r"(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.I)


# Publication dates outside this window are taken for errors, not dates: news before 1800 is
# not what thoisu reads, and a page cannot be published more than a day from now (time zones).
EARLIEST_PUBLICATION = date(1800, 1, 1)


def plausible_publication(iso: str | None, *, today: date | None = None) -> bool:
    """Whether an ISO 8601 date or datetime can be a publication date: from 1800 to no
    more than one day after ``today`` (the local date by default)."""
    if not iso:
        return False
    try:
        day = date.fromisoformat(iso[:10])
    except ValueError:
        return False
    latest = (today or date.today()) + timedelta(days=1)
    return EARLIEST_PUBLICATION <= day <= latest


def normalize_date(value: str | None) -> str | None:
    """ISO 8601 date ("2024-02-26") or datetime ("2024-02-26T08:30:00+07:00"), or None
    when ``value`` holds no recognisable date."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:  # ISO 8601 already (Python 3.11 accepts "Z" and most variants)
        if len(value) == 10:
            return date.fromisoformat(value).isoformat()
        return datetime.fromisoformat(value).isoformat()
    except ValueError:
        pass
    try:  # RFC 822, as in RSS
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    m = _DMY.search(value) or _VI_LONG.search(value)
    if not m:
        return None
    day, month, year = (int(g) for g in m.groups())
    try:
        d = date(year, month, day)
    except ValueError:
        return None
    t = _TIME.search(value[: m.start()] + " " + value[m.end() :])
    if not t:
        return d.isoformat()
    hour, minute, second = int(t.group(1)), int(t.group(2)), int(t.group(3) or 0)
    if hour > 23 or minute > 59 or second > 59:
        return d.isoformat()
    tz = None
    o = _OFFSET.search(value)
    if o:
        sign = -1 if o.group(1) == "-" else 1
        tz = timezone(sign * timedelta(hours=int(o.group(2)), minutes=int(o.group(3) or 0)))
    return datetime(year, month, day, hour, minute, second, tzinfo=tz).isoformat()
