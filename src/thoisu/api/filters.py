"""The request side of the event filters, shared by the JSON API and the dashboard.

:class:`~thoisu.store.filters.EventFilter` is the one definition of the filters; this module
reads it from a request (a FastAPI dependency, so that the filters are in the OpenAPI
schema) and turns a bad value into a 400 with one line saying what is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from fastapi import HTTPException, Query

from ..store import EventFilter, QueryError

DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
Certainty = Literal["asserted", "reported", "possible", "negated", "question"]
CertaintyLevel = Literal["asserted", "reported", "possible"]


def filter_from(params: Mapping[str, Any]) -> EventFilter:
    """The checked filter of a mapping of parameters (a 400 when one is wrong)."""
    try:
        return EventFilter.from_mapping(params)
    except QueryError as exc:
        raise HTTPException(400, str(exc)) from exc


def event_filter(
    actor: Annotated[str | None, Query(description="actor code (USA, USAGOV) or entity id")] = None,
    counterpart: Annotated[
        str | None, Query(description="with actor: events between the two, either way")
    ] = None,
    source: str | None = None,
    target: str | None = None,
    location: Annotated[str | None, Query(description="place code or entity id")] = None,
    cameo: Annotated[str | None, Query(description="CAMEO code or prefix: 19, 190, 0231")] = None,
    root: Annotated[str | None, Query(pattern=r"^\d{2}$", description="CAMEO root, 01-20")] = None,
    plover: Annotated[str | None, Query(description="PLOVER type, e.g. ASSAULT")] = None,
    type: Annotated[str | None, Query(description="ACE/BKEE type, e.g. Attack")] = None,
    certainty: Certainty | None = None,
    min_certainty: Annotated[
        CertaintyLevel | None,
        Query(description="at least this sure: asserted > reported > possible"),
    ] = None,
    q: Annotated[str | None, Query(description="words of the article, diacritics ignored")] = None,
    since: Annotated[str | None, Query(pattern=DATE_PATTERN)] = None,
    until: Annotated[str | None, Query(pattern=DATE_PATTERN)] = None,
    entity: Annotated[
        str | None, Query(description="an entity in any role: source, target, place, speaker")
    ] = None,
    group: Annotated[
        int | None,
        Query(ge=1, le=2**62, description="the reports of one occurrence (its group id)"),
    ] = None,
) -> EventFilter:
    """The event filters of ``GET /events``, ``/events/timeline`` and ``POST /watches``."""
    if cameo and root:
        raise HTTPException(400, "give cameo or root, not both")
    return filter_from(
        {
            "actor": actor,
            "counterpart": counterpart,
            "source": source,
            "target": target,
            "location": location,
            "cameo": cameo or root,
            "plover": plover,
            "type": type,
            "certainty": certainty,
            "min_certainty": min_certainty,
            "q": q,
            "since": since,
            "until": until,
            "group": group,
        }  # fmt: skip
    )
