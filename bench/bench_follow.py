"""Following a feed with the default politeness: pages per second from one host.

    python bench/bench_follow.py --n 20

Serves N dated sample articles and their RSS feed from a local HTTP server (the tests' news
site), then runs one `thoisu follow` round with the default policy (1 s between requests to a
host, robots.txt read first) and prints pages fetched, stored and pages per second. With
one host the delay bounds the rate at 1 page/s; analysis of a page overlaps the wait only
in part (it runs between two requests), so the figure is what one followed site costs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.newsite import NewsSite, article_page, rss, sample_articles  # noqa: E402

from thoisu.follow import Follower, PoliteClient  # noqa: E402
from thoisu.store import Store  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20)
    args = parser.parse_args()
    from thoisu import analyze

    analyze("Tiêu đề\n\nMỹ kêu gọi Iran ngừng làm giàu urani.")  # models loaded beforehand
    with NewsSite() as site, tempfile.TemporaryDirectory() as tmp:
        items = []
        for i, a in enumerate(sample_articles(args.n), 1):
            site.html(f"/a/{i}.html", article_page(a))
            items.append((f"/a/{i}.html", a["title"], a["published"]))
        site.feed("/feed.xml", rss(site.base, items), '"v1"')
        with Store(str(Path(tmp) / "f.db")) as store, PoliteClient() as client:
            started = time.perf_counter()
            report = Follower(store, client, [site.url("/feed.xml")]).round()
            elapsed = time.perf_counter() - started
            t0 = time.perf_counter()
            again = Follower(store, client, [site.url("/feed.xml")]).round()
            second = time.perf_counter() - t0
    print(report.summary())
    print(f"first round: {elapsed:.1f} s, {report.fetched / elapsed:.2f} pages/s "
          f"(default delay 1 s per host; {args.n + 2} requests with robots.txt and the feed)")  # fmt: skip
    print(f"second round: {again.summary()} in {second:.1f} s")


if __name__ == "__main__":
    main()
