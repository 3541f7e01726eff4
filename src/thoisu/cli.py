"""Command-line interface: a thin click layer over the library (pipeline, ingest, store)."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .cli_common import DB_HELP, default_db, event_filter_of, event_filter_options, open_store
from .cli_follow import follow, make_client, politeness_options
from .cli_render import event_header, event_line, render_summary
from .cli_scale import check_engine, engine_options, ingest_with_dask, load
from .cli_watch import watch
from .records import IngestError


def _fail(message: str) -> None:
    click.echo(f"thoisu: error: {message}", err=True)


def _check_date(value: str | None, name: str) -> str | None:
    from datetime import date

    if value is None:
        return None
    try:
        date.fromisoformat(value[:10])
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO date (YYYY-MM-DD)", param_hint=name
        ) from None
    return value


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="thoisu")
def main() -> None:
    """thoisu: Vietnamese news -> entities, CAMEO/PLOVER events, sources and certainty."""
    from .limits import current_limits

    try:
        current_limits()  # a bad THOISU_MAX_* setting is one clear line, not a traceback
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


# --- analyze -------------------------------------------------------------------------
@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "jsonl"]),
    default="text",
    show_default=True,
    help="Readable summary, the JSON analysis record, or one record per line.",
)
@click.option("--published", help="Publication date (YYYY-MM-DD) for inputs that carry none.")
def analyze(inputs: tuple[str, ...], fmt: str, published: str | None) -> None:
    """Analyse articles: FILE, DIRECTORY, corpus (.jsonl[.gz]), feed, WARC, or - for stdin.

    One input gives one JSON object with --format json; several give a JSON array.
    """
    from .ingest import read_paths
    from .pipeline import analyze_stream

    _check_date(published, "--published")
    failures = 0
    results: list[dict[str, Any]] = []
    for item in analyze_stream(read_paths(inputs), published=published):
        if isinstance(item, IngestError):
            failures += 1
            _fail(str(item))
            continue
        if fmt == "jsonl":
            click.echo(json.dumps(item.to_dict(), ensure_ascii=False))
        elif fmt == "json":
            results.append(item.to_dict())
        else:
            click.echo(render_summary(item))
    if fmt == "json" and (results or not failures):
        single = len(results) == 1 and len(inputs) == 1 and not _is_multi(inputs[0])
        click.echo(json.dumps(results[0] if single else results, ensure_ascii=False, indent=2))
    if failures:
        sys.exit(1)


def _is_multi(path: str) -> bool:
    p = Path(path)
    return p.is_dir() or any(
        s in p.name for s in (".jsonl", ".ndjson", ".warc", ".xml", ".rss", ".atom")
    )


main.add_command(follow)
main.add_command(load)


# --- ingest --------------------------------------------------------------------------
@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--db", help=DB_HELP)
@click.option("--published", help="Publication date (YYYY-MM-DD) for inputs that carry none.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes for the analysis (default: up to 4, one per core, for inputs of "
    "more than 50 articles; one writer stores the results).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@engine_options
@politeness_options
def ingest(
    paths: tuple[str, ...],
    db: str | None,
    published: str | None,
    jobs: int | None,
    quiet: bool,
    engine: str,
    scheduler: str | None,
    workers: int,
    partition_size: int | None,
    out: str | None,
    **polite: Any,
) -> None:
    """Analyse articles and store them (idempotent: an article already stored is skipped).

    PATHS are files, directories, corpora (.jsonl[.gz]), feeds, WARCs, - for stdin, or
    http(s) URLs of article pages, fetched politely (see the options; feeds by URL are
    for `thoisu follow`)."""
    from .batch import ingest_items, ingest_paths

    _check_date(published, "--published")
    urls = [p for p in paths if _is_url(p)]
    check_engine(engine, {"scheduler": scheduler, "out": out, "partition_size": partition_size},
                 urls)  # fmt: skip
    if engine == "dask":
        options = {"out": out, "scheduler": scheduler, "workers": workers,
                   "partition_size": partition_size, "published": published,
                   "progress": not quiet}  # fmt: skip
        _ingest_dask(paths, db, options)
        return
    store = open_store(db)
    with store:
        if urls:
            report = ingest_items(
                store, _with_pages(store, [p for p in paths if p not in urls], urls, polite),
                published=published, jobs=jobs or 1, progress=not quiet,
            )  # fmt: skip
        else:
            report = ingest_paths(store, paths, published=published, jobs=jobs, progress=not quiet)
    _report(report)


def _ingest_dask(paths: tuple[str, ...], db: str | None, options: dict[str, Any]) -> None:
    if options["out"]:
        _report(ingest_with_dask(paths, None, options))
        return
    with open_store(db) as store:
        _report(ingest_with_dask(paths, store, options))


def _report(report: Any) -> None:
    for failure in report.failures:
        _fail(str(failure))
    if report.failed > len(report.failures):
        _fail(f"... and {report.failed - len(report.failures):,} more failures not listed")
    for warning in report.warnings:
        click.echo(f"thoisu: {warning}", err=True)
    click.echo(report.summary(), err=True)
    if report.interrupted:
        sys.exit(130)
    if report.failed:
        sys.exit(1)


def _is_url(value: str) -> bool:
    from .follow import is_web_url

    return "://" in value and is_web_url(value)


def _with_pages(store: Any, paths: list[str], urls: list[str], polite: dict[str, Any]):
    """Local inputs, then the fetched pages of ``urls``."""
    from .follow import fetch_pages
    from .ingest import read_paths

    if paths:
        yield from read_paths(paths)
    with make_client(**polite) as client:
        yield from fetch_pages(client, urls, store)


# --- search / events / entities / export / stats --------------------------------------
@main.command()
@click.argument("query")
@click.option("--db", help=DB_HELP)
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def search(query: str, db: str | None, limit: int, offset: int, fmt: str) -> None:
    """Full-text search; ignores diacritics ("huan luyen" finds "huấn luyện"), exact matches first."""
    from .store import StoreError

    with open_store(db, readonly=True) as store:
        try:
            hits = store.search(query, limit=limit, offset=offset)
            total = store.count_articles(query=query)
        except StoreError as exc:
            raise click.ClickException(str(exc)) from exc
    if fmt == "json":
        click.echo(
            json.dumps(
                [dataclasses.asdict(h) for h in hits],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if not hits:
        click.echo("no match", err=True)
        return
    click.echo(f"{total:,} articles match; {offset + 1}-{offset + len(hits)}, best first:")
    for h in hits:
        click.echo(
            f"{h.article_id}  {h.published or '':10}  {h.publisher or '':12}  {h.title or ''}"
        )
        click.echo(f"    {h.snippet}")


@main.command()
@click.option("--db", help=DB_HELP)
@event_filter_options
@click.option("--oldest-first", is_flag=True, help="Oldest first (default: newest first).")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True
)
@click.option(
    "--lang",
    type=click.Choice(["vi", "en"]),
    default="vi",
    show_default=True,
    help="Text output: the Vietnamese actors and trigger, or one English line per event.",
)
def events(
    db: str | None, fmt: str, limit: int, oldest_first: bool, lang: str, **options: Any
) -> None:
    """List stored events, newest first (undated ones last), with filters.

    The date is the event's own when its sentence gives one, else the article's
    publication date; "22/07 (no year)" is a day the text gives without a year. An event
    reported in several articles shows "x3 articles" (its group: see the README).
    """
    from .store import StoreError
    from .store.export import write_events_csv

    event_filter = event_filter_of(options)
    with open_store(db, readonly=True) as store:
        try:
            rows = store.events(
                limit=limit, newest_first=not oldest_first, **event_filter.as_kwargs()
            )
        except StoreError as exc:
            raise click.ClickException(str(exc)) from exc
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        write_events_csv(sys.stdout, rows)
        return
    if not rows:
        click.echo("no events match", err=True)
        return
    click.echo(event_header(lang))
    for r in rows:
        click.echo(event_line(r, lang))


@main.command()
@click.option("--db", help=DB_HELP)
@click.option("--query", "-q", help="Filter by name (diacritics ignored).")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def entities(db: str | None, query: str | None, limit: int, fmt: str) -> None:
    """List canonical entities by number of articles."""
    with open_store(db, readonly=True) as store:
        rows = store.entities(limit=limit, query=query)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("no entity matches", err=True)
        return
    click.echo(f"{'ARTICLES':>8}  {'TYPE':4} {'CODE':8} {'ID':40} NAME")
    for r in rows:
        click.echo(
            f"{r['article_count']:8}  {r['type']:4} {r['code'] or '':8} {r['id']:40} {r['name']}"
        )


@main.command()
@click.option("--db", help=DB_HELP)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "parquet", "gdelt"]),
    required=True,
    help="jsonl: analysis records; parquet: one row per event; gdelt: GDELT 2.0 Event table (TSV).",
)
@click.option("--output", "-o", help="Output file (default: stdout; required for parquet).")
def export(db: str | None, fmt: str, output: str | None) -> None:
    """Export stored articles or events."""
    if fmt == "parquet" and not output:
        raise click.UsageError("--format parquet needs --output FILE")
    with open_store(db, readonly=True) as store:
        written = store.export(output or sys.stdout, fmt)
    click.echo(f"{written} rows written" + (f" to {output}" if output else ""), err=True)


@main.command()
@click.option("--db", help=DB_HELP)
@click.option(
    "--unit",
    type=click.Choice(["groups", "mentions"]),
    default="groups",
    show_default=True,
    help="Count facts as occurrences (groups) or as reports (mentions).",
)
def stats(db: str | None, unit: str) -> None:
    """Counts of articles, events and entities, by publisher, category and CAMEO root."""
    with open_store(db, readonly=True) as store:
        click.echo(json.dumps(store.stats(unit=unit), ensure_ascii=False, indent=2))


# --- serve ---------------------------------------------------------------------------
@main.command()
@click.option("--db", help=DB_HELP + " Created when missing.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--max-body",
    type=click.IntRange(1024),
    help="Largest request body in bytes (default: $THOISU_MAX_BODY or 5 MB).",
)
@click.option(
    "--writable",
    is_flag=True,
    help="Let clients store articles (POST /articles, POST /analyze with store). Read-only "
    "by default.",
)
@click.option(
    "--token",
    envvar="THOISU_TOKEN",
    help="With --writable: storing needs 'Authorization: Bearer TOKEN' (default: $THOISU_TOKEN).",
)
@click.option(
    "--allow-host",
    "allow_hosts",
    multiple=True,
    help="A host name to serve besides the listening address (repeatable), e.g. the "
    "name of a reverse proxy; '*' serves any (no DNS-rebinding check).",
)
def serve(
    db: str | None,
    host: str,
    port: int,
    max_body: int | None,
    writable: bool,
    token: str | None,
    allow_hosts: tuple[str, ...],
) -> None:
    """Serve the dashboard (/ui/) and the REST API (/docs, /openapi.json) on the store.

    Read-only unless --writable or --token. Requests whose Host header is not this
    server's are refused (against DNS rebinding): the listening address and, on a loopback
    address, localhost; add names with --allow-host.
    """
    import uvicorn

    from .api import create_app
    from .store import StoreError

    path = db or default_db()
    names, any_ip = served_hosts(host, allow_hosts)
    try:
        app = create_app(
            path, max_body=max_body, writable=writable, token=token,
            allowed_hosts=names, any_ip_host=any_ip,
        )  # fmt: skip
    except (StoreError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    mode = "writable with a token" if token else "writable" if writable else "read-only"
    if names is None:
        click.echo("thoisu: any Host header is served (--allow-host '*')", err=True)
    click.echo(
        f"thoisu: serving {path} ({mode}) at http://{host}:{port}/ui/ (API docs: /docs)", err=True
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", **SERVE_OPTIONS)


# uvicorn settings of `thoisu serve`: room for a long URL to reach the app and get its 414
# (instead of a reset connection), and a bounded wait for requests in flight at shutdown.
SERVE_OPTIONS: dict[str, Any] = {
    "h11_max_incomplete_event_size": 1024 * 1024,
    "timeout_graceful_shutdown": 5,
}
_LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


def served_hosts(host: str, extra: tuple[str, ...] = ()) -> tuple[list[str] | None, bool]:
    """The Host header names to serve when listening on ``host``, and whether any IP
    address is served too: the listening address (and, on loopback, localhost) plus the
    ``--allow-host`` names; on a wildcard address any IP address and those names, never
    another domain name (DNS rebinding needs one). ``*`` among the names: no check."""
    if "*" in extra:
        return None, False
    if host in ("0.0.0.0", "::", ""):
        return sorted({*_LOOPBACK, *extra}), True
    names = [host, f"[{host}]" if ":" in host else host]
    if host in _LOOPBACK or host.startswith("127."):
        names += _LOOPBACK
    return sorted({*names, *extra}), False


main.add_command(watch)

if __name__ == "__main__":  # pragma: no cover
    main()
