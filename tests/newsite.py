"""A small news site on 127.0.0.1 for the follow tests: an RSS feed, article pages built from
the bundled dated sample, robots.txt, and the hostile answers a crawler meets (304, 429 with
Retry-After, 500, a slow answer, an oversized page, a redirect loop)."""

from __future__ import annotations

import gzip
import html
import json
import threading
import time
from datetime import datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import islice
from pathlib import Path

DATED_SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "dantri-2020.jsonl.gz"
ROBOTS = "User-agent: *\nDisallow: /private/\n"


def sample_articles(n: int) -> list[dict]:
    with gzip.open(DATED_SAMPLE, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in islice(f, n)]


def article_page(article: dict, *, dated: bool = True) -> str:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in article["body"].split("\n") if p)
    meta = (
        f'<meta property="article:published_time" content="{article["published"]}T08:00:00+07:00">'
        if dated
        else ""
    )
    return (
        f"<!doctype html><html lang='vi'><head><meta charset='utf-8'>{meta}"
        f"<title>{html.escape(article['title'])}</title></head><body>"
        "<nav><a href='/'>Trang chủ</a> | <a href='/the-gioi'>Thế giới</a></nav>"
        f"<article><h1>{html.escape(article['title'])}</h1>"
        f"<p><b>{html.escape(article['sapo'] or '')}</b></p>{paragraphs}</article>"
        "<footer>© Báo thử nghiệm</footer></body></html>"
    )


def rss(base: str, items: list[tuple[str, str, str]]) -> str:
    """items: (path, title, ISO date)."""
    entries = "".join(
        f"<item><title>{html.escape(title)}</title><link>{base}{path}</link>"
        f"<guid>{base}{path}</guid>"
        f"<pubDate>{format_datetime(datetime.fromisoformat(day + 'T08:00:00+07:00'))}</pubDate>"
        "</item>"
        for path, title, day in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Tin thử nghiệm</title><link>{base}/</link>{entries}</channel></rss>"
    )


class NewsSite:
    """Routes: ``pages`` maps a path to (status, headers, body bytes) or a callable
    (handler) -> that triple; every request is logged as (path, headers, monotonic time)."""

    def __init__(self) -> None:
        self.pages: dict[str, object] = {"/robots.txt": (200, {}, ROBOTS.encode())}
        self.log: list[tuple[str, dict[str, str], float]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                site.log.append((self.path, dict(self.headers), time.monotonic()))
                route = site.pages.get(self.path)
                if route is None:
                    status, headers, body = 404, {}, b"not found"
                else:
                    status, headers, body = route(self) if callable(route) else route
                if status is None:  # the route wrote its answer itself
                    return
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> NewsSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> int:
        return sum(1 for p, _, _ in self.log if p == path)

    def html(self, path: str, page: str) -> None:
        self.pages[path] = (200, {"Content-Type": "text/html; charset=utf-8"}, page.encode())

    def feed(self, path: str, body: str, etag: str) -> None:
        """A feed that answers 304 to a request carrying its current ETag."""

        def route(handler: BaseHTTPRequestHandler):
            if handler.headers.get("If-None-Match") == etag:
                return 304, {"ETag": etag}, b""
            return 200, {"Content-Type": "application/rss+xml", "ETag": etag}, body.encode()

        self.pages[path] = route
