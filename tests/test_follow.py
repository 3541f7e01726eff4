"""Following feeds and fetching pages, against a news site of the tests' own on 127.0.0.1."""

from __future__ import annotations

import gzip
import json
import threading
import time
from http.server import BaseHTTPRequestHandler

import pytest
from click.testing import CliRunner

from thoisu.cli import main
from thoisu.follow import FetchError, FetchPolicy, Follower, PoliteClient, feed_targets
from thoisu.follow.client import Disallowed
from thoisu.store import Store

from .newsite import NewsSite, article_page, rss, sample_articles

FAST = dict(delay=0.0, timeout=0.5, retries=1, backoff=0.01, max_bytes=300_000)


class Sleeps(list):
    """A sleep that records what it was asked (so Retry-After is checked without waiting)."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client(sleeps: Sleeps | None = None, **policy) -> PoliteClient:
    return PoliteClient(
        FetchPolicy(**{**FAST, **policy}), sleep=Sleeps() if sleeps is None else sleeps
    )


@pytest.fixture
def site():
    with NewsSite() as s:
        yield s


def publish(site: NewsSite, n: int, *, etag: str = '"v1"', extra: tuple = ()) -> list[dict]:
    """n sample articles as pages under /a/, listed (with ``extra`` items) in /feed.xml."""
    articles = sample_articles(n)
    items = []
    for i, a in enumerate(articles, 1):
        site.html(f"/a/{i}.html", article_page(a, dated=i % 2 == 1))
        items.append((f"/a/{i}.html", a["title"], a["published"]))
    site.feed("/feed.xml", rss(site.base, items + list(extra)), etag)
    return articles


# --- the follower ---------------------------------------------------------------------


def test_follow_once_stores_dated_articles_and_a_second_round_fetches_nothing(site, tmp_path):
    articles = publish(site, 3)
    db = str(tmp_path / "t.db")
    result = CliRunner().invoke(
        main, ["follow", site.url("/feed.xml"), "--once", "--db", db, "--delay", "0", "-q"]
    )
    assert result.exit_code == 0, result.output
    assert "feeds 1, new items 3, fetched 3, stored 3, skipped 0, failed 0" in result.output
    with Store(db, readonly=True) as store:
        stored = {a["url"]: a["published"] for a in store.articles_page(limit=10)[0]}
    assert len(stored) == 3
    for i, a in enumerate(articles, 1):
        # the page's own date (odd pages) or, where the page has none, the feed item's
        assert stored[site.url(f"/a/{i}.html")][:10] == a["published"][:10]

    fetched_before = len(site.log)
    again = CliRunner().invoke(
        main, ["follow", site.url("/feed.xml"), "--once", "--db", db, "--delay", "0", "-q"]
    )
    assert again.exit_code == 0, again.output
    assert "feeds 1, new items 0, fetched 0, stored 0, skipped 0, failed 0" in again.output
    # a new run reads robots.txt again; then one conditional request for the feed
    # (answered 304) and no page
    asked = [p for p, _, _ in site.log[fetched_before:]]
    assert asked == ["/robots.txt", "/feed.xml"]
    assert site.log[-1][1].get("If-None-Match") == '"v1"'


def test_relative_links_are_resolved_against_the_feed(site, tmp_path):
    (article,) = sample_articles(1)
    site.html("/news/one.html", article_page(article))
    feed = rss("", [("one.html", article["title"], article["published"])])  # link "one.html"
    site.feed("/news/feed.xml", feed, '"r"')
    with Store(str(tmp_path / "t.db")) as store, client() as c:
        report = Follower(store, c, [site.url("/news/feed.xml")]).round()
    assert (report.stored, report.failed) == (1, 0)
    assert site.hits("/news/one.html") == 1


def test_a_changed_feed_refetches_only_new_and_changed_entries(site, tmp_path):
    publish(site, 2)
    with Store(str(tmp_path / "t.db")) as store, client() as c:
        first = Follower(store, c, [site.url("/feed.xml")]).round()
        assert (first.new_items, first.stored) == (2, 2)
        publish(site, 3, etag='"v2"')  # one more entry, the first two unchanged
        second = Follower(store, c, [site.url("/feed.xml")]).round()
    assert (second.new_items, second.fetched, second.stored, second.skipped) == (1, 1, 1, 2)
    assert site.hits("/a/1.html") == 1 and site.hits("/a/3.html") == 1


def test_one_failing_page_or_feed_never_stops_the_others(site, tmp_path):
    site.pages["/broken.html"] = (500, {}, b"oops")
    site.pages["/private/x.html"] = (200, {}, b"<p>secret</p>")
    publish(
        site, 2, extra=(("/broken.html", "b", "2020-10-01"), ("/private/x.html", "p", "2020-10-01"))
    )
    feeds = [site.url("/missing.xml"), site.url("/feed.xml")]
    with Store(str(tmp_path / "t.db")) as store, client() as c:
        report = Follower(store, c, feeds).round()
        pages = {p["url"]: p for p in store.crawl.pages()}
        followed = {f["url"]: f for f in store.crawl.feeds()}
    assert (report.feeds, report.stored, report.failed, report.skipped) == (2, 2, 2, 1)
    assert any("missing.xml: HTTP 404" in line for line in report.failures)
    assert any("broken.html: HTTP 500" in line for line in report.failures)
    assert site.hits("/broken.html") == 2  # retried once
    assert site.hits("/private/x.html") == 0  # robots.txt disallows it
    assert pages[site.url("/private/x.html")]["status"] == "blocked"
    assert pages[site.url("/broken.html")]["status"] == "failed"
    assert followed[site.url("/feed.xml")]["stored"] == 2
    assert followed[site.url("/missing.xml")]["status"].startswith("failed")


def test_interrupting_finishes_the_page_in_hand_and_the_next_round_resumes(site, tmp_path):
    publish(site, 3)
    with Store(str(tmp_path / "t.db")) as store, client() as c:
        follower = Follower(store, c, [site.url("/feed.xml")])
        follower.on_page = lambda url, outcome: follower.stop.set()
        report = follower.round()
        assert store.count_articles() == 1
        assert report.interrupted and report.stored == 1
        assert site.hits("/a/2.html") == 0
        # the feed's ETag was not saved: the next round reads it whole and goes on
        resumed = Follower(store, c, [site.url("/feed.xml")]).round()
        assert (resumed.stored, resumed.skipped) == (2, 1)
        assert store.count_articles() == 3


def test_bad_links_empty_feeds_and_odd_answers_never_stop_a_round(site, tmp_path):
    publish(site, 1, extra=(("http://[::1/x", "bad", "2020-10-01"),
                            ("http://xn--/y", "idna", "2020-10-01"),
                            ("/feed.xml", "the feed itself", "2020-10-01")))  # fmt: skip
    site.feed("/empty.xml", rss(site.base, []), '"e"')
    site.pages["/lying.xml"] = (304, {}, b"")  # 304 to a request that was not conditional
    feeds = [site.url("/feed.xml"), site.url("/empty.xml"), site.url("/lying.xml")]
    with Store(str(tmp_path / "t.db")) as store, client() as c:
        report = Follower(store, c, feeds).round()
    assert report.feeds == 3 and report.stored == 1
    lines = "\n".join(report.failures)
    assert "not an HTML page (application/rss+xml)" in lines
    assert "lying.xml: HTTP 304 to a request that was not conditional" in lines
    assert "empty.xml" not in lines  # an empty feed is not an error
    assert report.failed == 4  # two malformed links, the feed as a page, the lying feed


def test_ingest_url_fetches_and_stores_a_page(site, tmp_path):
    (article,) = sample_articles(1)
    site.html("/one.html", article_page(article))
    db = str(tmp_path / "t.db")
    args = ["ingest", site.url("/one.html"), site.url("/nowhere.html"), "--db", db, "-q"]
    result = CliRunner().invoke(main, [*args, "--delay", "0", "--retries", "0"])
    assert result.exit_code == 1  # one page failed, and says so
    assert "nowhere.html: HTTP 404" in result.output
    assert "stored 1" in result.output
    with Store(db, readonly=True) as store:
        (row,) = store.articles_page(limit=5)[0]
    assert row["published"][:10] == article["published"][:10]
    assert row["url"] == site.url("/one.html")


def test_feed_targets_read_files_and_refuse_what_is_not_a_url(tmp_path):
    listing = tmp_path / "feeds.txt"
    listing.write_text("# Vietnamese feeds\nhttps://a.example/rss\n\nhttp://b.example/feed\n")
    assert feed_targets([str(listing), "https://a.example/rss"]) == [
        "https://a.example/rss",
        "http://b.example/feed",
    ]
    with pytest.raises(ValueError, match="neither an http"):
        feed_targets(["ftp://x.example/feed"])
    listing.write_text("file:///etc/passwd\n")
    with pytest.raises(ValueError, match="feeds.txt:1"):
        feed_targets([str(listing)])


# --- the client -----------------------------------------------------------------------


def test_robots_redirects_are_followed_and_an_unreachable_one_blocks_only_for_now(site):
    site.pages["/robots.txt"] = (301, {"Location": "/real-robots.txt"}, b"")
    site.pages["/real-robots.txt"] = (200, {}, b"User-agent: *\nDisallow: /x/\n")
    site.pages["/ok"] = (200, {}, b"ok")
    site.pages["/x/no"] = (200, {}, b"no")
    with client() as c:
        assert c.get(site.url("/ok")).content == b"ok"
        with pytest.raises(Disallowed):
            c.get(site.url("/x/no"))
        other = site.url("/ok").replace("127.0.0.1", "localhost")  # another host, same server
        site.pages["/robots.txt"] = (503, {}, b"")
        with pytest.raises(FetchError, match="cannot be read now") as caught:
            c.get(other)
        assert not isinstance(caught.value, Disallowed)  # failed, so tried again later


def test_retry_after_as_a_date_and_a_trickling_server(site):
    from email.utils import formatdate

    answers = iter([(503, {"Retry-After": formatdate(time.time() + 30, usegmt=True)}, b""),
                    (200, {}, b"ok")])  # fmt: skip
    site.pages["/later"] = lambda handler: next(answers)

    site.pages["/trickle"] = lambda handler: _drip(handler, b"HTTP/1.1 200 OK\r\n\r\n", 30)
    sleeps = Sleeps()
    with client(sleeps) as c:
        assert c.get(site.url("/later")).content == b"ok"
        assert 25 < sleeps[0] <= 30
    with client(retries=0, max_seconds=0.5) as c, pytest.raises(FetchError, match="within 0.5"):
        c.get(site.url("/trickle"))


def _drip(handler: BaseHTTPRequestHandler, head: bytes, n: int):
    """Write ``head``, then ``n`` bytes one every 0.1 s (each restarting a read timeout)."""
    try:
        handler.wfile.write(head)
        for _ in range(n):
            handler.wfile.write(b"x")
            handler.wfile.flush()
            time.sleep(0.1)
    except (BrokenPipeError, ConnectionResetError):
        pass
    handler.close_connection = True
    return None, {}, b""


def _trickle_headers(handler: BaseHTTPRequestHandler):
    """A status line, then header bytes that never end the headers: only a whole-request
    deadline ends such an answer."""
    return _drip(handler, b"HTTP/1.1 200 OK\r\nX-Slow: ", 100)


def test_a_server_trickling_its_headers_is_cut_at_the_deadline(site):
    site.pages["/headers"] = _trickle_headers
    start = time.monotonic()
    with (
        client(retries=2, timeout=5, max_seconds=1) as c,
        pytest.raises(FetchError, match="within 1 s"),
    ):
        c.get(site.url("/headers"))
    assert time.monotonic() - start < 4  # one try, ended at the deadline, not retried
    assert site.hits("/headers") == 1


def test_a_trickling_robots_txt_or_feed_never_holds_a_round(site, tmp_path):
    publish(site, 1)
    slow_host = site.url("/feed.xml").replace("127.0.0.1", "localhost")  # same server
    site.pages["/slow-feed.xml"] = _trickle_headers
    feeds = [site.url("/slow-feed.xml"), slow_host, site.url("/feed.xml")]
    start = time.monotonic()
    with Store(str(tmp_path / "t.db")) as store, client(max_seconds=1, timeout=5) as c:
        site.pages["/robots.txt"] = lambda h: _trickle_headers(h) if "localhost" in (
            h.headers.get("Host") or "") else (200, {}, b"")  # fmt: skip
        report = Follower(store, c, feeds).round()
    assert time.monotonic() - start < 8
    assert (report.feeds, report.stored, report.failed) == (3, 1, 2)
    assert any("slow-feed.xml" in f and "within 1 s" in f for f in report.failures)
    assert any("localhost" in f and "robots.txt" in f for f in report.failures)


def test_retry_after_is_honoured(site):
    answers = iter([(429, {"Retry-After": "1"}, b"slow down"), (200, {}, b"ok")])
    site.pages["/limited"] = lambda handler: next(answers)
    sleeps = Sleeps()
    with client(sleeps) as c:
        assert c.get(site.url("/limited")).content == b"ok"
    assert sleeps == [1.0]
    assert site.hits("/limited") == 2


def test_a_retry_after_too_long_fails_at_once(site):
    site.pages["/busy"] = (503, {"Retry-After": "3600"}, b"")
    with client() as c, pytest.raises(FetchError, match="Retry-After 3600"):
        c.get(site.url("/busy"))
    assert site.hits("/busy") == 1


def test_slow_oversized_looping_and_non_web_answers_fail_cleanly(site):
    def slow(handler: BaseHTTPRequestHandler):
        time.sleep(1.5)
        return 200, {}, b"late"

    def streamed(handler: BaseHTTPRequestHandler):  # no Content-Length: counted as it comes
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.end_headers()
        try:
            for _ in range(100):
                handler.wfile.write(b"x" * 10_000)
        except (BrokenPipeError, ConnectionResetError):
            pass
        handler.close_connection = True
        return None, {}, b""

    site.pages["/slow"] = slow
    site.pages["/big"] = (200, {}, b"x" * 400_000)
    site.pages["/stream"] = streamed
    site.pages["/loop"] = (302, {"Location": "/loop"}, b"")
    site.pages["/elsewhere"] = (302, {"Location": "file:///etc/passwd"}, b"")
    with client(retries=0) as c:
        with pytest.raises(FetchError, match="no answer within 0.5 s"):
            c.get(site.url("/slow"))
        with pytest.raises(FetchError, match="larger than 300,000 bytes"):
            c.get(site.url("/big"))
        with pytest.raises(FetchError, match="larger than 300,000 bytes"):
            c.get(site.url("/stream"))
        with pytest.raises(FetchError, match="more than 5 redirects"):
            c.get(site.url("/loop"))
        with pytest.raises(FetchError, match="not an http"):
            c.get(site.url("/elsewhere"))
        with pytest.raises(FetchError, match="not an http"):
            c.get("file:///etc/passwd")
    assert site.hits("/loop") == 6


def test_robots_user_agent_conditional_requests_and_gzip(site):
    site.pages["/robots.txt"] = (200, {}, b"User-agent: thoisu\nDisallow: /news/\n")
    site.pages["/news/a"] = (200, {}, b"a")
    site.pages["/gz"] = (200, {"Content-Encoding": "gzip"}, gzip.compress("tin tức".encode()))
    site.feed("/feed.xml", rss(site.base, []), '"e1"')
    with client() as c:
        with pytest.raises(Disallowed):
            c.get(site.url("/news/a"))
        assert c.get(site.url("/gz")).content.decode() == "tin tức"
        assert c.get(site.url("/feed.xml"), etag='"e1"').not_modified
    assert site.hits("/news/a") == 0 and site.hits("/robots.txt") == 1
    assert all(h["User-Agent"].startswith("thoisu/") for _, h, _ in site.log)


def test_requests_to_one_host_are_spaced_by_the_delay(site):
    site.pages["/p"] = (200, {}, b"p")
    with PoliteClient(FetchPolicy(**{**FAST, "delay": 0.25})) as c:  # real sleeps
        for _ in range(3):
            c.get(site.url("/p"))
    times = [t for p, _, t in site.log if p == "/p"]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert len(gaps) == 2 and min(gaps) >= 0.2


def test_the_store_remembers_feeds_for_the_dashboard(site, tmp_path):
    publish(site, 1)
    with Store(str(tmp_path / "t.db")) as store, client() as c:
        Follower(store, c, [site.url("/feed.xml")]).round()
        (feed,) = store.crawl.feeds()
    assert feed["url"] == site.url("/feed.xml") and feed["status"] == "ok"
    assert feed["items"] == 1 and feed["stored"] == 1 and feed["checked_at"]
    assert json.dumps(feed)  # plain values, ready for the API


def test_the_dashboard_and_api_show_what_was_followed(site, tmp_path):
    from fastapi.testclient import TestClient

    from thoisu.api import create_app

    publish(site, 1)
    site.pages["/gone.html"] = (410, {}, b"")
    site.feed("/other.xml", rss(site.base, [("/gone.html", "<b>x</b>", "2020-10-02")]), '"o"')
    db = tmp_path / "t.db"
    with Store(str(db)) as store, client() as c:
        Follower(store, c, [site.url("/feed.xml"), site.url("/other.xml")]).round()
    with TestClient(create_app(db)) as api:
        page = api.get("/ui/feeds")
        data = api.get("/feeds").json()
        failed = api.get("/ui/feeds", params={"status": "failed"})
    assert page.status_code == 200
    assert site.url("/feed.xml") in page.text and site.url("/a/1.html") in page.text
    assert {f["url"] for f in data["feeds"]} == {site.url("/feed.xml"), site.url("/other.xml")}
    assert {p["status"] for p in data["pages"]} == {"stored", "failed"}
    assert site.url("/gone.html") in failed.text and "HTTP 410" in failed.text
    assert site.url("/a/1.html") not in failed.text


def test_ctrl_c_finishes_the_page_in_hand_and_exits_cleanly(site, tmp_path):
    """A real SIGINT to a `thoisu follow` process while it fetches the first page."""
    import os
    import signal
    import subprocess
    import sys

    publish(site, 3)
    page, proc = site.pages["/a/1.html"], None

    def interrupted(handler):
        os.kill(proc.pid, signal.SIGINT)  # while this very page is being fetched
        time.sleep(0.2)
        return page

    site.pages["/a/1.html"] = interrupted
    db = tmp_path / "t.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "thoisu.cli", "follow", site.url("/feed.xml"), "--db", str(db),
         "--every", "1h", "--delay", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    output, _ = proc.communicate(timeout=120)
    assert proc.returncode == 130, output
    assert "stored 1" in output and "interrupted" in output
    assert site.hits("/a/2.html") == 0
    with Store(db, readonly=True) as store:
        assert store.count_articles() == 1


# --- several hosts at once ----------------------------------------------------------------


def test_feeds_on_different_hosts_are_fetched_at_once(tmp_path):
    """Each site's feed answers only once all three feeds were asked for (a barrier): a
    follower fetching one host after the other would time out at the first."""
    barrier = threading.Barrier(3, timeout=10)
    with NewsSite() as a, NewsSite() as b, NewsSite() as c:
        sites = (a, b, c)
        for n, site in enumerate(sites):
            (article,) = sample_articles(n + 1)[n:]
            site.html("/a/1.html", article_page(article))
            feed = rss(site.base, [("/a/1.html", article["title"], article["published"])])
            site.feed("/feed.xml", feed, '"v1"')
            answer = site.pages["/feed.xml"]

            def together(handler, answer=answer):
                barrier.wait()
                return answer(handler)

            site.pages["/feed.xml"] = together
        with Store(str(tmp_path / "t.db")) as store, client() as http:
            report = Follower(store, http, [s.url("/feed.xml") for s in sites], hosts=3).round()
            assert store.count_articles() == 3
    assert (report.feeds, report.stored, report.failed) == (3, 3, 0)


def test_one_host_is_asked_one_request_at_a_time_and_a_stop_ends_every_host(tmp_path):
    """Two feeds on one host never overlap their requests, even with threads to spare; a
    stop after the first stored page ends the round with at most the page in hand on the
    other host fetched besides."""
    busy, overlaps = [0], [0]
    lock = threading.Lock()
    with NewsSite() as one, NewsSite() as other:
        for site, prefix in ((one, "x"), (one, "y"), (other, "z")):
            articles = sample_articles(2)
            for i, article in enumerate(articles, 1):
                site.html(f"/{prefix}/{i}.html", article_page(article))
            site.feed(
                f"/{prefix}.xml",
                rss(site.base, [(f"/{prefix}/{i}.html", a["title"], a["published"])
                                for i, a in enumerate(articles, 1)]),
                f'"{prefix}"',
            )  # fmt: skip
        for path, route in list(one.pages.items()):

            def counted(handler, route=route):
                with lock:
                    busy[0] += 1
                    overlaps[0] += busy[0] > 1
                time.sleep(0.02)
                with lock:
                    busy[0] -= 1
                return route(handler) if callable(route) else route

            one.pages[path] = counted
        feeds = [one.url("/x.xml"), one.url("/y.xml"), other.url("/z.xml")]
        with Store(str(tmp_path / "t.db")) as store, client() as http:
            report = Follower(store, http, feeds, hosts=8).round()
            assert overlaps[0] == 0 and report.stored == 6
            assert one.hits("/x/1.html") == one.hits("/y/2.html") == 1
        with Store(str(tmp_path / "s.db")) as store, client() as http:
            follower = Follower(store, http, feeds, hosts=8)
            follower.on_page = lambda url, outcome: follower.stop.set()
            stopped = follower.round()
            pages = sum(s.hits(p) for s in (one, other) for p in s.pages if p.endswith(".html"))
    # the page that stopped it, and at most the one in hand on the other host (stored too)
    assert stopped.interrupted and 1 <= stopped.stored == pages - 6 <= 2


def test_a_surprise_while_fetching_a_page_fails_that_page_only(tmp_path):
    """An exception that is not a fetch error (a parser's bug) fails its page with a line;
    the feed's other pages and the other feeds go on."""
    with NewsSite() as site, NewsSite() as other:
        publish(site, 2)
        publish(other, 1)

        class Surprising(PoliteClient):
            def get(self, url, **kw):
                if url.endswith("/a/1.html") and url.startswith(site.base):
                    raise RuntimeError("a parser's bug")
                return super().get(url, **kw)

        feeds = [site.url("/feed.xml"), other.url("/feed.xml")]
        with Store(str(tmp_path / "t.db")) as store:
            with Surprising(FetchPolicy(**FAST), sleep=Sleeps()) as http:
                report = Follower(store, http, feeds).round()
            pages = {p["url"]: p["status"] for p in store.crawl.pages()}
    assert (report.feeds, report.new_items, report.stored, report.failed) == (2, 3, 2, 1)
    assert "RuntimeError: a parser's bug" in report.failures[0]
    assert pages[site.url("/a/1.html")] == "failed"


def test_one_request_at_a_time_to_a_host_whichever_thread_asks(site):
    busy, most = [0], [0]
    lock = threading.Lock()

    def slow(handler):
        with lock:
            busy[0] += 1
            most[0] = max(most[0], busy[0])
        time.sleep(0.05)
        with lock:
            busy[0] -= 1
        return 200, {}, b"p"

    site.pages["/p"] = slow
    with client() as http:
        threads = [threading.Thread(target=http.get, args=(site.url("/p"),)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert site.hits("/p") == 4 and most[0] == 1
