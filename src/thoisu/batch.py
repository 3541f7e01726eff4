"""Batch runs: read -> clean -> analyse -> store, with a progress bar and a report.

Analysis runs in ``jobs`` worker processes; the calling process is the single writer to
the store (SQLite wants one writer). Articles already stored are recognised by their
content-derived id after cleaning and are not analysed again, so re-running an ingest is
cheap and idempotent.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from .ingest import count_hint, read_paths
from .pipeline import analyze_articles, article_groups, try_clean
from .records import Analysis, Article, IngestError
from .store import Store

__all__ = ["IngestReport", "ingest_items", "ingest_paths", "new_articles"]


# Failures and warnings kept for the report; past this many only their number is kept, so
# a corpus of millions of bad lines cannot fill memory with messages.
MAX_LISTED = 10_000


@dataclass(slots=True)
class IngestReport:
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    failed: int = 0
    failures: list[IngestError] = field(default_factory=list)  # the first MAX_LISTED
    warned: int = 0
    warnings: list[IngestError] = field(default_factory=list)  # stored, with something cut
    interrupted: bool = False  # stopped by Ctrl-C: what was analysed is stored

    def fail(self, error: IngestError) -> None:
        self.failed += 1
        if len(self.failures) < MAX_LISTED:
            self.failures.append(error)

    def warn(self, article: Article) -> None:
        self.warned += 1
        if len(self.warnings) < MAX_LISTED:
            source = article.source or article.id
            self.warnings += [IngestError(source, f"warning: {w}") for w in article.warnings]

    def summary(self) -> str:
        line = (
            f"read {self.read}, stored {self.stored}, skipped as duplicates {self.duplicates}, "
            f"failed {self.failed}"
        )
        line += f" ({self.warned} stored with warnings)" if self.warned else ""
        return line + (" - interrupted" if self.interrupted else "")


def worker_threads(jobs: int, cores: int | None = None) -> int:
    """The encoder threads of each of ``jobs`` worker processes: the cores shared out, so
    that workers times threads never exceed them (one at least; two at most, as in one
    process)."""
    cores = cores or os.cpu_count() or 1
    return max(1, min(2, cores // max(jobs, 1)))


def _watch_parent(threads: int = 1) -> None:
    """Worker initializer: exit when the parent process dies (even by ``kill -9``, which
    gives it no chance to stop its workers), instead of lingering with models in memory.
    The workers share the cores: the encoder in each runs on ``threads``."""
    parent = os.getppid()
    os.environ.setdefault("THOISU_ENCODER_THREADS", str(threads))

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="thoisu-parent-watch", daemon=True).start()


def new_articles(
    items: Iterable,
    report: IngestReport,
    store: Store | None,
    published: str | None,
    tick: Callable[[], None] = lambda: None,
) -> Iterator[Article]:
    """Clean ``items`` and yield the articles neither seen earlier in the run nor already
    in ``store`` (when given), counting reads, failures and duplicates in ``report``."""
    seen: set[str] = set()
    for item in items:
        report.read += 1
        article = item if isinstance(item, IngestError) else try_clean(item, published=published)
        if isinstance(article, IngestError):
            report.fail(article)
            tick()  # the bar moves on inputs that only fail, too
            continue
        if article.id in seen or (store is not None and store.has_article(article.id)):
            report.duplicates += 1
            continue
        seen.add(article.id)
        yield article


def ingest_items(
    store: Store,
    items: Iterable,
    *,
    published: str | None = None,
    jobs: int = 1,
    progress: bool = False,
    total: int | None = None,
    batch_size: int = 64,
) -> IngestReport:
    """Analyse and store a stream of ``RawDocument`` / ``IngestError`` items. Ctrl-C stops
    the run: what was analysed is stored and the report says ``interrupted``."""
    from tqdm import tqdm

    report = IngestReport()
    bar = tqdm(total=total, unit="art", disable=not progress, dynamic_ncols=True, desc="ingest")
    last_read = 0

    def tick() -> None:
        nonlocal last_read
        bar.update(report.read - last_read)
        last_read = report.read
        bar.set_postfix(stored=report.stored + len(pending), failed=report.failed, refresh=False)

    articles = new_articles(items, report, store, published, tick)

    def results() -> Iterator[Analysis | IngestError]:
        groups = article_groups(articles)  # the taggers read a group's sentences together
        if jobs <= 1:
            for group in groups:
                yield from analyze_articles(group)
            return
        # A bounded window of groups keeps every worker busy while this process reads,
        # cleans and writes, without reading the whole input ahead.
        pool = ProcessPoolExecutor(
            max_workers=jobs, initializer=_watch_parent, initargs=(worker_threads(jobs),)
        )
        try:
            window: deque = deque()
            for group in groups:
                window.append(pool.submit(analyze_articles, group))
                if len(window) >= jobs * 3:
                    yield from window.popleft().result()
            while window:
                yield from window.popleft().result()
        finally:  # on Ctrl-C too: drop queued work at once, never wait for it
            pool.shutdown(wait=False, cancel_futures=True)

    pending: list[Analysis] = []

    def flush() -> None:
        try:
            stored, dups = store.add_many(pending)
        except Exception:  # noqa: BLE001 - find the article at fault; store the others
            stored = dups = 0
            for analysis in pending:
                try:
                    added = store.add(analysis)
                except Exception as exc:  # noqa: BLE001
                    source = analysis.article.source or analysis.article.id
                    report.fail(
                        IngestError(source, f"could not be stored: {type(exc).__name__}: {exc}")
                    )
                    continue
                stored, dups = stored + added, dups + (not added)
        report.stored += stored
        report.duplicates += dups
        pending.clear()

    try:
        for result in results():
            if isinstance(result, IngestError):
                report.fail(result)
            else:
                pending.append(result)
                if result.article.warnings:
                    report.warn(result.article)
                if len(pending) >= batch_size:
                    flush()
            tick()
    except KeyboardInterrupt:
        report.interrupted = True
    finally:  # whatever stops the run, what was analysed is stored
        flush()
        tick()
        bar.close()
    return report


def _not_the_store(items: Iterable, store: Store) -> Iterator:
    """Leave out the database's own files when it sits inside an ingested directory."""
    own = {os.path.abspath(store.path + suffix) for suffix in ("", "-wal", "-shm", "-journal")}
    for item in items:
        path = item.source.rsplit(":", 1)[0] if isinstance(item, IngestError) else item.source
        if os.path.abspath(path) not in own:
            yield item


def ingest_paths(store: Store, paths: Iterable[str], **options) -> IngestReport:
    """Ingest files, directories, corpora, feeds or WARCs (``-`` for stdin) into ``store``."""
    paths = list(paths)
    total = count_hint(paths)
    if options.get("jobs") is None:
        # Worker processes pay ~1 s to load the models: worth it only for a real batch.
        options["jobs"] = min(os.cpu_count() or 1, 4) if total is None or total > 50 else 1
    return ingest_items(store, _not_the_store(read_paths(paths), store), total=total, **options)
