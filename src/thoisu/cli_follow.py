"""Command-line pieces for the web: ``thoisu follow`` and the politeness options it shares
with ``thoisu ingest URL`` (registered on the main group by :mod:`thoisu.cli`)."""

from __future__ import annotations

import re
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import click

from .cli_common import DB_HELP, open_store
from .cli_watch import print_matches
from .follow.follower import DEFAULT_HOSTS

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(value: str) -> float:
    """'15m', '30s', '2h', '1d' or plain seconds -> seconds (at least 1)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", value.lower())
    if not m:
        raise click.BadParameter(
            f"{value!r} is not an interval like 30s, 15m, 2h", param_hint="--every"
        )
    seconds = float(m.group(1)) * _UNITS[m.group(2) or "s"]
    if seconds < 1:
        raise click.BadParameter("the interval must be at least 1 second", param_hint="--every")
    return seconds


def politeness_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--delay, --user-agent, --timeout, --max-seconds, --max-page-bytes, --retries (defaults:
    FetchPolicy)."""
    from .follow import FetchPolicy

    d = FetchPolicy()
    options = [
        click.option("--delay", type=click.FloatRange(0), default=d.delay, show_default=True,
                     help="Seconds between two requests to one host (robots.txt's "
                     "Crawl-delay wins when longer)."),
        click.option("--user-agent", default=d.user_agent, show_default=True,
                     help="User-Agent sent with every request; robots.txt rules for it apply."),
        click.option("--timeout", type=click.FloatRange(0.1), default=d.timeout,
                     show_default=True, help="Seconds without an answer before giving up."),
        click.option("--max-seconds", type=click.FloatRange(1), default=d.max_seconds,
                     show_default=True, help="Longest request (connection, headers and "
                     "body), however slowly the server trickles them."),
        click.option("--max-page-bytes", type=click.IntRange(1024), default=d.max_bytes,
                     show_default=True, help="Largest page or feed downloaded."),
        click.option("--retries", type=click.IntRange(0, 10), default=d.retries,
                     show_default=True, help="Retries on 429, 5xx and network errors "
                     "(waiting what Retry-After asks, else a doubling backoff)."),
    ]  # fmt: skip
    for option in reversed(options):
        fn = option(fn)
    return fn


def make_client(
    delay: float,
    user_agent: str,
    timeout: float,
    max_seconds: float,
    max_page_bytes: int,
    retries: int,
):
    from .follow import FetchPolicy, PoliteClient

    return PoliteClient(
        FetchPolicy(
            user_agent=user_agent,
            delay=delay,
            timeout=timeout,
            max_seconds=max_seconds,
            max_bytes=max_page_bytes,
            retries=retries,
        )
    )


@click.command()
@click.argument("feeds", nargs=-1, required=True)
@click.option("--db", help=DB_HELP)
@click.option("--every", default="15m", show_default=True,
              help="Time between the starts of two rounds (30s, 15m, 2h).")  # fmt: skip
@click.option("--once", is_flag=True, help="One round, then exit.")
@click.option("--quiet", "-q", is_flag=True, help="No line per page.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
              help="The watch match lines: Vietnamese actors and trigger, or English.")  # fmt: skip
@click.option("--hosts", type=click.IntRange(1, 64), default=DEFAULT_HOSTS,
              show_default=True, help="Feeds on this many hosts are fetched at once (one "
              "request at a time per host, --delay apart).")  # fmt: skip
@politeness_options
def follow(
    feeds: tuple[str, ...],
    db: str | None,
    every: str,
    once: bool,
    quiet: bool,
    lang: str,
    hosts: int,
    **polite: Any,
) -> None:
    """Follow RSS/Atom FEEDS (URLs, or files listing one URL per line): fetch each new
    article page, analyse it and store it, every --every until Ctrl-C (which finishes the
    page in hand). A page already stored is not fetched again. Each new fact a watch
    matches is printed as a line ("watch NAME: ...", on standard output)."""
    from .follow import Follower, feed_targets, stop_on_interrupt

    interval = parse_interval(every)
    try:
        targets = feed_targets(feeds)
    except (ValueError, OSError) as exc:
        raise click.BadParameter(str(exc), param_hint="FEEDS") from exc
    if not targets:
        raise click.BadParameter("no feed URL given", param_hint="FEEDS")
    stop = threading.Event()

    def on_page(url: str, outcome: str) -> None:
        if not quiet:
            click.echo(f"  {outcome}: {url}", err=True)

    with open_store(db) as store, make_client(**polite) as client, stop_on_interrupt(stop):
        follower = Follower(
            store, client, targets, stop=stop, on_page=on_page, hosts=hosts,
            on_stored=lambda article_id: print_matches(store, article_id, lang),
        )  # fmt: skip
        while True:
            started = time.monotonic()
            click.echo(f"thoisu: round at {time.strftime('%Y-%m-%d %H:%M:%S')}", err=True)
            report = follower.round()
            for line in report.failures:
                click.echo(f"thoisu: error: {line}", err=True)
            click.echo(report.summary(), err=True)
            if once or stop.is_set():
                break
            # Interruptible wait until the next round (Ctrl-C sets stop).
            if stop.wait(max(0.0, interval - (time.monotonic() - started))):
                break
    if stop.is_set():
        sys.exit(130)
    if once and report.failed:
        sys.exit(1)
