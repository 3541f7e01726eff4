"""The event filters: one definition for the command line, the API, the dashboard and
watches.

:class:`EventFilter` reads filters from any mapping of names to strings (command-line
options, query parameters, a stored watch), checks them, and hands the store the keyword
arguments of its event queries (``Store.events``, ``events_page``, ``event_counts``).
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..events.codes import cameo_codes, plover_types
from .errors import QueryError
from .export import split_actor_code
from .sql import _event_where

ACTOR_FIELDS = ("actor", "counterpart", "source", "target", "location")
_ALIASES = {"type": "event_type", "root": "cameo"}


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Which events: every field given must hold (None: any).

    ``actor``/``counterpart``/``source``/``target``/``location``: an entity id
    ("country:CHN") or a CAMEO actor code (a 3/6/9-letter code also matches as a prefix:
    "USA" matches "USAGOV"); ``actor`` with ``counterpart``: the events between the two,
    either way round. ``cameo``: a CAMEO code or prefix ("19"). ``plover``: a PLOVER type.
    ``event_type``: an ACE type. ``certainty``: exactly this certainty; ``min_certainty``:
    at least this sure (asserted > reported > possible). ``q``: the article's words
    (the search syntax, diacritics ignored). ``since``/``until``: ``YYYY[-MM[-DD]]``,
    inclusive, on the event's effective date. ``group``: the reports of one occurrence
    (a group id of :mod:`~thoisu.store.grouping`). ``entity``: an entity in any role
    (source, target, location, speaker, via).
    """

    actor: str | None = None
    counterpart: str | None = None
    source: str | None = None
    target: str | None = None
    location: str | None = None
    cameo: str | None = None
    plover: str | None = None
    event_type: str | None = None
    certainty: str | None = None
    min_certainty: str | None = None
    q: str | None = None
    since: str | None = None
    until: str | None = None
    group: str | None = None
    entity: str | None = None

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def from_mapping(cls, params: Mapping[str, Any]) -> EventFilter:
        """The filter from ``params`` (unknown names ignored; ``type`` and ``root`` are
        read as ``event_type`` and ``cameo``; blank values are no filter), checked: a
        :class:`QueryError` says what is wrong."""
        values: dict[str, str] = {}
        for key, value in params.items():
            name = _ALIASES.get(key, key)
            if name not in cls.names() or value is None:
                continue
            text = " ".join(str(value).split())
            if not text:
                continue
            if name in values and values[name] != text:
                raise QueryError(f"give {name} once (root and cameo are the same filter)")
            values[name] = text
        found = cls(**values)
        found.check()
        return found

    @classmethod
    def raw_values(cls, params: Mapping[str, Any]) -> dict[str, str]:
        """Every filter's value as given in ``params`` (aliases read; "" when absent),
        unchecked: what a form shows again."""
        out = dict.fromkeys(cls.names(), "")
        for key, value in params.items():
            name = _ALIASES.get(key, key)
            if name in out and value is not None:
                out[name] = " ".join(str(value).split())
        return out

    def as_query(self) -> dict[str, str]:
        """The filters given, named as the API's query parameters (``type``)."""
        reverse = {v: k for k, v in _ALIASES.items() if k != "root"}
        return {reverse.get(k, k): v for k, v in self.as_kwargs().items()}

    def check(self) -> None:
        """A :class:`QueryError` for a value no event can have."""
        _event_where(**self.as_kwargs())  # formats: codes, certainties, dates, the query
        if self.cameo and not any(c.startswith(self.cameo) for c in cameo_codes()):
            raise QueryError(f"no CAMEO code is or starts with {self.cameo!r}")
        if self.plover and self.plover.upper() not in plover_types():
            known = ", ".join(sorted(plover_types()))
            raise QueryError(f"unknown PLOVER type {self.plover!r}; known: {known}")

    def is_empty(self) -> bool:
        return not self.as_kwargs()

    def as_kwargs(self) -> dict[str, str]:
        """The filters given, as the store's event queries take them."""
        return {k: v for k, v in dataclasses.asdict(self).items() if v}

    def check_actors(self, db: sqlite3.Connection) -> None:
        """A :class:`QueryError` for an actor that is neither a stored entity nor a CAMEO
        actor code (a watch on a typo would wait for ever)."""
        for name in ACTOR_FIELDS:
            value = getattr(self, name)
            if not value:
                continue
            if ":" in value:
                if not db.execute("SELECT 1 FROM entities WHERE id = ?", (value,)).fetchone():
                    raise QueryError(f"{name}: no entity {value!r} is stored")
                continue
            code = value.upper()
            parts = split_actor_code(code)
            if not code.isalpha() or len(parts) * 3 != len(code):
                raise QueryError(
                    f"{name}: {value!r} is neither an entity id (country:CHN) nor a CAMEO"
                    " actor code (CHN, CHNGOV, USAMIL)"
                )
