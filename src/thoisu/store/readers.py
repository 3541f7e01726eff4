"""Read-only stores kept open between uses, one per thread (for the web app's requests).

Opening a store per request cost as much as a small query: the connection, its functions
and schema check, then SQLite reading the schema and preparing each statement anew.
:class:`Readers` keeps each thread's read-only store open while the database is the same:
it is opened again when the file was deleted or replaced, or written to by any connection
(``PRAGMA data_version``), so that a kept store reads what a new one would, schema check
included.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import schema
from .core import Store
from .errors import StoreError

__all__ = ["Readers"]


class _Kept(threading.local):
    store: Store | None = None
    state: tuple[int, int, int] | None = None  # device, inode, data_version when checked
    busy: bool = False


class Readers:
    """Read-only :class:`Store` s of the database at ``path``, one kept open per thread."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._kept = _Kept()

    @contextmanager
    def store(self) -> Iterator[Store]:
        """This thread's read-only store, as ``with Store(path, readonly=True)`` gives,
        without closing it. A use inside another gets a store of its own."""
        kept = self._kept
        if kept.busy:
            with Store(self.path, readonly=True) as own:
                yield own
            return
        s = self._current()
        kept.busy = True
        try:
            yield s
        except (sqlite3.Error, StoreError) as exc:
            self._drop()  # opened again next time, whatever state the failure left
            timeout = s._as_timeout(exc)  # as Store.__exit__ maps it
            if timeout is not None:
                raise timeout from exc
            raise
        finally:
            kept.busy = False
            if kept.store is s:  # no budget left for the next use: s.limit_time(None)
                s.db.set_progress_handler(None, 0)
                s._exhausted = None
            else:
                s.close()

    def _current(self) -> Store:
        kept = self._kept
        if kept.store is not None:
            try:
                if (*self._file(), _data_version(kept.store)) == kept.state:
                    return kept.store
            except (OSError, sqlite3.Error):
                pass
            self._drop()
        try:
            file = self._file()
        except OSError:
            file = None
        s = Store(self.path, readonly=True)  # fails as a new store does
        try:
            # The file as it was before opening, the data version after, and the schema
            # checked once more after that: any change in between opens it again next time.
            state = (*file, _data_version(s)) if file else None
            if state and not schema.check(s.db):
                kept.store, kept.state = s, state
        except (sqlite3.Error, StoreError):
            pass  # this use only, like a store opened a moment before
        return s

    def _file(self) -> tuple[int, int]:
        st = os.stat(self.path)
        return st.st_dev, st.st_ino

    def _drop(self) -> None:
        kept = self._kept
        if kept.store is not None:
            kept.store.close()
        kept.store = kept.state = None


def _data_version(s: Store) -> int:
    """Changes whenever another connection commits to the database."""
    return int(s.db.execute("PRAGMA data_version").fetchone()[0])
