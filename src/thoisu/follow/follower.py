"""Follow feeds: each round reads every feed, fetches the pages it has not stored, analyses
and stores them, and says what happened.

A round is incremental and idempotent: a feed unchanged since the last round answers 304 and
costs nothing more; a page URL already stored is not fetched again unless its feed entry's
stamp changed, and a page fetched again unchanged is not stored again. One failing feed or
page never stops the others: it becomes one line of the round's report.
"""

from __future__ import annotations

import queue
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

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

# Hosts fetched from at once in a round: a thread each, asleep most of the time (the
# delay between two requests to a host), holding one page (max_bytes) at most. The
# round's analysis stays in one thread: hosts beyond it wait for a thread.
DEFAULT_HOSTS = 32


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
    round once the pages in hand (at most one per host) are stored. ``on_page(url,
    outcome)`` hears of every page, ``on_stored(article_id)`` of every article stored.

    The feeds of up to ``hosts`` hosts are fetched at once, each host's by one thread, one
    feed and one request after the other (the client spaces the requests to any one host,
    whichever thread makes them, and keeps its robots.txt rules): following twenty sites is
    not twenty times slower than following one. Everything else (the store, the analysis,
    the callbacks) happens in the calling thread: a fetching thread hands over what it
    fetched and waits for the answer before its next request, so that a stop is seen before
    any further request and at most one page per host is held in memory.
    """

    def __init__(
        self,
        store: Store,
        client: PoliteClient,
        feeds: list[str],
        *,
        stop: threading.Event | None = None,
        on_page: Callable[[str, str], None] | None = None,
        on_stored: Callable[[str], None] | None = None,
        hosts: int = DEFAULT_HOSTS,
    ) -> None:
        if hosts < 1:
            raise ValueError("hosts must be at least 1")
        self.store, self.client, self.feeds, self.hosts = store, client, feeds, hosts
        self.stop = stop or threading.Event()
        self.on_page = on_page or (lambda url, outcome: None)
        self.on_stored = on_stored or (lambda article_id: None)

    def round(self) -> RoundReport:
        round_ = _Round()
        by_host: dict[str, list[str]] = {}
        for feed in self.feeds:
            try:
                host = urlsplit(feed).netloc.lower()
            except ValueError:  # a malformed URL: a host of its own, it fails when fetched
                host = feed
            by_host.setdefault(host, []).append(feed)
        hosts: queue.SimpleQueue[list[str]] = queue.SimpleQueue()
        for feeds in by_host.values():
            hosts.put(feeds)
        inbox: queue.SimpleQueue[_Handed] = queue.SimpleQueue()
        abort = threading.Event()  # the round ended early (an exception): fetchers quit
        running = 0
        try:
            for n in range(min(self.hosts, len(by_host))):
                threading.Thread(
                    target=self._fetcher, args=(hosts, inbox, abort), daemon=True,
                    name=f"thoisu-fetch-{n}",
                ).start()  # fmt: skip
                running += 1
            while running:
                try:
                    handed = inbox.get(timeout=0.5)  # a timeout keeps Ctrl-C responsive
                except queue.Empty:
                    continue
                if handed.kind == "end":
                    running -= 1
                    continue
                try:
                    handed.answer = self._handle(handed, round_)
                except Exception as e:  # noqa: BLE001 - one feed's surprise must not stop the rest
                    self._feed_failed(handed.feed, _reason(e), round_.report)
                    handed.answer = _GIVE_UP
                except BaseException:  # Ctrl-C twice: the fetchers stop, nothing more asked
                    abort.set()
                    handed.answer = _GIVE_UP
                    raise
                finally:
                    handed.answered.set()
        finally:
            abort.set()
            while True:  # release any fetcher still waiting for an answer
                try:
                    inbox.get_nowait().answered.set()
                except queue.Empty:
                    break
        report = round_.report
        if self.stop.is_set() and report.feeds < len(self.feeds):
            report.interrupted = True
        return report

    # -- in the calling thread ---------------------------------------------------------

    def _handle(self, handed: _Handed, round_: _Round) -> object:
        """What a fetcher handed over, dealt with; returns its answer."""
        feed, crawl, value, report = handed.feed, self.store.crawl, handed.value, round_.report
        if handed.kind == "state":
            if self.stop.is_set():
                return _GIVE_UP  # not started: no request after a stop
            report.feeds += 1
            return crawl.feed_state(feed)
        if handed.kind == "feed failed":
            self._feed_failed(feed, str(value), report)
        elif handed.kind == "not modified":
            crawl.record_feed(feed, "not modified")
        elif handed.kind == "entries":
            entries, failures = value  # type: ignore[misc]
            for line in failures:
                report.fail(line)
            wanted = []
            for entry in entries:
                url = entry.url or ""
                if url in round_.claimed:  # another feed's this round: its outcome decides
                    round_.waiting.setdefault(feed, []).append(url)
                    report.skipped += 1
                elif not crawl.wanted(url, entry.updated):
                    report.skipped += 1
                else:
                    round_.claimed.add(url)
                    wanted.append(entry)
            return wanted
        elif handed.kind == "page":
            entry, outcome = value  # type: ignore[misc]
            report.new_items += 1
            self._page(feed, entry, outcome, report)
            round_.settled.add(entry.url or "")
        elif handed.kind == "interrupted":
            report.interrupted = True
            crawl.record_feed(feed, "interrupted")
        elif handed.kind == "done":
            fetched, entries = value  # type: ignore[misc]
            # Validators only once every entry was handled, here or (an entry another feed
            # also lists) there: else the next round reads the feed whole again.
            whole = all(url in round_.settled for url in round_.waiting.get(feed, ()))
            crawl.record_feed(
                feed, "ok", changed=True, items=entries,
                etag=fetched.headers.get("etag") if whole else None,
                last_modified=fetched.headers.get("last-modified") if whole else None,
            )  # fmt: skip
        return None

    def _feed_failed(self, feed: str, reason: str, report: RoundReport) -> None:
        try:
            self.store.crawl.record_feed(feed, f"failed: {reason}")
        except Exception:  # noqa: BLE001 - the store itself may be what failed
            pass
        report.fail(f"feed {feed}: {reason}")

    def _page(
        self, feed: str, entry: RawDocument, fetched: RawDocument | FetchError, report: RoundReport
    ) -> None:
        url, stamp, crawl = entry.url or "", entry.updated, self.store.crawl
        if isinstance(fetched, Disallowed):
            crawl.record_page(url, "blocked", feed=feed, stamp=stamp, error=fetched.reason)
            report.skipped += 1
            self.on_page(url, "skipped: " + fetched.reason)
            return
        if isinstance(fetched, FetchError):
            crawl.record_page(url, "failed", feed=feed, stamp=stamp, error=fetched.reason)
            report.fail(f"page {url}: {fetched.reason}")
            self.on_page(url, "failed")
            return
        report.fetched += 1
        try:
            outcome, article_id = self._store(fetched)
        except Exception as e:  # noqa: BLE001 - e.g. the database locked: this page fails
            outcome, article_id = IngestError(url, _reason(e)), None
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

    # -- in a fetching thread ----------------------------------------------------------

    def _fetcher(
        self,
        hosts: queue.SimpleQueue[list[str]],
        inbox: queue.SimpleQueue[_Handed],
        abort: threading.Event,
    ) -> None:
        """Take a host's feeds, fetch them one after the other; the next host, until none
        is left or the round stops."""

        def hand(kind: str, feed: str, value: object = None) -> object:
            handed = _Handed(kind, feed, value)
            inbox.put(handed)
            while not handed.answered.wait(0.5):
                if abort.is_set():
                    return _GIVE_UP
            return _GIVE_UP if abort.is_set() else handed.answer

        try:
            while not (self.stop.is_set() or abort.is_set()):
                try:
                    feeds = hosts.get_nowait()
                except queue.Empty:
                    return
                for feed in feeds:
                    if self.stop.is_set() or abort.is_set():
                        return
                    try:
                        self._fetch_feed(feed, hand)
                    except Exception as e:  # noqa: BLE001 - the host's other feeds go on
                        hand("feed failed", feed, _reason(e))
        finally:
            inbox.put(_Handed("end", ""))

    def _fetch_feed(self, feed: str, hand: Callable[..., object]) -> None:
        """One feed: its entries, then its validators, saved only once every entry was
        handled (an interrupted round must not make the next one see 304 and skip the
        entries it did not reach)."""
        state = hand("state", feed)
        if state is _GIVE_UP:
            return
        try:
            fetched = self.client.get(feed, etag=state.etag, last_modified=state.last_modified)
            if fetched.not_modified and not (state.etag or state.last_modified):
                raise FetchError(feed, "HTTP 304 to a request that was not conditional")
            entries, failures = ([], []) if fetched.not_modified else _entries(feed, fetched)
        except FetchError as e:  # any other exception: the feed fails in _fetcher
            hand("feed failed", feed, e.reason)
            return
        if fetched.not_modified:
            hand("not modified", feed)
            return
        wanted = hand("entries", feed, (entries, failures))
        if wanted is _GIVE_UP:
            return
        for entry in wanted:  # type: ignore[attr-defined]
            if self.stop.is_set():
                hand("interrupted", feed)
                return
            try:
                page: RawDocument | FetchError = fetch_page(
                    self.client, entry.url or "", entry.published
                )
            except FetchError as e:
                page = e
            except Exception as e:  # noqa: BLE001 - one page's surprise fails that page only
                page = FetchError(entry.url or "", _reason(e))
            if hand("page", feed, (entry, page)) is _GIVE_UP:
                return
        hand("done", feed, (fetched, len(entries)))


# What a fetching thread hands to the round: a feed's state asked, its entries (answered
# with those to fetch), a page fetched or not, a feed done, failed or interrupted; "end"
# when the thread has no more hosts.
@dataclass(slots=True, eq=False)
class _Handed:
    kind: str
    feed: str
    value: object = None
    answer: object = None
    answered: threading.Event = field(default_factory=threading.Event)


_GIVE_UP = object()  # the answer when the round ended early: the fetcher stops


def _reason(e: Exception) -> str:
    """An unexpected exception as one line of a report."""
    return f"{type(e).__name__}: {e}"[:300]


@dataclass(slots=True)
class _Round:
    """A round's report, and which feed is fetching which page URL."""

    report: RoundReport = field(default_factory=RoundReport)
    claimed: set[str] = field(default_factory=set)  # page URLs handed to a fetcher
    settled: set[str] = field(default_factory=set)  # ... and their outcome recorded
    waiting: dict[str, list[str]] = field(default_factory=dict)  # feed -> others' URLs


def _entries(feed: str, fetched: Fetched) -> tuple[list[RawDocument], list[str]]:
    """A feed's entries with an http(s) link, and a line per entry that has none."""
    entries: list[RawDocument] = []
    failures: list[str] = []
    for item in read_bytes(fetched.content, feed, "feed"):
        if isinstance(item, IngestError):
            if item.reason == "feed has no entries":  # valid, just empty for now
                return [], []
            if item.reason.startswith("not a valid feed") or item.source == feed:
                raise FetchError(feed, item.reason)
            failures.append(f"feed {feed}: {item.reason}")
            continue
        if item.url:  # a relative link is relative to the feed's own (final) URL
            item.url = urljoin(fetched.final_url, item.url.strip())
        if not item.url or not is_web_url(item.url):
            failures.append(f"feed {feed}: entry {item.source} has no http(s) link")
            continue
        entries.append(item)
    return entries, failures


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
