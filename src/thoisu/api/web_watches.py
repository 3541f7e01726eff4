"""Dashboard pages of watches (saved filters, their matches and Atom feeds) and of dyads
(a relationship over time)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ..store import EventFilter, QueryError
from ..store.dyads import QUAD_CLASSES
from .charts import score_lines, stacked_bars
from .filters import filter_from
from .i18n import label, language

QUAD_COLOURS = {"1": "#88CCEE", "2": "#117733", "3": "#E69F00", "4": "#CC3311"}
DIRECTION_COLOURS = {"a_to_b": "#0072B2", "b_to_a": "#D55E00"}
MAX_FORM_BYTES = 16 * 1024


def _same_origin(request: Request) -> None:
    """A 403 for a form posted from another site (a page elsewhere cannot make a local
    writable server create or remove watches). Browsers say where a request comes from in
    ``Sec-Fetch-Site``; older ones in ``Origin`` ("null" under this dashboard's
    ``no-referrer`` policy, so it is only trusted when it names a host)."""
    site = request.headers.get("sec-fetch-site")
    origin = request.headers.get("origin")
    if site is not None:
        allowed = site in ("same-origin", "none")
    elif origin is not None:
        allowed = urlsplit(origin).netloc == request.headers.get("host", "")
    else:
        allowed = True  # not a browser: scripts may use the JSON API as well
    if not allowed:
        raise HTTPException(403, "forms are accepted only from this dashboard's own pages")


async def _form(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise HTTPException(413, "form too large")
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=False))


def mount_watch_pages(
    app: FastAPI, store: Callable[..., Any], page: Callable[..., HTMLResponse], guarded: Callable
) -> None:
    """Add ``/ui/watches``, ``/ui/watches/{name}`` and ``/ui/dyads`` to the dashboard."""

    @app.get("/ui/watches", response_class=HTMLResponse, include_in_schema=False)
    def watches_page(request: Request, cursor: str = "") -> HTMLResponse:
        def build() -> dict[str, Any]:
            with store() as s:
                items, next_cursor = s.watches_page(limit=50, cursor=cursor or None)
            return {"items": items, "next_cursor": next_cursor}

        return guarded(request, "watches.html", build)

    @app.post("/ui/watches", response_model=None, include_in_schema=False)
    async def create_watch(request: Request) -> HTMLResponse | RedirectResponse:
        """The explorer's "watch these filters" form: name plus the current filters."""
        _same_origin(request)
        app.state.check_write(request)
        form = await _form(request)
        name = form.pop("name", "").strip()
        try:
            event_filter = EventFilter.from_mapping(form)
            with store(readonly=False) as s:
                s.add_watch(name, event_filter)
        except (QueryError, HTTPException) as exc:
            message = exc.detail if isinstance(exc, HTTPException) else str(exc)
            with store() as s:
                items, next_cursor = s.watches_page(limit=50)
            return page(request, "watches.html", 400, error=message, items=items,
                        next_cursor=next_cursor)  # fmt: skip
        return RedirectResponse(f"/ui/watches/{name}", status_code=303)

    @app.post("/ui/watches/{name}/remove", include_in_schema=False)
    def remove_watch(request: Request, name: str) -> RedirectResponse:
        _same_origin(request)
        app.state.check_write(request)
        with store(readonly=False) as s:
            s.remove_watch(name)
        return RedirectResponse("/ui/watches", status_code=303)

    @app.get("/ui/watches/{name}", response_class=HTMLResponse, include_in_schema=False)
    def watch_page(request: Request, name: str, cursor: str = "") -> HTMLResponse:
        def build() -> dict[str, Any]:
            with store() as s:
                watch = s.get_watch(name)
                if watch is None:
                    raise HTTPException(404, f"Không có cảnh báo {name}")
                items, next_cursor = s.events_page(
                    limit=50, cursor=cursor or None, newest_first=True, watch=watch["id"],
                    first_reports=True,
                )  # fmt: skip
            return {"watch": watch, "items": items, "next_cursor": next_cursor}

        return guarded(request, "watch.html", build)

    @app.get("/ui/dyads", response_class=HTMLResponse, include_in_schema=False)
    def dyad_page(
        request: Request,
        a: str = "",
        b: str = "",
        interval: str = "month",
        unit: str = "groups",
        full_range: str = "",
        cursor: str = "",
    ) -> HTMLResponse:
        lang = language(request)

        def build() -> dict[str, Any]:
            if not a.strip() or not b.strip():
                return _empty_dyad(a, b, interval, unit)
            pair = filter_from({"actor": a, "counterpart": b}).as_kwargs()
            with store() as s:
                dyad = s.dyad(a.strip(), b.strip(), interval=interval, unit=unit,
                              full_range=bool(full_range))  # fmt: skip
                items, next_cursor = s.events_page(  # the facts the charts count
                    limit=50, cursor=cursor or None, newest_first=True, pair_on_location=False,
                    facts_only=True, first_reports=unit == "groups", **pair,
                )  # fmt: skip
                names = {
                    side: (s.get_entity(value) or {}).get("name") or value
                    for side, value in (("a", a.strip()), ("b", b.strip()))
                }
            return {
                **_dyad_charts(dyad, names, lang), "dyad": dyad, "names": names, "a": a,
                "b": b, "interval": interval, "unit": unit, "items": items,
                "next_cursor": next_cursor, "full_range": full_range,
            }  # fmt: skip

        return guarded(request, "dyad.html", build)


def _dyad_charts(dyad: dict[str, Any], names: dict[str, str], lang: str) -> dict[str, Any]:
    """Two stacked charts (one per direction, by quad class) and the Goldstein lines."""
    quad_labels = {str(q): label(f"quad.{q}", lang) for q in QUAD_CLASSES}
    charts = {}
    for direction, (one, other) in (("a_to_b", ("a", "b")), ("b_to_a", ("b", "a"))):
        title = f"{names[one]} → {names[other]}"
        charts[direction] = {
            "title": title,
            "total": dyad[direction]["total"],
            "chart": stacked_bars(
                dyad["periods"], dyad[direction]["quad_classes"], labels=quad_labels,
                title=title, colours=QUAD_COLOURS, height=200, empty=label("no_dated", lang),
            ),
        }  # fmt: skip
    lines = {
        f"{names['a']} → {names['b']}": dyad["a_to_b"]["goldstein"],
        f"{names['b']} → {names['a']}": dyad["b_to_a"]["goldstein"],
    }
    colours = dict(zip(lines, DIRECTION_COLOURS.values(), strict=True))
    return {
        "directions": charts,
        "quad_labels": quad_labels,
        "quad_colours": QUAD_COLOURS,
        "line_colours": colours,
        "goldstein_chart": score_lines(
            dyad["periods"], lines, colours=colours, title=label("dyad.goldstein", lang)
        ),
    }


def _empty_dyad(a: str, b: str, interval: str, unit: str) -> dict[str, Any]:
    return {"dyad": None, "a": a, "b": b, "interval": interval, "unit": unit, "items": [],
            "next_cursor": None, "directions": {}, "names": {}, "full_range": ""}  # fmt: skip
