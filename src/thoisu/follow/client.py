"""A polite, bounded HTTP client for feeds and article pages.

Every request goes through :meth:`PoliteClient.get`, which:

- accepts only ``http`` and ``https`` URLs (on every redirect hop too);
- honours robots.txt per host (RFC 9309 through the standard library's parser, redirects
  followed: a missing robots.txt (4xx) allows everything; an unreachable one (5xx, network
  error) nothing for now, tried again after 10 minutes; rules are kept a day), and its
  ``Crawl-delay`` when longer than ours;
- waits at least ``delay`` seconds between two requests to the same host;
- names itself with a User-Agent;
- gives up after ``timeout`` seconds without data, ``max_seconds`` for one request
  (connection, headers and body, however slowly they trickle), ``max_redirects`` redirects,
  or ``max_bytes`` of body (checked while downloading);
- retries 429 and 5xx answers and network errors ``retries`` times, waiting what the
  server's ``Retry-After`` asks (up to ``max_wait``) or an exponential backoff;
- sends ``If-None-Match`` / ``If-Modified-Since`` when given validators, so an unchanged
  feed costs a 304 and no body.
"""

from __future__ import annotations

import threading
import time
import urllib.robotparser
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from .. import __version__
from .deadline import DeadlineTransport, deadline

__all__ = ["FetchError", "FetchPolicy", "Fetched", "PoliteClient", "is_web_url"]

RETRIED = frozenset({429, 500, 502, 503, 504})
ROBOTS_TTL = 24 * 3600.0
ROBOTS_RETRY = 600.0
UNREACHABLE = object()  # a robots.txt that could not be read: nothing allowed, for now
REDIRECTS = frozenset({301, 302, 303, 307, 308})


def is_web_url(value: str) -> bool:
    """Whether ``value`` is an http(s) URL with a host."""
    try:
        parts = urlsplit(value.strip())
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # "http://[::1/x" and the like
        return False


class FetchError(Exception):
    """A URL that could not be fetched; ``str()`` says why in one line."""

    def __init__(self, url: str, reason: str, *, status: int | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.url, self.reason, self.status = url, reason, status


class Disallowed(FetchError):
    """robots.txt does not allow the URL (not retried on later rounds)."""


@dataclass(slots=True, frozen=True)
class FetchPolicy:
    """How politely and how far to fetch (the defaults are the command line's)."""

    user_agent: str = f"thoisu/{__version__} (Vietnamese news analysis)"
    delay: float = 1.0  # seconds between two requests to one host
    timeout: float = 20.0  # seconds without data before giving up
    max_seconds: float = 120.0  # longest request, headers and body, however they trickle
    max_redirects: int = 5
    max_bytes: int = 5 * 1024**2
    retries: int = 3  # after the first try, on 429 / 5xx / network errors
    backoff: float = 2.0  # first wait when the server gives no Retry-After; doubles
    max_wait: float = 120.0  # longest Retry-After honoured; a longer one fails the URL
    robots: bool = True

    def __post_init__(self) -> None:
        if self.delay < 0 or self.timeout <= 0 or self.max_bytes <= 0 or self.max_seconds <= 0:
            raise ValueError("delay must be >= 0, timeout, max_seconds and max_bytes > 0")
        if self.max_redirects < 0 or self.retries < 0:
            raise ValueError("max_redirects and retries must be >= 0")


@dataclass(slots=True)
class Fetched:
    url: str  # as asked
    final_url: str  # after redirects
    status: int
    content: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class PoliteClient:
    """One client per run: keeps connections, each host's last request time and robots."""

    def __init__(self, policy: FetchPolicy | None = None, *, sleep=time.sleep) -> None:
        self.policy = policy or FetchPolicy()
        self._sleep = sleep
        self._http = httpx.Client(
            # Bodies are read raw (to count bytes as they come) and inflated here, so only
            # the encodings decoded here are asked for.
            headers={"User-Agent": self.policy.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(self.policy.timeout),
            follow_redirects=False,  # followed here, so every hop is checked
            trust_env=False,  # no proxy or .netrc picked up from the environment
            # Each request, headers included, ends at its deadline (see _once).
            transport=DeadlineTransport(),
        )
        self._last: dict[str, float] = {}
        self._robots: dict[str, tuple[float, object]] = {}  # root -> (expires, rules)
        self._lock = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public ------------------------------------------------------------------------

    def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Fetched:
        """Fetch ``url`` politely; raises :class:`FetchError` (``Disallowed`` for robots)."""
        conditional = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        current = url
        for _hop in range(self.policy.max_redirects + 1):
            if not is_web_url(current):
                raise FetchError(url, f"not an http(s) URL: {current[:200]!r}")
            if self.policy.robots and not self._allowed(current):
                raise Disallowed(url, f"robots.txt of {urlsplit(current).netloc} disallows it")
            response = self._with_retries(url, current, conditional)
            if response.status in REDIRECTS:
                location = response.headers.get("location")
                if not location:
                    raise FetchError(url, f"HTTP {response.status} without a Location")
                try:
                    current = urljoin(current, location)
                except ValueError:
                    raise FetchError(url, f"bad redirect Location {location[:200]!r}") from None
                continue
            response.url = url
            response.final_url = current
            if response.status == 304 or 200 <= response.status < 300:
                return response
            raise FetchError(url, f"HTTP {response.status}", status=response.status)
        raise FetchError(url, f"more than {self.policy.max_redirects} redirects")

    # -- one request -------------------------------------------------------------------

    def _with_retries(self, url: str, current: str, headers: dict[str, str]) -> Fetched:
        wait = self.policy.backoff
        for attempt in range(self.policy.retries + 1):
            last = attempt == self.policy.retries
            try:
                response = self._once(url, current, headers)
            except FetchError as e:
                if last or e.status is not None:  # size or protocol errors are final
                    raise
                self._sleep(wait)
                wait *= 2
                continue
            if response.status not in RETRIED or last:
                return response
            asked = _retry_after(response.headers.get("retry-after"))
            if asked is not None and asked > self.policy.max_wait:
                raise FetchError(
                    url, f"HTTP {response.status}, Retry-After {asked:.0f} s is too long",
                    status=response.status,
                )  # fmt: skip
            self._sleep(asked if asked is not None else wait)
            wait *= 2
        raise AssertionError("unreachable")

    def _once(self, url: str, current: str, headers: dict[str, str]) -> Fetched:
        # One request at a time to a host, whichever thread asks (the follower's fetchers
        # may meet on one host through feeds listed under others), then the delay.
        with self._host_lock(current):
            self._wait_turn(current)
            return self._request(url, current, headers)

    def _host_lock(self, url: str) -> threading.Lock:
        try:
            host = urlsplit(url).netloc.lower()
        except ValueError:
            host = ""
        with self._lock:
            return self._host_locks.setdefault(host, threading.Lock())

    def _request(self, url: str, current: str, headers: dict[str, str]) -> Fetched:
        limit, seconds = self.policy.max_bytes, self.policy.max_seconds
        too_slow = FetchError(url, f"not downloaded within {seconds:g} s", status=0)
        end = time.monotonic() + seconds
        try:
            # The deadline bounds every socket operation of this request: a server that
            # trickles its headers or body a byte at a time cannot hold us past it.
            with deadline(seconds), self._http.stream("GET", current, headers=headers) as r:
                declared = r.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise FetchError(url, f"page larger than {limit:,} bytes", status=r.status_code)
                chunks, size = [], 0
                for chunk in r.iter_raw():
                    size += len(chunk)
                    if size > limit:
                        raise FetchError(
                            url, f"page larger than {limit:,} bytes", status=r.status_code
                        )
                    chunks.append(chunk)
                content = _decoded(url, b"".join(chunks), r.headers.get("content-encoding"), limit)
                return Fetched(url, current, r.status_code, content, dict(r.headers))
        except FetchError:
            raise
        except httpx.TimeoutException:
            if time.monotonic() >= end:
                raise too_slow from None
            raise FetchError(url, f"no answer within {self.policy.timeout:g} s") from None
        except httpx.HTTPError as e:
            raise FetchError(url, f"{type(e).__name__}: {e}") from None
        except (httpx.InvalidURL, ValueError, UnicodeError) as e:  # a malformed URL or host
            raise FetchError(url, f"bad URL: {e}", status=0) from None

    def _wait_turn(self, url: str) -> None:
        """Sleep until this host's delay since its last request has passed."""
        parts = urlsplit(url)
        host = parts.netloc.lower()
        delay = max(self.policy.delay, self._crawl_delay(f"{parts.scheme.lower()}://{host}"))
        with self._lock:
            ready = self._last.get(host, -1e9) + delay
            now = time.monotonic()
            self._last[host] = max(now, ready)
        if ready > now:
            self._sleep(ready - now)

    # -- robots.txt --------------------------------------------------------------------

    def _allowed(self, url: str) -> bool:
        """Whether robots.txt allows ``url``; raises FetchError while the host's robots.txt
        cannot be read (RFC 9309: then nothing may be fetched, but only for now)."""
        parts = urlsplit(url)
        key = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        cached = self._robots.get(key)
        if cached is None or cached[0] < time.monotonic():
            parser = self._read_robots(key)
            # Rules are kept a day (RFC 9309's advice); a failure is retried in 10 minutes.
            ttl = ROBOTS_TTL if parser is not UNREACHABLE else ROBOTS_RETRY
            cached = self._robots[key] = (time.monotonic() + ttl, parser)
        parser = cached[1]
        if parser is UNREACHABLE:
            raise FetchError(url, f"robots.txt of {parts.netloc} cannot be read now")
        return parser is None or parser.can_fetch(self.policy.user_agent, url)

    def _read_robots(self, root: str):  # -> RobotFileParser | None | UNREACHABLE
        """The host's rules; None when it has no robots.txt (everything allowed)."""
        current = root + "/robots.txt"
        response = None
        for _hop in range(self.policy.max_redirects + 1):  # RFC 9309: follow up to 5
            if not is_web_url(current):
                return UNREACHABLE
            try:
                response = self._with_retries(current, current, {})
            except FetchError:
                return UNREACHABLE
            if response.status not in REDIRECTS or not response.headers.get("location"):
                break
            current = urljoin(current, response.headers["location"])
        if response is None or response.status in REDIRECTS or response.status >= 500:
            return UNREACHABLE
        if 400 <= response.status < 500:
            return None
        parser = urllib.robotparser.RobotFileParser(root + "/robots.txt")
        parser.parse(response.content.decode("utf-8", "replace").splitlines())
        return parser

    def _crawl_delay(self, root: str) -> float:
        """The Crawl-delay the robots.txt of ``root`` (scheme://host) asks, if read."""
        parser = self._robots.get(root, (0.0, None))[1]
        if not isinstance(parser, urllib.robotparser.RobotFileParser):
            return 0.0
        value = parser.crawl_delay(self.policy.user_agent)
        return min(float(value), self.policy.max_wait) if value else 0.0


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _decoded(url: str, body: bytes, encoding: str | None, limit: int) -> bytes:
    """Undo gzip/deflate transfer compression within the size limit (a small compressed
    body must not expand past it)."""
    if not encoding or encoding.strip().lower() in ("identity", ""):
        return body
    import zlib

    kind = encoding.strip().lower()
    if kind not in ("gzip", "x-gzip", "deflate"):
        return body
    # 47: gzip or zlib header, detected; a raw deflate stream (some servers) is tried next.
    for wbits in (47, -zlib.MAX_WBITS) if kind == "deflate" else (47,):
        try:
            out = zlib.decompressobj(wbits).decompress(body, limit + 1)
            break
        except zlib.error:
            continue
    else:
        raise FetchError(url, f"body is not valid {kind}", status=0)
    if len(out) > limit:
        raise FetchError(url, f"page larger than {limit:,} bytes once decompressed", status=0)
    return out
