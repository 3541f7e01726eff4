"""What the command line's modules share: the --db option's help, opening the store, and
the event filter options."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

DB_HELP = "SQLite database file (default: $THOISU_DB or ./thoisu.db)."


def default_db() -> str:
    from .store import DEFAULT_DB_PATH

    return str(DEFAULT_DB_PATH)


def open_store(db: str | None, *, readonly: bool = False, must_exist: bool = False):
    """The store at ``db`` (default: $THOISU_DB or ./thoisu.db); a missing database opened
    read-only (or ``must_exist``: a watch on a mistyped path would wait for ever), or one
    that cannot be opened, is one clear error line."""
    from .store import Store, StoreError

    path = db or default_db()
    if (readonly or must_exist) and not Path(path).exists():
        raise click.ClickException(
            f"no database at {path} (run `thoisu ingest` first, or pass --db)"
        )
    try:
        return Store(path, readonly=readonly)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc


def event_filter_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The event filters (:class:`thoisu.store.EventFilter`) as options, for ``events`` and
    ``watch add``: one definition, read back with :func:`event_filter_of`."""
    certainties = click.Choice(["asserted", "reported", "possible", "negated", "question"])
    options = [
        click.option("--actor", metavar="CODE|ID",
                     help="CAMEO actor code (USA also matches USAGOV) or entity id."),
        click.option("--counterpart", metavar="CODE|ID",
                     help="With --actor: the events between the two, either way round."),
        click.option("--source", metavar="CODE|ID", help="Source actor: CAMEO code or entity id."),
        click.option("--target", metavar="CODE|ID", help="Target actor: CAMEO code or entity id."),
        click.option("--location", metavar="CODE|ID", help="Place: CAMEO code or entity id."),
        click.option("--cameo", metavar="CODE",
                     help="CAMEO event code or prefix (19 = all FIGHT codes)."),
        click.option("--plover", metavar="TYPE", help="PLOVER event type, e.g. ASSAULT."),
        click.option("--type", "event_type", metavar="ACE",
                     help="ACE/BKEE event type, e.g. Attack."),
        click.option("--certainty", type=certainties, help="Exactly this certainty."),
        click.option("--min-certainty", type=click.Choice(["asserted", "reported", "possible"]),
                     help="At least this sure: asserted > reported > possible."),
        click.option("--q", "q", metavar="TEXT",
                     help="Words of the article (search syntax, diacritics ignored)."),
        click.option("--since", metavar="DATE", help="From this date (YYYY[-MM[-DD]])."),
        click.option("--until", metavar="DATE", help="Up to this date (YYYY[-MM[-DD]])."),
    ]  # fmt: skip
    for option in reversed(options):
        fn = option(fn)
    return fn


def event_filter_of(options: dict[str, Any]):
    """The checked :class:`~thoisu.store.EventFilter` of the options (a usage error names
    what is wrong); the filter options are taken out of ``options``."""
    from .store import EventFilter, QueryError

    values = {name: options.pop(name, None) for name in EventFilter.names()}
    try:
        return EventFilter.from_mapping(values)
    except QueryError as exc:
        raise click.UsageError(str(exc)) from exc
