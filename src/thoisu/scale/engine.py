"""Batch analysis on a Dask cluster (``thoisu ingest --engine dask``).

The calling process reads and cleans the input (cheap, and it keeps duplicate detection in
one place), cuts the articles into partitions of ``partition_size`` and submits each to the
cluster; a worker analyses its partition and either writes it to a Parquet dataset
(``out``: nothing but counts comes back) or returns the analysis records, which this process
stores through the store's single writer, in input order. At most ``2 x workers``
partitions are in flight, so memory stays bounded whatever the input's size.

Articles get the same content-derived ids and the same analyses as with the local engine.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable
from itertools import islice
from typing import TYPE_CHECKING, Any

from ..batch import IngestReport, new_articles
from ..records import Article, IngestError

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["analyse_partition", "ingest_dask"]


def analyse_partition(
    index: int, articles: list[Article], out: str | None
) -> tuple[int, list[dict[str, Any]] | int, list[IngestError]]:
    """A worker's task: analyse ``articles``; write them as partition ``index`` under
    ``out`` (returning how many) or return their records."""
    # Each worker is one process with one thread: the encoder uses that one core.
    os.environ.setdefault("THOISU_ENCODER_THREADS", "1")
    from ..pipeline import analyze_articles, article_groups

    records: list[dict[str, Any]] = []
    errors: list[IngestError] = []
    results = (r for group in article_groups(articles) for r in analyze_articles(group))
    for result in results:
        if isinstance(result, IngestError):
            errors.append(result)
        else:
            records.append(result.to_dict())
    if out is None:
        return index, records, errors
    from .dataset import write_partition

    return index, write_partition(out, index, records), errors


def _client(scheduler: str | None, workers: int):
    """A client of the cluster at ``scheduler``, else of a new LocalCluster of ``workers``
    single-threaded worker processes (closed with the client)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise RuntimeError("the dask engine needs Dask: pip install 'thoisu[dask]'") from exc
    if scheduler:
        return Client(scheduler), None
    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
        env={"THOISU_ENCODER_THREADS": "1"},
    )  # fmt: skip
    return Client(cluster), cluster


def ingest_dask(
    items: Iterable,
    *,
    store: Store | None = None,
    out: str | None = None,
    scheduler: str | None = None,
    workers: int = 2,
    published: str | None = None,
    partition_size: int | None = None,
    progress: bool = False,
    total: int | None = None,
    client: Any = None,
) -> IngestReport:
    """Analyse ``items`` (RawDocuments / IngestErrors) on Dask; write a Parquet dataset to
    ``out``, else store the analyses in ``store``. ``client``: an open
    ``distributed.Client`` to use (left open), instead of connecting to ``scheduler`` or
    starting a LocalCluster. Ctrl-C stops the run: what was analysed is kept and the
    report says ``interrupted``."""
    from tqdm import tqdm

    if (store is None) == (out is None):
        raise ValueError("give either a store or an output dataset")
    if partition_size is None:  # 4+ partitions a worker when the size is known, at most 32
        partition_size = max(1, min(32, -(-(total or 0) // (4 * workers)) or 32))
    report = IngestReport()
    articles = new_articles(items, report, store if out is None else None, published)
    first = 0
    if out is not None:  # append to an existing dataset, never overwrite its partitions
        from .dataset import next_partition

        first = next_partition(out)
    chunks = iter(lambda: list(islice(articles, partition_size)), [])
    partitions = enumerate(chunks, start=first)
    bar = tqdm(total=total, unit="art", disable=not progress, dynamic_ncols=True, desc="dask")
    own = client is None
    if own:
        client, cluster = _client(scheduler, workers)
    window: deque = deque()
    in_flight = 2 * max(1, len(client.scheduler_info().get("workers", {})) or workers)

    def collect() -> None:
        index, future, sources = window.popleft()
        try:
            _, result, errors = future.result()
        except Exception as exc:  # noqa: BLE001 - a worker lost or a write failed: its
            reason = f"partition {index} failed: {type(exc).__name__}: {exc}"[:300]
            for source in sources:  # articles are reported, one by one, not lost
                report.fail(IngestError(source, reason))
            return
        for error in errors:
            report.fail(error)
        if isinstance(result, int):
            report.stored += result
        elif store is not None and result:
            stored, duplicates = store.add_many(result)
            report.stored += stored
            report.duplicates += duplicates
        bar.n = report.read
        bar.set_postfix(stored=report.stored, failed=report.failed, refresh=True)

    try:
        for index, chunk in partitions:
            future = client.submit(analyse_partition, index, chunk, out, pure=False)
            window.append((index, future, [a.source or a.id for a in chunk]))
            while len(window) >= in_flight:  # in input order: the store's order is the input's
                collect()
        while window:
            collect()
    except KeyboardInterrupt:
        report.interrupted = True
        for _, future, _ in window:
            future.cancel()
    finally:
        bar.close()
        if own:
            client.close()
            if cluster is not None:
                cluster.close()
    return report
