"""Exceptions raised by :mod:`thoisu.store`."""

from __future__ import annotations


class StoreError(Exception):
    """A user-facing storage error; the message is one clear line."""


class QueryError(StoreError):
    """A search query or filter that cannot be run (e.g. no searchable words)."""
