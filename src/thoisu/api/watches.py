"""Routes of watches (saved event filters and their alerts) and of dyads over time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from ..store import EventFilter, QueryError
from ..store.watches import NAME
from .atom import watch_feed
from .filters import DATE_PATTERN

ATOM_ENTRIES = 50  # occurrences in a watch's Atom feed


class WatchIn(BaseModel):
    """A new watch: its name and the event filters of ``GET /events`` (at least one)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., pattern=NAME.pattern, description="letters, digits, _ or -")
    filters: dict[str, str] = Field(
        ..., description="actor, counterpart, cameo, plover, q, min_certainty, ..."
    )


def watch_routes(store: Callable[..., Any], check_write: Callable[[Request], None]) -> APIRouter:
    """The routes over ``store`` (the app's per-request store context); writes pass
    ``check_write``."""
    router = APIRouter()

    def found(s: Any, name: str) -> dict[str, Any]:
        watch = s.get_watch(name)
        if watch is None:
            raise HTTPException(404, f"no watch {name!r}")
        return watch

    @router.get("/watches", tags=["watches"])
    def list_watches(
        limit: Annotated[int, Query(ge=1, le=500)] = 50, cursor: str | None = None
    ) -> dict[str, Any]:
        """Watches by name with their counts (occurrences, reports, last match), a page at
        a time."""
        with store() as s:
            items, next_cursor = s.watches_page(limit=limit, cursor=cursor)
        return {"items": items, "next_cursor": next_cursor}

    @router.post("/watches", tags=["watches"], status_code=201)
    def add_watch(item: WatchIn, request: Request) -> dict[str, Any]:
        """Save a watch; the facts already stored that it matches are marked at once, and
        every later one as it is stored. 400 for a name in use, an empty filter, an unknown
        code or entity. Needs a writable server."""
        check_write(request)
        try:
            event_filter = EventFilter.from_mapping(item.filters)
            unknown = sorted(set(item.filters) - set(EventFilter.names()) - {"type", "root"})
            if unknown:
                raise QueryError(f"unknown filter {', '.join(unknown)}")
        except QueryError as exc:
            raise HTTPException(400, str(exc)) from exc
        with store(readonly=False) as s:
            return s.add_watch(item.name, event_filter)

    @router.delete("/watches/{name}", tags=["watches"])
    def remove_watch(name: str, request: Request) -> dict[str, Any]:
        """Delete a watch and its matches. Needs a writable server."""
        check_write(request)
        with store(readonly=False) as s:
            if not s.remove_watch(name):
                raise HTTPException(404, f"no watch {name!r}")
        return {"removed": name}

    # Declared before /watches/{name}: that one would take "x.atom" as a name.
    @router.get("/watches/{name}.atom", tags=["watches"], response_class=Response)
    def watch_atom(name: str, request: Request) -> Response:
        """An Atom feed of the watch's latest occurrences (one entry each, the most
        recently matched first): subscribe in any feed reader to be alerted."""
        with store() as s:
            watch = found(s, name)
            events = s.watch_latest(watch["id"], limit=ATOM_ENTRIES)
        body = watch_feed(watch, events, base_url=str(request.base_url))
        return Response(body, media_type="application/atom+xml; charset=utf-8")

    @router.get("/watches/{name}", tags=["watches"])
    def get_watch(name: str) -> dict[str, Any]:
        """One watch: its filters and counts."""
        with store() as s:
            return found(s, name)

    @router.get("/watches/{name}/events", tags=["watches"])
    def watch_events(
        name: str,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        cursor: str | None = None,
        unit: Literal["groups", "mentions"] = "groups",
        since: Annotated[str | None, Query(pattern=DATE_PATTERN)] = None,
    ) -> dict[str, Any]:
        """The facts the watch matched, newest first, a page at a time: one per occurrence
        (its first matching report; ``unit=mentions``: every report)."""
        with store() as s:
            watch = found(s, name)
            items, next_cursor = s.events_page(
                limit=limit, cursor=cursor, newest_first=True, watch=watch["id"],
                first_reports=unit == "groups", since=since,
            )  # fmt: skip
        return {"watch": watch, "items": items, "next_cursor": next_cursor}

    @router.get("/dyads", tags=["events"])
    def dyad(
        a: Annotated[str, Query(min_length=1, description="actor: entity id or CAMEO code")],
        b: Annotated[str, Query(min_length=1, description="the other actor")],
        interval: Literal["year", "month", "week", "day"] = "month",
        unit: Literal["groups", "mentions"] = "groups",
        full_range: bool = False,
        since: Annotated[str | None, Query(pattern=DATE_PATTERN)] = None,
        until: Annotated[str | None, Query(pattern=DATE_PATTERN)] = None,
    ) -> dict[str, Any]:
        """A relationship over time: per period and direction (``a_to_b``: a acts on b;
        ``b_to_a``), the facts by quad class (1 verbal cooperation, 2 material
        cooperation, 3 verbal conflict, 4 material conflict) and their mean Goldstein
        score; occurrences by default (``unit=mentions``: reports)."""
        with store() as s:
            return s.dyad(
                a.strip(), b.strip(), interval=interval, unit=unit, full_range=full_range,
                since=since, until=until,
            )  # fmt: skip

    return router
