"""Atom feeds (RFC 4287) of a watch's latest occurrences: any feed reader is an alert client.

Built with ElementTree, which escapes markup; characters XML 1.0 cannot carry at all (most
control characters) are dropped first, so that a scraped title never breaks the feed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from typing import Any

ATOM = "http://www.w3.org/2005/Atom"
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: Any) -> str:
    """``value`` as text XML 1.0 can carry: control characters and lone surrogates out."""
    return _NOT_XML.sub("", "" if value is None else str(value))


_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def _stamp(value: str | None, fallback: str) -> str:
    """An RFC 3339 timestamp (Atom's dates): a bare date becomes midnight UTC; anything
    else (a year alone, a date without its zone) gives ``fallback``."""
    value = (value or "").strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value + "T00:00:00Z"
    return value if _RFC3339.fullmatch(value) else fallback


def _tag(*parts: object) -> str:
    """A permanent entry id (RFC 4151 tag URI): the same whatever host name serves it."""
    return "tag:thoisu,2026:" + "/".join(str(p) for p in parts)


def _vietnamese_title(event: Mapping[str, Any]) -> str:
    """Who, the trigger word, whom: the event in the article's own words."""
    parts = [
        (event.get("source") or {}).get("text"),
        (event.get("trigger") or {}).get("text"),
        (event.get("target") or {}).get("text"),
    ]
    return " ".join(p for p in parts if p)


def reports_line(group: Mapping[str, Any] | None) -> str:
    articles = (group or {}).get("articles") or 1
    sources = (group or {}).get("sources") or 1
    return (
        f"reported by {articles} article{'s' if articles != 1 else ''}"
        f" from {sources} source{'s' if sources != 1 else ''}"
    )


def watch_feed(
    watch: Mapping[str, Any], events: Iterable[Mapping[str, Any]], *, base_url: str
) -> bytes:
    """The Atom document of a watch: one entry per occurrence (title in English and
    Vietnamese, the evidence sentence, links to the article page and its evidence)."""
    base = base_url.rstrip("/")
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    events = list(events)
    name = xml_text(watch["name"])

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: xml_text(v) for k, v in attrs.items()})
        if text is not None:
            el.text = xml_text(text)
        return el

    sub(feed, "id", _tag("watch", name))
    sub(feed, "title", f"thoisu watch {name}")
    sub(feed, "subtitle", "filters: " + ", ".join(f"{k}={v}" for k, v in watch["filters"].items()))
    updated = max((e.get("matched_at") or "" for e in events), default="")
    sub(feed, "updated", _stamp(updated, watch["created_at"]))
    sub(feed, "link", rel="self", href=f"{base}/watches/{name}.atom")
    sub(feed, "link", rel="alternate", type="text/html", href=f"{base}/ui/watches/{name}")
    author = sub(feed, "author")
    sub(author, "name", "thoisu")
    for event in events:
        entry = sub(feed, "entry")
        group = event.get("group") or {}
        occurrence = f"group-{group['id']}" if group.get("id") else f"event-{event.get('id')}"
        sub(entry, "id", _tag("watch", name, occurrence))
        english = event.get("en") or " ".join(
            str(x) for x in ("CAMEO", event.get("cameo"), event.get("cameo_label")) if x
        )
        sub(entry, "title", f"{english.strip()} — {_vietnamese_title(event)}")
        sub(entry, "updated", _stamp(event.get("matched_at"), watch["created_at"]))
        published = _stamp((event.get("published") or "")[:10], "")
        if published:
            sub(entry, "published", published)
        page = f"{base}/ui/articles/{event.get('article_id')}"
        sub(
            entry,
            "link",
            rel="alternate",
            type="text/html",
            href=f"{page}#s{event.get('sentence')}",
        )
        day = (
            event.get("effective_date") or event.get("date") or (event.get("published") or "")[:10]
        )
        summary = (
            f"{event.get('sentence_text') or ''}\n\n{english.strip()} ({day or 'undated'};"
            f" {event.get('certainty')}; {reports_line(group)}). Article:"
            f" {event.get('article_title') or event.get('article_id')}"
        )
        sub(entry, "summary", summary, type="text")
        for code in filter(None, (event.get("cameo"), event.get("plover"))):
            sub(entry, "category", term=code)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
