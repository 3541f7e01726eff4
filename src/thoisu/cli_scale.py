"""Command-line pieces for scaling out: ``--engine dask`` of ``thoisu ingest`` and
``thoisu load`` (registered on the main group by :mod:`thoisu.cli`)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from .cli_common import DB_HELP, open_store


def engine_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--engine, --scheduler, --workers, --partition-size, --out."""
    options = [
        click.option("--engine", type=click.Choice(["local", "dask"]), default="local",
                     show_default=True, help="Where the analysis runs: worker processes "
                     "here, or a Dask cluster."),
        click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler to use "
                     "(tcp://host:8786); default: a LocalCluster of --workers processes."),
        click.option("--workers", type=click.IntRange(1, 256), default=2, show_default=True,
                     help="Worker processes of the LocalCluster (--engine dask)."),
        click.option("--partition-size", type=click.IntRange(1, 100_000), default=None,
                     help="Articles per Dask task and per Parquet file (default: 32, fewer "
                     "for small inputs; use about 1,000 for large runs written with --out)."),
        click.option("--out", metavar="DIR", help="Write a partitioned Parquet dataset "
                     "(articles, entities, mentions, events) to DIR, a path or any fsspec "
                     "URL, instead of storing (--engine dask; load it with thoisu load)."),
    ]  # fmt: skip
    for option in reversed(options):
        fn = option(fn)
    return fn


def check_engine(engine: str, dask_only: dict[str, Any], urls: list[str]) -> None:
    given = [f"--{k.replace('_', '-')}" for k, v in dask_only.items() if v]
    if engine != "dask" and given:
        raise click.UsageError(f"{', '.join(given)} need --engine dask")
    if engine == "dask" and urls:
        raise click.UsageError("pages by URL are fetched here: use the local engine for them")


def ingest_with_dask(paths: tuple[str, ...], store: Any, options: dict[str, Any]):
    """The ingest report of a Dask run over ``paths`` (into ``store`` or to ``--out``)."""
    from .ingest import count_hint, read_paths
    from .scale import ingest_dask

    try:
        return ingest_dask(
            read_paths(paths), store=store, out=options["out"],
            scheduler=options["scheduler"], workers=options["workers"],
            published=options["published"], progress=options["progress"],
            total=count_hint(paths), partition_size=options["partition_size"],
        )  # fmt: skip
    except (RuntimeError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc


@click.command()
@click.argument("source")
@click.option("--db", help=DB_HELP)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def load(source: str, db: str | None, quiet: bool) -> None:
    """Store a Parquet dataset written by `thoisu ingest --engine dask --out SOURCE` (a
    path or fsspec URL). Idempotent: articles already stored are skipped."""
    from tqdm import tqdm

    from .scale import read_records

    stored = duplicates = 0
    with open_store(db) as store:
        batch: list[dict[str, Any]] = []
        try:
            records = tqdm(read_records(source), unit="art", disable=quiet, desc="load")
            for record in records:
                batch.append(record)
                if len(batch) >= 500:
                    added, dups = store.add_many(batch)
                    stored, duplicates, batch = stored + added, duplicates + dups, []
            added, dups = store.add_many(batch)
            stored, duplicates = stored + added, duplicates + dups
        except ImportError as exc:
            raise click.ClickException(
                f"loading a dataset needs fsspec: pip install 'thoisu[dask]' ({exc})"
            ) from exc
        except (FileNotFoundError, OSError, ValueError) as exc:
            raise click.ClickException(f"cannot load {source}: {exc}") from exc
    click.echo(f"stored {stored}, skipped as duplicates {duplicates}", err=True)
    if stored + duplicates == 0:
        sys.exit(1)
