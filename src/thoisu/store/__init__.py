"""Storage stage: a SQLite database of analysis records with diacritic-insensitive search.

This package is the only code in thoisu that speaks SQL. Open a :class:`Store` (default
path :data:`DEFAULT_DB_PATH`: ``$THOISU_DB`` if set, else ``./thoisu.db``), ``add``
analyses, then ``search``, query ``events``/``entities``, or ``export`` them as JSON Lines,
Parquet or GDELT 2.0 Event rows.
"""

from __future__ import annotations

from .core import DEFAULT_DB_PATH, SearchHit, Store
from .errors import QueryError, QueryTimeout, StoreError
from .filters import EventFilter
from .text import fold, parse_query

__all__ = [
    "DEFAULT_DB_PATH",
    "EventFilter",
    "QueryError",
    "QueryTimeout",
    "SearchHit",
    "Store",
    "StoreError",
    "fold",
    "parse_query",
]
