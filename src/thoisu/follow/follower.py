"""Follow feeds: each round reads every feed, fetches the pages it has not stored, analyses
and stores them, and says what happened.

A round is incremental and idempotent: a feed unchanged since the last round answers 304 and
costs nothing more; a page URL already stored is not fetched again unless its feed entry's
stamp changed, and a page fetched again unchanged is not stored again. One failing feed or
page never stops the others: it becomes one line of the round's report.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from ..ingest import read_bytes
from ..records import IngestError, RawDocument
from .client import Disallowed, Fetched, FetchError, PoliteClient, is_web_url

if TYPE_CHECKING:
    from ..store import Store

__all__ = [
    "Follower",
    "RoundReport",
    "feed_targets",
    "fetch_page",
    "fetch_pages",
    "stop_on_interrupt",
]


# Content types taken as article pages (besides text/html); a feed, JSON or a PDF is not one.
_PAGE_TYPES = frozenset({"application/xhtml+xml", "application/octet-stream"})


@dataclass(slots=True)
class RoundReport:
    feeds: int = 0
    new_items: int = 0
    fetched: int = 0
    stored: int = 0
    skipped: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)
    interrupted: bool = False

    def fail(self, line: str) -> None:
        self.failed += 1
        self.failures.append(line)

    def summary(self) -> str:
        return (
            f"feeds {self.feeds}, new items {self.new_items}, fetched {self.fetched}, "
            f"stored {self.stored}, skipped {self.skipped}, failed {self.failed}"
            + (" - interrupted" if self.interrupted else "")
        )


def feed_targets(arguments: Iterable[str]) -> list[str]:
    """Feed URLs from the command line: each argument is a URL or a file listing URLs, one
    per line (blank lines and ``#`` comments skipped). Raises ValueError naming a bad one."""
    out: list[str] = []
    for arg in arguments:
        if is_web_url(arg):
            out.append(arg.strip())
            continue
        path = Path(arg)
        if not path.is_file():
            raise ValueError(f"{arg!r} is neither an http(s) URL nor a file of feed URLs")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if not is_web_url(line):
                raise ValueError(f"{arg}:{n}: not an http(s) URL: {line[:100]!r}")
            out.append(line)
    return list(dict.fromkeys(out))  # each feed once, first order kept


def fetch_page(client: PoliteClient, url: str, published: str | None = None) -> RawDocument:
    """Fetch one article page as a RawDocument (the page's date, else ``published``)."""
    fetched = client.get(url)
    kind = (fetched.headers.get("content-type") or "").split(";")[0].strip().lower()
    if kind and not (kind.startswith("text/html") or kind in _PAGE_TYPES):
        raise FetchError(url, f"not an HTML page ({kind})", status=fetched.status)
    for item in read_bytes(fetched.content, url, "html"):
        if isinstance(item, IngestError):
            raise FetchError(url, item.reason)
        item.url = fetched.final_url
        item.published = item.published or published
        return item
    raise FetchError(url, "empty page")


class Follower:
    """Rounds over ``feeds`` into ``store`` with ``client``; ``stop`` (an Event) ends a
    round after the page in hand. ``on_page(url, outcome)`` hears of every page,
    ``on_stored(article_id)`` of every article stored."""

    def __init__(
        self,
        store: Store,
        client: PoliteClient,
        feeds: list[str],
        *,
        stop: threading.Event | None = None,
        on_page: Callable[[str, str], None] | None = None,
        on_stored: Callable[[str], None] | None = None,
    ) -> None:
        self.store, self.client, self.feeds = store, client, feeds
        self.stop = stop or threading.Event()
        self.on_page = on_page or (lambda url, outcome: None)
        self.on_stored = on_stored or (lambda article_id: None)

    def round(self) -> RoundReport:
        report = RoundReport()
        for feed in self.feeds:
            if self.stop.is_set():
                report.interrupted = True
                break
            report.feeds += 1
            try:
                self._feed(feed, report)
            except FetchError as e:
                self.store.crawl.record_feed(feed, f"failed: {e.reason}")
                report.fail(f"feed {feed}: {e.reason}")
            except Exception as e:  # noqa: BLE001 - one feed's surprise must not stop the rest
                reason = f"{type(e).__name__}: {e}"[:300]
                try:
                    self.store.crawl.record_feed(feed, f"failed: {reason}")
                except Exception:  # noqa: BLE001 - the store itself may be what failed
                    pass
                report.fail(f"feed {feed}: {reason}")
        return report

    def _feed(self, feed: str, report: RoundReport) -> None:
        """One feed: its entries, then its validators, saved only once every entry was
        handled (an interrupted round must not make the next one see 304 and skip the
        entries it did not reach)."""
        state = self.store.crawl.feed_state(feed)
        fetched = self.client.get(feed, etag=state.etag, last_modified=state.last_modified)
        if fetched.not_modified:
            if not (state.etag or state.last_modified):
                raise FetchError(feed, "HTTP 304 to a request that was not conditional")
            self.store.crawl.record_feed(feed, "not modified")
            return
        entries = self._entries(feed, fetched, report)
        for entry in entries:
            if self.stop.is_set():
                report.interrupted = True
                self.store.crawl.record_feed(feed, "interrupted")
                return
            self._page(feed, entry, report)
        self.store.crawl.record_feed(
            feed, "ok", changed=True, etag=fetched.headers.get("etag"),
            last_modified=fetched.headers.get("last-modified"), items=len(entries),
        )  # fmt: skip

    # -- feeds -------------------------------------------------------------------------

    def _entries(self, feed: str, fetched: Fetched, report: RoundReport) -> list[RawDocument]:
        entries: list[RawDocument] = []
        for item in read_bytes(fetched.content, feed, "feed"):
            if isinstance(item, IngestError):
                if item.reason == "feed has no entries":  # valid, just empty for now
                    return []
                if item.reason.startswith("not a valid feed") or item.source == feed:
                    raise FetchError(feed, item.reason)
                report.fail(f"feed {feed}: {item.reason}")
                continue
            if item.url:  # a relative link is relative to the feed's own (final) URL
                item.url = urljoin(fetched.final_url, item.url.strip())
            if not item.url or not is_web_url(item.url):
                report.fail(f"feed {feed}: entry {item.source} has no http(s) link")
                continue
            entries.append(item)
        return entries

    # -- pages -------------------------------------------------------------------------

    def _page(self, feed: str, entry: RawDocument, report: RoundReport) -> None:
        url, stamp, crawl = entry.url or "", entry.updated, self.store.crawl
        if not crawl.wanted(url, stamp):
            report.skipped += 1
            return
        report.new_items += 1
        try:
            raw = fetch_page(self.client, url, entry.published)
        except Disallowed as e:
            crawl.record_page(url, "blocked", feed=feed, stamp=stamp, error=e.reason)
            report.skipped += 1
            self.on_page(url, "skipped: " + e.reason)
            return
        except FetchError as e:
            crawl.record_page(url, "failed", feed=feed, stamp=stamp, error=e.reason)
            report.fail(f"page {url}: {e.reason}")
            self.on_page(url, "failed")
            return
        report.fetched += 1
        try:
            outcome, article_id = self._store(raw)
        except Exception as e:  # noqa: BLE001 - e.g. the database locked: this page fails
            outcome, article_id = IngestError(url, f"{type(e).__name__}: {e}"[:300]), None
        if isinstance(outcome, IngestError):
            crawl.record_page(url, "failed", feed=feed, stamp=stamp, error=outcome.reason)
            report.fail(f"page {url}: {outcome.reason}")
            self.on_page(url, "failed")
            return
        crawl.record_page(url, outcome, feed=feed, stamp=stamp, article_id=article_id)
        if outcome == "stored":
            report.stored += 1
            self.on_stored(article_id)
        else:
            report.skipped += 1
        self.on_page(url, outcome)

    def _store(self, raw: RawDocument) -> tuple[str | IngestError, str | None]:
        """Clean, analyse and store one page: ("stored" | "duplicate", article id)."""
        from ..pipeline import try_analyze_article, try_clean  # the models load on first use

        article = try_clean(raw)
        if isinstance(article, IngestError):
            return article, None
        if self.store.has_article(article.id):
            return "duplicate", article.id
        analysis = try_analyze_article(article)
        if isinstance(analysis, IngestError):
            return analysis, None
        return ("stored" if self.store.add(analysis) else "duplicate"), article.id


def fetch_pages(
    client: PoliteClient, urls: Iterable[str], store: Store | None = None
) -> Iterator[RawDocument | IngestError]:
    """Fetched pages for ``thoisu ingest URL``: each URL becomes a RawDocument or an
    IngestError saying why not (recorded in ``store``'s crawl log when given)."""
    for url in urls:
        try:
            raw = fetch_page(client, url)
        except FetchError as e:
            if store is not None:
                status = "blocked" if isinstance(e, Disallowed) else "failed"
                store.crawl.record_page(url, status, error=e.reason)
            yield IngestError(url, e.reason)
            continue
        yield raw


@contextmanager
def stop_on_interrupt(stop: threading.Event) -> Iterator[None]:
    """While inside, the first Ctrl-C sets ``stop`` (the page in hand is finished and
    stored, then the run ends); a second one interrupts at once."""

    def handler(signum: int, frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
