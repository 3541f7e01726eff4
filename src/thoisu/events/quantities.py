"""Quantities in Vietnamese number formats: "2.000" = 2000, "2,5" = 2.5, "3 triệu" = 3e6."""

from __future__ import annotations

import re

from ..records import Event, Quantity, Token

__all__ = ["attach_quantities", "find_quantities", "parse_number"]

_SCALES = {
    "nghìn": 1_000,
    "ngàn": 1_000,
    "vạn": 10_000,
    "triệu": 1_000_000,
    "tỷ": 1_000_000_000,
    "tỉ": 1_000_000_000,
}
# A number: "2.000", "1.500.000", "2,5", "500", "12%".
_NUMBER = re.compile(r"(?<![\w/.,])(\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?)(?![\w/]|[.,]\d)")
_SCALE = re.compile(r"\s+(nghìn|ngàn|vạn|triệu|tỷ|tỉ)(?!\w)")
# Numbers that are part of a date or time, not a quantity.
_NOT_QUANTITY_BEFORE = re.compile(
    r"(?:ngày|tháng|năm|lúc|hồi|số|thứ|khoản|điều|mục|phiên|quý)\s*$", re.I
)
_UNIT_POS = {"N", "Nu", "Nc", "Np", "Ny"}


def parse_number(text: str) -> int | float:
    """Parse a Vietnamese-formatted number: "." groups thousands, "," is the decimal mark."""
    integer, _, fraction = text.partition(",")
    value = int(integer.replace(".", ""))
    return float(f"{value}.{fraction}") if fraction else value


def find_quantities(
    text: str, offset: int, tokens: list[Token], skip: list[tuple[int, int]]
) -> list[Quantity]:
    """Quantities in a sentence ``text`` that starts at ``offset``; ``skip`` holds date spans."""
    out: list[Quantity] = []
    for m in _NUMBER.finditer(text):
        start, end = offset + m.start(), offset + m.end()
        if any(s <= start < e for s, e in skip) or _NOT_QUANTITY_BEFORE.search(text[: m.start()]):
            continue
        value: int | float = parse_number(m.group(1))
        scale = _SCALE.match(text, m.end())
        if scale:
            value = value * _SCALES[scale.group(1)]
            end = offset + scale.end()
        unit = None
        if text[end - offset : end - offset + 1] == "%":
            unit, end = "%", end + 1
        else:
            token = next((t for t in tokens if t.start >= end), None)
            if (
                token is not None
                and token.pos in _UNIT_POS
                and text[end - offset : token.start - offset].strip() == ""
            ):
                unit, end = token.text, token.end
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out.append(Quantity(value, unit, text[start - offset : end - offset], start, end))
    return out


def attach_quantities(events: list[Event], quantities: list[Quantity]) -> None:
    """Each quantity of a sentence goes to the event whose trigger is nearest."""
    if not events:
        return
    for q in quantities:
        nearest = min(
            events, key=lambda e: min(abs(q.start - e.trigger.end), abs(e.trigger.start - q.end))
        )
        nearest.quantities.append(q)
