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

from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from ..events.codes import cameo_roots, plover_types
from ..store import EventFilter, QueryError
from .charts import NETWORK_WORDS, ego_network, palette, stacked_bars
from .filters import filter_from
from .i18n import COOKIE, LANGUAGES, entity_name, label, language
from .render import CERTAINTY_VI, TYPE_VI, code_spans, highlight_article, snippet_html, web_link
from .web_watches import mount_watch_pages

__all__ = ["mount_dashboard"]

_EVENT_FILTERS = EventFilter.names()


def _package_dir(name: str) -> str:
    return str(resources.files("thoisu.api").joinpath(name))


def mount_dashboard(app: FastAPI) -> None:
    """Add the dashboard pages and ``/static`` to ``app`` (made by ``create_app``)."""
    templates = Jinja2Templates(directory=_package_dir("templates"))
    templates.env.globals.update(
        CERTAINTY_VI=CERTAINTY_VI, TYPE_VI=TYPE_VI, ROOTS=cameo_roots(),
        PLOVER_TYPES=sorted(plover_types()), qs=_query_string, LANGUAGES=LANGUAGES,
    )  # fmt: skip
    templates.env.filters["snippet_html"] = snippet_html
    templates.env.filters["code_spans"] = code_spans
    templates.env.filters["web_link"] = web_link
    app.mount("/static", StaticFiles(directory=_package_dir("static")), name="static")
    store = app.state.store

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        lang = language(request)
        context.update(
            lang=lang, writable=app.state.writable,
            t=lambda key, **values: label(key, lang, **values),
            shown_name=lambda entity: entity_name(entity, lang),
        )  # fmt: skip
        return templates.TemplateResponse(request, name, context, status_code=status)

    def guarded(request: Request, name: str, build) -> HTMLResponse:
        """Render ``name`` with ``build()``'s context; bad filters show as a message on the
        page (status 400) instead of failing."""
        try:
            return page(request, name, **build())
        except HTTPException as exc:
            status, message = exc.status_code, str(exc.detail)
        except QueryError as exc:
            status, message = 400, str(exc)
        empty = _empty(name)
        if status == 404 or empty is None:  # a page that cannot show without its data
            return page(request, "error.html", status, message=message, status_code=status)
        return page(request, name, status, error=message, **empty)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/")

    @app.get("/ui/lang", include_in_schema=False)
    def switch_language(to: str = "vi", back: str = "/ui/") -> RedirectResponse:
        """Set the dashboard's language (a cookie) and go back to the page (without a
        ``lang`` parameter, which would override the cookie)."""
        local = back.startswith("/") and not back.startswith("//") and "\\" not in back
        parts = urlsplit(back if local else "/ui/")
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "lang"])
        response = RedirectResponse(parts.path + (f"?{query}" if query else ""), status_code=303)
        if to in LANGUAGES:
            response.set_cookie(COOKIE, to, max_age=365 * 86400, samesite="lax")
        return response

    mount_watch_pages(app, store, page, guarded)

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
        unit: str = "groups",
        cursor: str = "",
        order: str = "newest",
        full_range: str = "",
    ) -> HTMLResponse:
        raw = EventFilter.raw_values(request.query_params)

        def build() -> dict[str, Any]:
            if by not in ("cameo_root", "plover"):
                raise QueryError("by must be cameo_root or plover")
            if order not in ("newest", "oldest"):
                raise QueryError("order must be newest or oldest")
            event_filter = filter_from(raw)
            filters = event_filter.as_kwargs()
            with store() as s:
                counts = _counts(s, by=by, unit=unit, full_range=bool(full_range), **filters)
                items, next_cursor = s.events_page(
                    limit=50, cursor=cursor or None, newest_first=order == "newest",
                    first_reports=unit == "groups", **filters,
                )  # fmt: skip
            labels = _series_labels(by, counts["series"])
            lang = language(request)
            return {
                "filters": raw, "by": by, "unit": unit, "order": order, "items": items,
                "next_cursor": next_cursor, "full_range": full_range,
                "counts": counts, "labels": labels,
                "legend": palette([k for k in counts["series"] if any(counts["series"][k])]),
                "chart": stacked_bars(counts["periods"], counts["series"], labels=labels,
                                      title=label("timeline", lang),
                                      empty=label("no_dated", lang)),
                "csv_url": "/events?" + _query_string(format="csv", limit=1000, order=order,
                                                      **event_filter.as_query()),
                "watch_filters": filters,
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
    def entity_page(request: Request, entity_id: str, unit: str = "groups") -> HTMLResponse:
        def build() -> dict[str, Any]:
            with store() as s:
                entity = s.get_entity(entity_id)
                if entity is None:
                    raise HTTPException(404, f"Không có thực thể {entity_id}")
                timeline = s.entity_timeline(entity_id)
                if len(timeline["periods"]) > _MAX_MONTHS:
                    timeline = s.entity_timeline(entity_id, interval="year")
                events = _counts(s, by="cameo_root", entity=entity_id, unit=unit)
                counterparts = s.counterparts(entity_id, limit=12, unit=unit)
                links = s.counterpart_links([c["entity"] for c in counterparts])
                articles = s.entity_articles(entity_id)[:50]
            labels = _series_labels("cameo_root", events["series"])
            lang = language(request)
            center = {"id": entity_id, "name": entity_name(entity, lang)}
            words = {k: label(f"net.{k}", lang) for k in NETWORK_WORDS}
            return {
                "entity": entity, "timeline": timeline, "events": events, "unit": unit,
                "counterparts": counterparts, "articles": articles,
                "mentions_chart": stacked_bars(
                    timeline["periods"], {"articles": timeline["articles"]},
                    labels={"articles": label("chart.mentioning", lang)},
                    title=label("chart.articles_over_time", lang), width=560, height=200,
                    empty=label("no_dated", lang),
                ),
                "events_chart": stacked_bars(events["periods"], events["series"], labels=labels,
                                             title=label("chart.events_by_root", lang),
                                             width=560, empty=label("no_dated", lang)),
                "labels": labels,
                "legend": palette([k for k in events["series"] if any(events["series"][k])]),
                "network": ego_network(center, counterparts, links, href="/ui/entities/{id}",
                                       words=words),
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


def _empty(template: str) -> dict[str, Any] | None:
    """The context a page needs to render its form and an error message, without data
    (None: the page has no form to show again)."""
    empty_counts = {"periods": [], "series": {}, "undated": 0, "out_of_range": 0, "total": 0,
                    "earlier": 0, "later": 0, "unit": "groups"}  # fmt: skip
    return {
        "search.html": {"q": "", "publisher": "", "category": "", "items": [],
                        "next_cursor": None, "facets": {}, "total": 0},
        "events.html": {"filters": {k: "" for k in _EVENT_FILTERS}, "by": "cameo_root",
                        "items": [], "next_cursor": None, "counts": empty_counts, "labels": {},
                        "legend": {}, "chart": stacked_bars([], {}), "csv_url": "",
                        "watch_filters": {}},
        "entities.html": {"q": "", "type": "", "items": []},
        "watches.html": {"items": [], "next_cursor": None},
        "dyad.html": {"dyad": None, "items": [], "directions": {}, "names": {}},
    }.get(template)  # fmt: skip


def _series_labels(by: str, series: dict[str, Any]) -> dict[str, str]:
    if by == "cameo_root":
        roots = cameo_roots()
        return {
            k: f"{k} {roots.get(k, '')}".strip() if k else "ACE, không mã CAMEO" for k in series
        }
    return {k: k or "(không có PLOVER)" for k in series}


def _query_string(**params: Any) -> str:
    """A URL's query string of the parameters given (empty ones left out)."""
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})
