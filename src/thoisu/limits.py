"""Limits on the work one input may cause, shared by every stage that reads or analyses.

thoisu reads what the web sends, so no single input may take unbounded memory or time.
Each limit is enforced while streaming (a stream is never read whole before its size is
checked): ingest refuses an oversized document or stops reading an oversized input, the
cleaner truncates an over-long article at a paragraph, and the NLP stage cuts over-long
sentences and analyses at most ``max_sentences`` of an article. Every refusal or cut is
reported on the item it concerns, never silently.

Defaults suit news: a long article is 30,000 characters, a long sentence 600. Each limit
can be changed with an environment variable (``THOISU_MAX_DOCUMENT_BYTES=20000000``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields, replace
from functools import cache

__all__ = [
    "Limits",
    "LimitExceeded",
    "check_time",
    "current_limits",
    "human_bytes",
    "time_limit",
]


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on one input. Sizes in bytes are of decompressed data."""

    #: Bytes read from one input file or stream, after decompression (a whole corpus
    #: file counts as one input): stops gzip bombs and endless streams.
    max_input_bytes: int = 4 * 1024**3
    #: Bytes of one document: a text, HTML or JSON file, one JSON Lines record, a feed,
    #: one WARC record, an API request's article.
    max_document_bytes: int = 10 * 1024**2
    #: Characters of one cleaned article; a longer one is cut at a paragraph boundary.
    max_article_chars: int = 200_000
    #: Sentences analysed in one article; the text after them is kept but not analysed.
    max_sentences: int = 2_000
    #: Characters of one sentence; a longer run of text is cut into pieces at spaces.
    max_sentence_chars: int = 1_000
    #: Seconds the analysis of one article may take; past it the article fails.
    max_article_seconds: int = 60

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Limits:
        """Defaults, overridden by ``THOISU_MAX_INPUT_BYTES`` and the like."""
        environ = dict(os.environ if environ is None else environ)
        changes = {}
        for f in fields(cls):
            name = "THOISU_" + f.name.upper()
            value = environ.get(name, "").strip().replace("_", "")
            if not value:
                continue
            if not value.isdigit() or int(value) < 1:
                raise ValueError(f"{name} must be a positive integer, got {environ[name]!r}")
            changes[f.name] = int(value)
        return replace(cls(), **changes)


class LimitExceeded(Exception):
    """An input went past one of the :class:`Limits`; ``str(err)`` says which, in one line."""


@cache
def current_limits() -> Limits:
    """The limits in force: the defaults with this process's environment applied (read once)."""
    return Limits.from_env()


def human_bytes(n: int) -> str:
    """``10485760`` -> ``"10 MB"``: sizes in messages, as people read them."""
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= size:
            value = n / size
            return (
                f"{value:.0f} {unit}"
                if value >= 10 or value.is_integer()
                else f"{value:.1f} {unit}"
            )
    return f"{n} bytes"


# The analysis under way may run until this gives a reason to stop (set by ``time_limit``).
_STOP: ContextVar[Callable[[], str | None] | None] = ContextVar("thoisu_stop", default=None)


@contextmanager
def time_limit(seconds: float | None = None, *, stop: Callable[[], bool] | None = None,
               reason: str = "stopped") -> Iterator[None]:  # fmt: skip
    """Within this block, :func:`check_time` raises :class:`LimitExceeded` once ``seconds``
    have passed or ``stop()`` is true (then with ``reason``: a web client that went away).
    Blocks nest: an outer limit still holds inside an inner one, with its own reason."""
    outer = _STOP.get()
    deadline = time.monotonic() + seconds if seconds is not None else None

    def why() -> str | None:
        if deadline is not None and time.monotonic() > deadline:
            return f"over its {seconds:g} s time limit (THOISU_MAX_ARTICLE_SECONDS)"
        if stop is not None and stop():
            return reason
        return outer() if outer is not None else None

    token = _STOP.set(why)
    try:
        yield
    finally:
        _STOP.reset(token)


def check_time() -> None:
    """Raise :class:`LimitExceeded` when the analysis in progress must stop (see
    :func:`time_limit`); the stages call it between sentences."""
    why = _STOP.get()
    reason = why() if why is not None else None
    if reason is not None:
        raise LimitExceeded(f"analysis stopped: {reason}")
