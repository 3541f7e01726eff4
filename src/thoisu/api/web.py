"""The dashboard: server-rendered pages (Jinja2) over the same store as the REST API.

Pages (Vietnamese interface, English names for the technical terms CAMEO, PLOVER):
``/ui/`` search, ``/ui/articles/{id}`` an article with its entities and event triggers
highlighted, ``/ui/events`` the events explorer with a timeline, ``/ui/entities`` and
``/ui/entities/{id}`` an actor's timeline, network and articles, ``/ui/feeds`` what
``thoisu follow`` followed and fetched, and when. Every asset is served from
``/static``: nothing is fetched from elsewhere, so the dashboard works offline. Article text
is always escaped (Jinja2 autoescaping; the highlighter escapes every piece it emits).
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from ..events.codes import cameo_roots, plover_types
from ..store import QueryError
from ..store.sql import SNIPPET_MARKS
from .app import check_plover
from .charts import ego_network, palette, stacked_bars

__all__ = ["mount_dashboard", "highlight_article", "web_link"]

CERTAINTY_VI = {
    "asserted": "khẳng định",
    "reported": "được cho là / theo nguồn tin",
    "possible": "có thể",
    "negated": "phủ định / chưa xảy ra",
    "question": "câu hỏi",
}
TYPE_VI = {"PER": "người", "ORG": "tổ chức", "LOC": "địa danh", "MISC": "khác"}
_EVENT_FILTERS = (
    "actor", "counterpart", "source", "target", "location", "cameo", "plover", "certainty",
    "since", "until",
)  # fmt: skip


def _package_dir(name: str) -> str:
    return str(resources.files("thoisu.api").joinpath(name))


def mount_dashboard(app: FastAPI) -> None:
    """Add the dashboard pages and ``/static`` to ``app`` (made by ``create_app``)."""
    templates = Jinja2Templates(directory=_package_dir("templates"))
    templates.env.globals.update(
        CERTAINTY_VI=CERTAINTY_VI, TYPE_VI=TYPE_VI, ROOTS=cameo_roots(),
        PLOVER_TYPES=sorted(plover_types()), qs=_query_string,
    )  # fmt: skip
    templates.env.filters["snippet_html"] = _snippet_html
    templates.env.filters["code_spans"] = _code_spans
    templates.env.filters["web_link"] = web_link
    app.mount("/static", StaticFiles(directory=_package_dir("static")), name="static")
    store = app.state.store

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, context, status_code=status)

    def guarded(request: Request, name: str, build) -> HTMLResponse:
        """Render ``name`` with ``build()``'s context; bad filters show as a message on the
        page (status 400) instead of failing."""
        try:
            return page(request, name, **build())
        except HTTPException as exc:
            if exc.status_code == 404:
                return page(request, "error.html", 404, message=exc.detail)
            return page(request, name, exc.status_code, error=exc.detail, **_empty(name))
        except QueryError as exc:
            return page(request, name, 400, error=str(exc), **_empty(name))

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(_package_dir("static/favicon.svg"), media_type="image/svg+xml")

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def api_docs(request: Request) -> HTMLResponse:
        """The REST API from its OpenAPI schema, as one offline page."""
        schema = app.openapi()
        routes = [
            {"path": path, "method": method.upper(), "op": op, "body": _body_models(op)}
            for path, ops in schema["paths"].items()
            for method, op in ops.items()
        ]
        return page(request, "api.html", schema=schema, routes=routes)

    @app.get("/ui/", response_class=HTMLResponse, include_in_schema=False)
    def search_page(
        request: Request,
        q: str = "",
        publisher: str = "",
        category: str = "",
        cursor: str = "",
    ) -> HTMLResponse:
        def build() -> dict[str, Any]:
            with store() as s:
                items, next_cursor = s.articles_page(
                    query=q or None, publisher=publisher or None, category=category or None,
                    limit=20, cursor=cursor or None,
                )  # fmt: skip
                facets = s.facets(q or None)
                total = s.count_articles(
                    query=q or None, publisher=publisher or None, category=category or None
                )
            return {
                "q": q, "publisher": publisher, "category": category, "items": items,
                "next_cursor": next_cursor, "facets": facets, "total": total,
            }  # fmt: skip

        return guarded(request, "search.html", build)

    @app.get("/ui/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(request: Request, article_id: str) -> HTMLResponse:
        def build() -> dict[str, Any]:
            with store() as s:
                record = s.get_article(article_id)
            if record is None:
                raise HTTPException(404, f"Không có bài báo {article_id}")
            return {
                "record": record,
                "text_html": highlight_article(record),
            }

        return guarded(request, "article.html", build)

    @app.get("/ui/events", response_class=HTMLResponse, include_in_schema=False)
    def events_page(
        request: Request,
        by: str = "cameo_root",
        unit: str = "mentions",
        cursor: str = "",
        order: str = "newest",
    ) -> HTMLResponse:
        raw = {k: request.query_params.get(k, "").strip() for k in _EVENT_FILTERS}
        filters = {k: v or None for k, v in raw.items()}

        def build() -> dict[str, Any]:
            if by not in ("cameo_root", "plover"):
                raise QueryError("by must be cameo_root or plover")
            if order not in ("newest", "oldest"):
                raise QueryError("order must be newest or oldest")
            check_plover(filters["plover"])
            with store() as s:
                counts = _counts(s, by=by, unit=unit, **filters)
                items, next_cursor = s.events_page(limit=50, cursor=cursor or None,
                                                   newest_first=order == "newest", **filters)  # fmt: skip
            labels = _series_labels(by, counts["series"])
            return {
                "filters": raw, "by": by, "unit": unit, "order": order, "items": items,
                "next_cursor": next_cursor,
                "counts": counts, "labels": labels,
                "legend": palette([k for k in counts["series"] if any(counts["series"][k])]),
                "chart": stacked_bars(counts["periods"], counts["series"], labels=labels,
                                      title="Số sự kiện theo thời gian"),
                "csv_url": "/events?" + _query_string(format="csv", limit=1000, order=order,
                                                      **filters),
            }  # fmt: skip

        return guarded(request, "events.html", build)

    @app.get("/ui/entities", response_class=HTMLResponse, include_in_schema=False)
    def entities_page(request: Request, q: str = "", type: str = "") -> HTMLResponse:
        def build() -> dict[str, Any]:
            with store() as s:
                rows = s.entities(query=q or None, type=type or None, limit=100)
            return {"q": q, "type": type, "items": rows}

        return guarded(request, "entities.html", build)

    @app.get("/ui/feeds", response_class=HTMLResponse, include_in_schema=False)
    def feeds_page(request: Request, status: str = "") -> HTMLResponse:
        def build() -> dict[str, Any]:
            with store() as s:
                feeds = s.crawl.feeds()
                pages = list(s.crawl.pages(status=status or None, limit=100))
            return {"feeds": feeds, "pages": pages, "only": status}

        return guarded(request, "feeds.html", build)

    @app.get("/ui/entities/{entity_id}", response_class=HTMLResponse, include_in_schema=False)
    def entity_page(request: Request, entity_id: str) -> HTMLResponse:
        def build() -> dict[str, Any]:
            with store() as s:
                entity = s.get_entity(entity_id)
                if entity is None:
                    raise HTTPException(404, f"Không có thực thể {entity_id}")
                timeline = s.entity_timeline(entity_id)
                if len(timeline["periods"]) > _MAX_MONTHS:
                    timeline = s.entity_timeline(entity_id, interval="year")
                events = _counts(s, by="cameo_root", entity=entity_id)
                counterparts = s.counterparts(entity_id, limit=12)
                links = s.counterpart_links([c["entity"] for c in counterparts])
                articles = s.entity_articles(entity_id)[:50]
            labels = _series_labels("cameo_root", events["series"])
            center = {"id": entity_id, "name": entity.get("name_vi") or entity["name"]}
            return {
                "entity": entity, "timeline": timeline, "events": events,
                "counterparts": counterparts, "articles": articles,
                "mentions_chart": stacked_bars(
                    timeline["periods"], {"articles": timeline["articles"]},
                    labels={"articles": "bài báo nhắc đến"}, title="Số bài báo theo thời gian",
                    width=560, height=200,
                ),
                "events_chart": stacked_bars(events["periods"], events["series"], labels=labels,
                                             title="Sự kiện theo thời gian, theo gốc CAMEO",
                                             width=560),
                "labels": labels,
                "legend": palette([k for k in events["series"] if any(events["series"][k])]),
                "network": ego_network(center, counterparts, links, href="/ui/entities/{id}"),
            }  # fmt: skip

        return guarded(request, "entity.html", build)


# A timeline of more months than this is drawn by year.
_MAX_MONTHS = 48


def _counts(s: Any, **filters: Any) -> dict[str, Any]:
    """Event counts by month, or by year when the months would be too many to read."""
    counts = s.event_counts(interval="month", **filters)
    if len(counts["periods"]) > _MAX_MONTHS:
        counts = s.event_counts(interval="year", **filters)
    return counts


def _body_models(operation: dict[str, Any]) -> list[str]:
    """Names of the models an operation's JSON body may be (one, or several alternatives)."""
    content = operation.get("requestBody", {}).get("content", {})
    body = content.get("application/json", {}).get("schema", {})
    refs = [body, *body.get("anyOf", []), *body.get("oneOf", [])]
    return [r["$ref"].rsplit("/", 1)[-1] for r in refs if "$ref" in r]


def _empty(template: str) -> dict[str, Any]:
    """The context a page needs to render its form and an error message, without data."""
    empty_counts = {"periods": [], "series": {}, "undated": 0, "out_of_range": 0, "total": 0}
    return {
        "search.html": {"q": "", "publisher": "", "category": "", "items": [],
                        "next_cursor": None, "facets": {}, "total": 0},
        "events.html": {"filters": {k: "" for k in _EVENT_FILTERS}, "by": "cameo_root",
                        "items": [], "next_cursor": None, "counts": empty_counts, "labels": {},
                        "legend": {}, "chart": stacked_bars([], {}), "csv_url": ""},
        "entities.html": {"q": "", "type": "", "items": []},
    }.get(template, {})  # fmt: skip


def _series_labels(by: str, series: dict[str, Any]) -> dict[str, str]:
    if by == "cameo_root":
        roots = cameo_roots()
        return {
            k: f"{k} {roots.get(k, '')}".strip() if k else "ACE, không mã CAMEO" for k in series
        }
    return {k: k or "(không có PLOVER)" for k in series}


def _query_string(**params: Any) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


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


def _code_spans(text: str) -> Markup:
    """Docstring text as HTML: escaped, ``literals`` in ``<code>``."""
    return Markup(re.sub(r"``(.+?)``", r"<code>\1</code>", str(escape(text))))


def _snippet_html(text: str) -> Markup:
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
