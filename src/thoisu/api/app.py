"""The REST API (FastAPI) over a thoisu store, and the app that also serves the dashboard.

Every route answers JSON (``/events`` also CSV). Bad input is a 4xx with
``{"detail": "one line saying what is wrong"}``, never a 500: invalid dates, codes, cursors,
queries, unknown ids, bodies over the size limit. Reads use a read-only store kept open per
server thread (SQLite connections are not shared across threads; see ``store.readers``),
writes a store opened for the request.
"""

from __future__ import annotations

import hmac
import io
import math
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from .. import __version__
from ..limits import time_limit
from ..records import IngestError, RawDocument
from ..store import EventFilter, QueryError, QueryTimeout, Store, StoreError
from ..store.export import write_events_csv
from ..store.readers import Readers
from .filters import DATE_PATTERN, event_filter
from .guards import HostGuard, RequestGuard, request_budget
from .watches import watch_routes

__all__ = ["create_app", "MAX_BODY_BYTES", "ArticleIn"]

# Largest request body accepted (POST /analyze, POST /articles): 5 MB, about a thousand
# long articles. Override with $THOISU_MAX_BODY (bytes) or create_app(max_body=...).
MAX_BODY_BYTES = 5 * 1024 * 1024
MAX_BATCH = 1000  # articles per POST /articles
MAX_URL_BYTES = 8 * 1024  # path and query string; longer gets 414
REQUEST_SECONDS = 10.0  # the time budget of one request's queries
ANALYSIS_WAIT = 5.0  # seconds a request waits for a free analysis slot before its 503
_ISO_DAY = r"^\d{4}-\d{2}-\d{2}"


class ArticleIn(BaseModel):
    """One article to analyse: plain ``text`` (site chrome allowed), ``html``, or the
    structured ``title``/``lead``/``body``; metadata the input itself may lack."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = None
    html: str | None = None
    title: str | None = None
    lead: str | None = None
    body: str | None = None
    author: str | None = None
    url: str | None = None
    publisher: str | None = None
    published: str | None = Field(
        None, pattern=_ISO_DAY, description="ISO 8601 date (YYYY-MM-DD, or a datetime)"
    )
    category: str | None = None

    @field_validator("published")
    @classmethod
    def _real_date(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                date.fromisoformat(value[:10])
            except ValueError:
                raise ValueError(f"{value!r} is not a calendar date") from None
        return value

    @model_validator(mode="after")
    def _has_content(self) -> ArticleIn:
        if not any((self.text, self.html, self.body)):
            raise ValueError("an article needs text, html or body")
        return self

    def raw(self, source: str) -> RawDocument:
        return RawDocument(
            source=source, text=self.text, html=self.html, title=self.title,
            author=self.author, lead=self.lead, body=self.body, url=self.url,
            publisher=self.publisher, published=self.published, category=self.category,
        )  # fmt: skip


class AnalyzeIn(ArticleIn):
    store: bool = Field(False, description="also store the analysis (idempotent)")


class ArticlesIn(BaseModel):
    """A batch of articles. Each is checked on its own (``checked``), so that one bad
    article is reported as failed instead of refusing the batch."""

    model_config = ConfigDict(extra="forbid")
    articles: list[Any] = Field(
        ...,
        min_length=1,
        max_length=MAX_BATCH,
        json_schema_extra={"items": {"$ref": "#/components/schemas/ArticleIn"}},
    )

    def checked(self) -> list[ArticleIn | str]:
        """Each article validated, or the one-line reason it is not valid."""
        out: list[ArticleIn | str] = []
        for item in self.articles:
            if not isinstance(item, dict):
                out.append(f"not a JSON object but {type(item).__name__}")
                continue
            try:
                out.append(ArticleIn.model_validate(item))
            except ValidationError as exc:
                out.append(_one_line(exc))
        return out


def create_app(
    db: str | Path | None = None,
    *,
    max_body: int | None = None,
    dashboard: bool = True,
    writable: bool = False,
    token: str | None = None,
    allowed_hosts: Sequence[str] | None = None,
    any_ip_host: bool = False,
    request_seconds: float | None = None,
    max_analyses: int | None = None,
) -> FastAPI:
    """The thoisu web app over the store at ``db`` (default: ``$THOISU_DB`` or
    ``./thoisu.db``; created when missing). ``dashboard=False`` serves the API only.

    Read-only unless ``writable`` or a ``token`` is given (Datasette's default): storing
    (``POST /articles``, ``POST /analyze`` with ``store``) is refused (403), and with a
    ``token`` it needs ``Authorization: Bearer <token>``. ``allowed_hosts``: the Host header
    names served (against DNS rebinding; None serves any), and with ``any_ip_host`` any IP
    address too. ``request_seconds``: the time
    budget of one request's queries (default ``$THOISU_REQUEST_SECONDS`` or 10 s).
    ``max_analyses``: analyses run at once (default ``$THOISU_MAX_ANALYSES`` or one per
    core); each stops when its client leaves, or at the article time limit.
    """
    from ..store import DEFAULT_DB_PATH

    db_path = str(db or DEFAULT_DB_PATH)
    limit = max_body or _env_int("THOISU_MAX_BODY", MAX_BODY_BYTES)
    seconds = request_seconds or _env_seconds("THOISU_REQUEST_SECONDS", REQUEST_SECONDS)
    with Store(db_path):  # create the file and apply migrations once, up front
        pass
    app = FastAPI(
        # FastAPI's /docs and /redoc load their scripts from a CDN: the dashboard serves
        # its own offline API page at /docs instead (the schema stays at /openapi.json).
        docs_url=None,
        redoc_url=None,
        title="thoisu",
        version=__version__,
        description="Vietnamese news as structured, searchable, verifiable knowledge: "
        "articles, entities, CAMEO/PLOVER events with their sources and certainty.",
    )
    app.state.db_path = db_path
    app.state.max_body = limit
    app.state.writable = writable or bool(token)
    # Outermost first: the guard bounds every request before anything else reads it.
    if allowed_hosts is not None:
        app.add_middleware(HostGuard, names=list(allowed_hosts), any_ip=any_ip_host)
    app.add_middleware(RequestGuard, max_body=limit, max_url=MAX_URL_BYTES, seconds=seconds)

    readers = Readers(db_path)

    @contextmanager
    def store(readonly: bool = True) -> Iterator[Store]:
        try:
            with readers.store() if readonly else Store(db_path) as s:
                budget = request_budget()
                if budget is not None and readonly:  # queries; a write is never cut short
                    s.limit_time(budget.exhausted, budget.seconds)
                yield s
        except QueryTimeout as exc:
            raise HTTPException(503, str(exc)) from exc
        except QueryError as exc:
            raise HTTPException(400, str(exc)) from exc
        except StoreError as exc:
            raise HTTPException(503, str(exc)) from exc

    app.state.store = store
    # Analysis is CPU work that no query budget covers: at most this many at once (the
    # others wait a moment, then get 503), each stopped when its client leaves.
    analyses = threading.BoundedSemaphore(max_analyses or _env_int("THOISU_MAX_ANALYSES", 0)
                                          or os.cpu_count() or 1)  # fmt: skip

    @contextmanager
    def analysis_slot() -> Iterator[None]:
        if not analyses.acquire(timeout=ANALYSIS_WAIT):
            raise HTTPException(
                503, "busy: every analysis slot is taken; retry shortly",
                headers={"Retry-After": "5"},
            )  # fmt: skip
        budget = request_budget()
        gone = (lambda: budget.cancelled) if budget is not None else None
        try:
            with time_limit(stop=gone, reason="its client went away"):
                yield
        finally:
            analyses.release()

    def check_write(request: Request) -> None:
        """A 403 unless this server stores (``--writable``, or the token was sent)."""
        if writable and not token:
            return
        sent = request.headers.get("authorization", "")
        if token and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            return
        if token:
            raise HTTPException(403, "storing needs the server's token: Authorization: Bearer …")
        raise HTTPException(
            403, "this server is read-only: start it with `thoisu serve --writable` to store"
        )

    app.state.check_write = check_write
    app.include_router(watch_routes(store, check_write))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        return JSONResponse({"detail": _one_line(exc)}, status_code=422)

    # -- analyse and ingest --------------------------------------------------------
    @app.post("/analyze", tags=["analysis"])
    def analyze(item: AnalyzeIn, request: Request) -> dict[str, Any]:
        """Analyse one article: the analysis record of ``shared/spec/analysis-json.md``.
        Nothing is stored unless ``store`` is true (on a writable server)."""
        from ..pipeline import analyze_stream

        if item.store:
            check_write(request)
        with analysis_slot():
            result = next(analyze_stream([item.raw("<api>")]))
        if isinstance(result, IngestError):
            raise HTTPException(422, result.reason)
        if item.store:
            with store(readonly=False) as s:
                s.add(result)
        return result.to_dict()

    @app.post("/articles", tags=["analysis"])
    def add_articles(payload: ArticlesIn | ArticleIn, request: Request) -> dict[str, Any]:
        """Analyse and store one article (an article object) or many (``{"articles":
        [...]}``), idempotently: an article already stored is reported as a duplicate. Each
        input gets a result, in order: ``stored``, ``duplicate`` or ``failed`` with the
        reason (an article with an unknown field too); one bad article never stops the
        others. Needs a writable server."""
        from ..pipeline import analyze_stream

        check_write(request)
        checked = payload.checked() if isinstance(payload, ArticlesIn) else [payload]
        results: list[dict[str, Any]] = [
            {"index": i, "status": "failed", "reason": a}
            for i, a in enumerate(checked)
            if isinstance(a, str)
        ]
        good = [(i, a) for i, a in enumerate(checked) if isinstance(a, ArticleIn)]
        raws = [a.raw(f"<api>:{i}") for i, a in good]
        with store(readonly=False) as s, analysis_slot():
            for (i, _), result in zip(good, analyze_stream(raws), strict=True):
                if isinstance(result, IngestError):
                    results.append({"index": i, "status": "failed", "reason": result.reason})
                    continue
                try:
                    added = s.add(result)
                except (StoreError, ValueError) as exc:
                    reason = f"could not be stored: {exc}"
                    results.append({"index": i, "status": "failed", "reason": reason})
                    continue
                results.append(
                    {"index": i, "status": "stored" if added else "duplicate",
                     "id": result.article.id, "title": result.article.title}
                )  # fmt: skip
        results.sort(key=lambda r: r["index"])
        counts = {
            k: sum(r["status"] == k for r in results) for k in ("stored", "duplicate", "failed")
        }
        return {**counts, "results": results}

    # -- articles ------------------------------------------------------------------
    @app.get("/articles", tags=["articles"])
    def list_articles(
        q: Annotated[str | None, Query(description="full-text query, diacritics ignored")] = None,
        publisher: str | None = None,
        category: str | None = None,
        entity: Annotated[str | None, Query(description="entity id, e.g. country:USA")] = None,
        since: Annotated[str | None, Query(pattern=DATE_PATTERN)] = None,
        until: Annotated[str | None, Query(pattern=DATE_PATTERN)] = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 20,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        """Search or list articles, a page at a time: pass ``next_cursor`` back as
        ``cursor`` for the next page. Snippets bracket matches with U+E000 / U+E001."""
        with store() as s:
            items, next_cursor = s.articles_page(
                query=q, publisher=publisher, category=category, entity=entity,
                since=since, until=until, limit=limit, cursor=cursor,
            )  # fmt: skip
        return {"items": items, "next_cursor": next_cursor}

    @app.get("/articles/{article_id}", tags=["articles"])
    def get_article(article_id: str) -> dict[str, Any]:
        """The stored analysis record: article, sentences, entities, events."""
        with store() as s:
            record = s.get_article(article_id)
        if record is None:
            raise HTTPException(404, f"no article {article_id!r}")
        return record

    # -- events --------------------------------------------------------------------
    @app.get("/events", tags=["events"], response_model=None)
    def list_events(
        event_filter: Annotated[EventFilter, Depends(event_filter)],
        format: Literal["json", "csv"] = "json",
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        cursor: str | None = None,
        order: Annotated[
            Literal["newest", "oldest"],
            Query(description="newest first (default) or oldest first; undated events last"),
        ] = "newest",
    ) -> dict[str, Any] | Response:
        """Events matching every filter, newest first (``order=oldest``: oldest first), a
        page at a time (``next_cursor``, valid for the same order); ``format=csv`` gives the
        same page as CSV (the cursor in the ``X-Next-Cursor`` header)."""
        with store() as s:
            items, next_cursor = s.events_page(
                limit=limit,
                cursor=cursor,
                newest_first=order == "newest",
                **event_filter.as_kwargs(),
            )
        if format == "csv":
            headers = {"X-Next-Cursor": next_cursor} if next_cursor else {}
            buf = io.StringIO()
            write_events_csv(buf, items)
            return Response(buf.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
        # The items are plain JSON values already: FastAPI's jsonable_encoder would walk
        # every one of them again (half of this route's time) to produce the same bytes.
        return JSONResponse({"items": items, "next_cursor": next_cursor})

    @app.get("/events/timeline", tags=["events"])
    def events_timeline(
        event_filter: Annotated[EventFilter, Depends(event_filter)],
        by: Literal["cameo_root", "plover", "type", "certainty"] = "cameo_root",
        interval: Literal["year", "month", "week", "day"] = "month",
        unit: Literal["groups", "mentions"] = "groups",
        full_range: Annotated[
            bool, Query(description="chart every date, not the 1st to the 99th percentile")
        ] = False,
    ) -> dict[str, Any]:
        """Event counts per period (``periods``, one count per period in each ``series``),
        stacked by CAMEO root (or PLOVER type, ...), for the filters of ``GET /events``.
        Occurrences by default: each once, however many articles report it
        (``unit=mentions``: every report). The periods run from the 1st to the 99th
        percentile of the dates; ``earlier`` and ``later`` count the events outside."""
        with store() as s:
            return s.event_counts(
                by=by, interval=interval, unit=unit, full_range=full_range,
                **event_filter.as_kwargs(),
            )  # fmt: skip

    # -- entities ------------------------------------------------------------------
    @app.get("/entities", tags=["entities"])
    def list_entities(
        q: Annotated[str | None, Query(description="part of a name, id or code")] = None,
        type: Literal["PER", "ORG", "LOC", "MISC"] | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    ) -> dict[str, Any]:
        """Canonical entities, most widely reported first."""
        with store() as s:
            return {"items": s.entities(query=q, type=type, limit=limit)}

    @app.get("/entities/{entity_id}", tags=["entities"])
    def get_entity(
        entity_id: str,
        interval: Literal["year", "month", "week", "day"] = "month",
        counterparts: Annotated[int, Query(ge=0, le=100)] = 15,
        unit: Literal["groups", "mentions"] = "groups",
    ) -> dict[str, Any]:
        """One entity: its counts, mentions over time, the actors it is most often in
        events with (by direction and event type; each with the URL of their dyad) and its
        articles. Event counts are of occurrences (``unit=mentions``: reports)."""
        with store() as s:
            entity = s.get_entity(entity_id)
            if entity is None:
                raise HTTPException(404, f"no entity {entity_id!r}")
            return {
                **entity,
                "timeline": s.entity_timeline(entity_id, interval=interval),
                "events_by_root": s.event_counts(
                    by="cameo_root", interval=interval, unit=unit, entity=entity_id
                ),
                "counterparts": [
                    {**c, "dyad": "/dyads?" + urlencode({"a": entity_id, "b": c["entity"]})}
                    for c in s.counterparts(entity_id, limit=counterparts, unit=unit)
                ],
                "articles": s.entity_articles(entity_id)[:100],
            }

    # -- stats and health ------------------------------------------------------------
    @app.get("/stats", tags=["stats"])
    def stats(unit: Literal["groups", "mentions"] = "groups") -> dict[str, Any]:
        """Counts: totals; articles per day; facts by CAMEO root, PLOVER type and day, as
        occurrences (``unit=mentions``: reports); events by ACE type and certainty;
        articles by publisher and category."""
        with store() as s:
            return s.stats(unit=unit)

    @app.get("/feeds", tags=["stats"])
    def feeds() -> dict[str, Any]:
        """What ``thoisu follow`` followed: each feed (last checked, last changed, status,
        entries, pages stored and failed) and the 100 most recent page fetches."""
        with store() as s:
            return {"feeds": s.crawl.feeds(), "pages": list(s.crawl.pages(limit=100))}

    @app.get("/health", tags=["stats"])
    def health() -> dict[str, Any]:
        with store() as s:
            return {"status": "ok", "version": __version__, "articles": len(s)}

    if dashboard:
        from .web import mount_dashboard

        mount_dashboard(app)
    else:

        @app.get("/", include_in_schema=False)
        def root() -> RedirectResponse:
            return RedirectResponse("/openapi.json")

    return app


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip().replace("_", "")
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{name} must be a positive integer (bytes or a count), got {value!r}")
    return int(value)


def _env_seconds(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    try:
        seconds = float(value) if value else default
    except ValueError:
        seconds = -1.0
    if not (math.isfinite(seconds) and seconds > 0):
        raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
    return seconds


def _one_line(exc: RequestValidationError | ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(x) for x in err.get("loc", ()) if x != "body")
        parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else err.get("msg", ""))
    return "; ".join(parts) or "invalid request"
