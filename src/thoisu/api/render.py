"""Escaped HTML pieces of the dashboard: safe links, snippets, docstrings, and the article
text with its entity mentions and event triggers highlighted."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from ..store.sql import SNIPPET_MARKS

__all__ = ["CERTAINTY_VI", "TYPE_VI", "code_spans", "highlight_article", "snippet_html", "web_link"]

CERTAINTY_VI = {
    "asserted": "khẳng định",
    "reported": "được cho là / theo nguồn tin",
    "possible": "có thể",
    "negated": "phủ định / chưa xảy ra",
    "question": "câu hỏi",
}
TYPE_VI = {"PER": "người", "ORG": "tổ chức", "LOC": "địa danh", "MISC": "khác"}


def web_link(url: str | None) -> str | None:
    """``url`` when it is safe to link to (an http or https URL with a host), else None:
    a stored ``javascript:`` or ``data:`` URL, in any case or with leading spaces, is
    shown as text, never as a link."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(ord(c) < 33 or c in '\x7f"<>`' for c in url):
        return None
    return url


def code_spans(text: str) -> Markup:
    """Docstring text as HTML: escaped, ``literals`` in ``<code>``."""
    return Markup(re.sub(r"``(.+?)``", r"<code>\1</code>", str(escape(text))))


def snippet_html(text: str) -> Markup:
    """A search snippet: escaped, its matches in ``<mark>``."""
    start, end = SNIPPET_MARKS
    return Markup(str(escape(text)).replace(start, "<mark>").replace(end, "</mark>"))


def _actor_text(actor: dict | None) -> str:
    if not actor:
        return "—"
    code = f" [{actor['code']}]" if actor.get("code") else ""
    return f"{actor.get('text', '')}{code}"


def highlight_article(record: dict[str, Any]) -> Markup:
    """The article text as HTML: each sentence a ``<span id="sN">`` (so facts can link to
    their evidence), entity mentions and event triggers in ``<mark>`` with a tooltip
    (``data-tip``: type, codes, actors, certainty). Overlaps: a trigger wins over a mention
    that crosses it. Every piece of text is escaped."""
    text: str = record["article"]["text"]
    marks: list[tuple[int, int, str, str, str | None]] = []  # start, end, class, tip, href
    for ev in record.get("events", []):
        trig = ev.get("trigger") or {}
        if trig.get("end", 0) <= trig.get("start", 0):
            continue
        tip = " · ".join(
            x
            for x in (
                f"CAMEO {ev['cameo']} {ev.get('cameo_label') or ''}".strip()
                if ev.get("cameo")
                else "",
                f"PLOVER {ev['plover']}" if ev.get("plover") else "",
                f"ACE {ev['type']}" if ev.get("type") else "",
                f"nguồn: {_actor_text(ev.get('source'))}" if ev.get("source") else "",
                f"đích: {_actor_text(ev.get('target'))}" if ev.get("target") else "",
                f"nơi: {_actor_text(ev.get('location'))}" if ev.get("location") else "",
                f"mức chắc chắn: {CERTAINTY_VI.get(ev.get('certainty', ''), ev.get('certainty'))}"
                f" ({ev.get('certainty')})",
            )
            if x
        )
        marks.append((trig["start"], trig["end"], "trg", tip, f"#ev-{ev.get('id', '')}"))
    for ent in record.get("entities", []):
        code = f" · {ent['code']}" if ent.get("code") else ""
        tip = f"{ent.get('type')} ({TYPE_VI.get(ent.get('type'), '')}) · {ent['name']}{code} · {ent['id']}"
        for m in ent.get("mentions", []):
            cls = f"ent ent-{ent.get('type') or 'MISC'}"
            marks.append((m["start"], m["end"], cls, tip, f"/ui/entities/{ent['id']}"))
    # Triggers first, then longer mentions; keep what does not cross something already kept.
    marks.sort(key=lambda m: (m[2] != "trg", m[0], -(m[1] - m[0])))
    kept: list[tuple[int, int, str, str, str | None]] = []
    for m in marks:
        if m[0] < 0 or m[1] > len(text):
            continue
        if all(m[1] <= k[0] or k[1] <= m[0] for k in kept):
            kept.append(m)
    kept.sort()
    sentences = sorted(record.get("sentences", []), key=lambda s: s["start"])
    # Boundaries: sentence starts/ends and mark starts/ends, walked in order.
    opens: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    for s in sentences:
        opens.setdefault(s["start"], []).append(f'<span class="sent" id="s{s["index"]}">')
        closes.setdefault(s["end"], []).insert(0, "</span>")
    for start, end, cls, tip, href in kept:
        tag = "a" if href and href.startswith("/") else "mark"
        attrs = f' class="{cls}" data-tip="{escape(tip)}" tabindex="0"'
        if tag == "a":
            attrs += f' href="{escape(href)}"'
        opens.setdefault(start, []).append(f"<{tag}{attrs}>")
        closes.setdefault(end, []).insert(0, f"</{tag}>")
    cuts = sorted({0, len(text), *opens, *closes})
    out: list[str] = []
    for i, pos in enumerate(cuts):
        out += closes.get(pos, [])
        out += opens.get(pos, [])
        if i + 1 < len(cuts):
            out.append(str(escape(text[pos : cuts[i + 1]])))
    return Markup("".join(out))
