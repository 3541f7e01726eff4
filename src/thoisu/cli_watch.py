"""``thoisu watch``: saved event filters whose new matching facts are marked as they are
stored (by ``ingest``, ``follow``, ``load`` and the API), to list or to follow as a feed."""

from __future__ import annotations

import json
from typing import Any

import click

from .cli_common import DB_HELP, event_filter_of, event_filter_options, open_store
from .cli_render import event_header, event_line


def _store_error(exc: Exception) -> click.ClickException:
    return click.ClickException(str(exc))


@click.group()
def watch() -> None:
    """Watches: saved event filters, with their matches and an Atom feed
    (``thoisu serve``: /watches/NAME.atom)."""


@watch.command("add")
@click.argument("name")
@click.option("--db", help=DB_HELP)
@event_filter_options
def add(name: str, db: str | None, **options: Any) -> None:
    """Save the filters as watch NAME (letters, digits, _ or -). The facts already stored
    that match are marked at once; each new one is marked as it is stored."""
    from .store import StoreError

    event_filter = event_filter_of(options)
    with open_store(db, must_exist=True) as store:
        try:
            made = store.add_watch(name, event_filter)
        except StoreError as exc:
            raise _store_error(exc) from exc
    filters = " ".join(f"{k}={v}" for k, v in made["filters"].items())
    click.echo(
        f"watch {made['name']} ({filters}): {made['occurrences']} occurrences"
        f" ({made['reports']} reports) already stored"
    )


@watch.command("list")
@click.option("--db", help=DB_HELP)
@click.option("--limit", type=click.IntRange(1), default=100, show_default=True)
@click.option("--after", metavar="CURSOR", help="The next page: the cursor a page ends with.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def list_watches(db: str | None, limit: int, after: str | None, fmt: str) -> None:
    """The watches by name, with their counts (a page at a time)."""
    from .store import StoreError

    with open_store(db, readonly=True) as store:
        try:
            items, cursor = store.watches_page(limit=limit, cursor=after)
        except StoreError as exc:
            raise _store_error(exc) from exc
    if fmt == "json":
        click.echo(json.dumps({"items": items, "next_cursor": cursor}, ensure_ascii=False))
        return
    if not items:
        click.echo("no watches (thoisu watch add NAME --actor ...)", err=True)
    for w in items:
        filters = " ".join(f"{k}={v}" for k, v in w["filters"].items())
        click.echo(
            f"{w['name']:24} {w['occurrences']:6} occurrences {w['reports']:6} reports"
            f"  last {w['last_matched_at'] or '-':20}  {filters}"
        )
    if cursor:
        click.echo(f"more: thoisu watch list --after {cursor}", err=True)


@watch.command("rm")
@click.argument("name")
@click.option("--db", help=DB_HELP)
def remove(name: str, db: str | None) -> None:
    """Delete watch NAME and its matches."""
    with open_store(db, must_exist=True) as store:
        if not store.remove_watch(name):
            raise click.ClickException(f"no watch {name!r}")
    click.echo(f"watch {name} removed")


@watch.command("show")
@click.argument("name")
@click.option("--db", help=DB_HELP)
@click.option("--since", metavar="DATE", help="Only facts dated from this day (YYYY[-MM[-DD]]).")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@click.option(
    "--reports", is_flag=True, help="Every matching report (default: one per occurrence)."
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
def show(
    name: str, db: str | None, since: str | None, limit: int, reports: bool, fmt: str, lang: str
) -> None:
    """The facts watch NAME matched, newest first."""
    from .store import StoreError

    with open_store(db, readonly=True) as store:
        found = store.get_watch(name)
        if found is None:
            raise click.ClickException(f"no watch {name!r} (thoisu watch list)")
        try:
            items, _ = store.events_page(
                limit=limit, newest_first=True, watch=found["id"], first_reports=not reports,
                since=since,
            )  # fmt: skip
        except StoreError as exc:
            raise _store_error(exc) from exc
    if fmt == "json":
        click.echo(json.dumps({"watch": found, "items": items}, ensure_ascii=False, indent=2))
        return
    click.echo(
        f"watch {name}: {found['occurrences']} occurrences, {found['reports']} reports", err=True
    )
    if not items:
        click.echo("no matches yet", err=True)
        return
    click.echo(event_header(lang))
    for event in items:
        click.echo(event_line(event, lang))


def print_matches(store: Any, article_id: str, lang: str = "vi") -> None:
    """One line per watch match of a newly stored article (``follow``, ``ingest``)."""
    for match in store.watch_matches_of(article_id):
        click.echo(f"watch {match['watch']}: {event_line(match['event'], lang)}")
