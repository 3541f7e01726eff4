"""Exceptions raised by :mod:`thoisu.store`."""

from __future__ import annotations


class StoreError(Exception):
    """A user-facing storage error; the message is one clear line."""


class QueryError(StoreError):
    """A search query or filter that cannot be run (e.g. no searchable words)."""


class QueryTimeout(StoreError):
    """A query stopped by its time budget (:meth:`Store.limit_time`), or because the client
    that asked for it went away."""
