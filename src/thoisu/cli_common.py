"""What the command line's modules share: the --db option's help and opening the store."""

from __future__ import annotations

from pathlib import Path

import click

DB_HELP = "SQLite database file (default: $THOISU_DB or ./thoisu.db)."


def default_db() -> str:
    from .store import DEFAULT_DB_PATH

    return str(DEFAULT_DB_PATH)


def open_store(db: str | None, *, readonly: bool = False):
    """The store at ``db`` (default: $THOISU_DB or ./thoisu.db); a missing database opened
    read-only, or one that cannot be opened, is one clear error line."""
    from .store import Store, StoreError

    path = db or default_db()
    if readonly and not Path(path).exists():
        raise click.ClickException(
            f"no database at {path} (run `thoisu ingest` first, or pass --db)"
        )
    try:
        return Store(path, readonly=readonly)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
