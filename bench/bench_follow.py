"""Following feeds with the default politeness: one host, then many hosts at once.

    python bench/bench_follow.py [--n 20] [--sites 20] [--per-site 3]

First, N dated sample articles and their RSS feed on one local HTTP server (the tests' news
site): one `thoisu follow` round with the default policy (1 s between requests to a host,
robots.txt read first), pages per second, and a second round (the feed unchanged: one 304).
With one host the delay bounds the rate at 1 page/s.

Then ``--sites`` servers (each its own host: 127.0.0.1 on its own port) with a feed of
``--per-site`` articles each: a round over one of them and a round over all of them, each
into a new store, and the ratio of their times (the target: at most 4x for 20 hosts). The
hosts are fetched ``--hosts`` at once; analysis and storing stay in the one process.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.newsite import NewsSite, article_page, rss, sample_articles  # noqa: E402

from thoisu.follow import Follower, PoliteClient  # noqa: E402
from thoisu.follow.follower import DEFAULT_HOSTS  # noqa: E402
from thoisu.store import Store  # noqa: E402


def publish(site: NewsSite, articles: list[dict]) -> str:
    items = []
    for i, a in enumerate(articles, 1):
        site.html(f"/a/{i}.html", article_page(a))
        items.append((f"/a/{i}.html", a["title"], a["published"]))
    site.feed("/feed.xml", rss(site.base, items), '"v1"')
    return site.url("/feed.xml")


def timed_round(feeds: list[str], hosts: int) -> tuple[float, str]:
    with tempfile.TemporaryDirectory() as tmp, Store(str(Path(tmp) / "f.db")) as store:
        with PoliteClient() as client:
            started = time.perf_counter()
            report = Follower(store, client, feeds, hosts=hosts).round()
            return time.perf_counter() - started, report.summary()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="articles on the one-host feed")
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--per-site", type=int, default=3)
    parser.add_argument("--hosts", type=int, default=DEFAULT_HOSTS)
    args = parser.parse_args()
    from thoisu import analyze

    analyze("Tiêu đề\n\nMỹ kêu gọi Iran ngừng làm giàu urani.")  # models loaded beforehand
    with NewsSite() as site, tempfile.TemporaryDirectory() as tmp:
        feed = publish(site, sample_articles(args.n))
        with Store(str(Path(tmp) / "f.db")) as store, PoliteClient() as client:
            started = time.perf_counter()
            report = Follower(store, client, [feed]).round()
            elapsed = time.perf_counter() - started
            t0 = time.perf_counter()
            again = Follower(store, client, [feed]).round()
            second = time.perf_counter() - t0
    print(report.summary())
    print(f"first round: {elapsed:.1f} s, {report.fetched / elapsed:.2f} pages/s "
          f"(default delay 1 s per host; {args.n + 2} requests with robots.txt and the feed)")  # fmt: skip
    print(f"second round: {again.summary()} in {second:.1f} s")

    if args.sites < 2:
        return
    articles = sample_articles(args.sites * args.per_site)
    with ExitStack() as stack:
        sites = [stack.enter_context(NewsSite()) for _ in range(args.sites)]
        feeds = [
            publish(s, articles[k * args.per_site : (k + 1) * args.per_site])
            for k, s in enumerate(sites)
        ]
        one, one_summary = timed_round(feeds[:1], args.hosts)
        every, every_summary = timed_round(feeds, args.hosts)
    print(f"one host: {one_summary} in {one:.1f} s")
    print(f"{args.sites} hosts, {args.hosts} at once: {every_summary} in {every:.1f} s")
    print(f"ratio: {every / one:.2f}x the time of one host for {args.sites}x the feeds")


if __name__ == "__main__":
    main()
