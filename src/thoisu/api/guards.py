"""What stands between the network and the app: one ASGI middleware per request.

:class:`RequestGuard` bounds what a request may cost before any route runs, so no route has
to remember to: the URL's length (414), the body's size counted as it arrives, chunked
bodies too (413), a time budget for the work done on its behalf, cut short when the client
goes away (:func:`request_budget`); it answers HEAD like GET without a body and adds the
security headers to every response. Host checking is Starlette's ``TrustedHostMiddleware``.
"""

from __future__ import annotations

import ipaddress
import json
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass, field

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["Budget", "HostGuard", "RequestGuard", "SECURITY_HEADERS", "request_budget"]

# Every asset is served by thoisu itself and pages run no script of their own: the
# strictest policy that fits. frame-ancestors 'none' (with X-Frame-Options for old
# browsers) stops clickjacking; no referrer leaves for the linked newspaper sites.
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self';"
        b" connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


@dataclass(slots=True)
class Budget:
    """The time one request may take, and whether its client has gone away: checked by the
    store between steps of a query (``Store.limit_time``) so abandoned or runaway work
    stops."""

    seconds: float
    started: float = field(default_factory=time.monotonic)
    _gone: threading.Event = field(default_factory=threading.Event)

    def cancel(self) -> None:
        self._gone.set()

    @property
    def cancelled(self) -> bool:
        return self._gone.is_set()

    def exhausted(self) -> bool:
        """True once the client left or the time is spent."""
        return self._gone.is_set() or time.monotonic() - self.started > self.seconds


_BUDGET: ContextVar[Budget | None] = ContextVar("thoisu_request_budget", default=None)


def request_budget() -> Budget | None:
    """The budget of the request being served (None outside a request)."""
    return _BUDGET.get()


class RequestGuard:
    """Bounds on each HTTP request; see the module docstring.

    ``max_body``: bytes of request body, counted as they arrive (at most this much is
    held); ``max_url``: bytes of path and query string; ``seconds``: the time budget.
    """

    def __init__(self, app: ASGIApp, *, max_body: int, max_url: int, seconds: float) -> None:
        self.app = app
        self.max_body = max_body
        self.max_url = max_url
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _with_headers(send, head=scope["method"] == "HEAD")
        if scope["method"] == "HEAD":  # every GET route answers HEAD: same headers, no body
            scope = {**scope, "method": "GET"}
        url_size = len(scope.get("raw_path") or scope["path"].encode()) + len(
            scope.get("query_string") or b""
        )
        if url_size > self.max_url:
            await _error(send, 414, f"URL over the {self.max_url:,}-byte limit")
            return
        body = await self._read_body(scope, receive, send)
        if body is None:
            return
        budget = Budget(self.seconds)
        gone = anyio.Event()
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            await gone.wait()
            return {"type": "http.disconnect"}

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            budget.cancel()
            gone.set()

        token = _BUDGET.set(budget)
        try:
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(watch)
                await self.app(scope, replay, send)
                tasks.cancel_scope.cancel()
        finally:
            _BUDGET.reset(token)

    async def _read_body(self, scope: Scope, receive: Receive, send: Send) -> bytes | None:
        """The whole body, or None after answering 413: a declared length over the limit
        is refused before reading, and a chunked body as soon as it passes the limit."""
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            await _error(send, 413, self._too_large())
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await _error(send, 413, self._too_large())
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _too_large(self) -> str:
        return f"request body over the {self.max_body:,}-byte limit (THOISU_MAX_BODY)"


def _with_headers(send: Send, *, head: bool) -> Send:
    """``send`` adding the security headers, and dropping the body when answering HEAD."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {name.lower() for name, _ in message.get("headers", [])}
            extra = [h for h in SECURITY_HEADERS if h[0] not in present]
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        elif message["type"] == "http.response.body" and head:
            message = {**message, "body": b""}
        await send(message)

    return wrapped


async def _error(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class HostGuard:
    """Serves only requests whose Host header names this server, against DNS rebinding (a
    page on another site making a browser send it requests): the names in ``names``, and
    with ``any_ip`` any IP address (a server listening on all interfaces is reached by its
    addresses; a rebinding attack needs a domain name)."""

    def __init__(self, app: ASGIApp, *, names: list[str], any_ip: bool = False) -> None:
        self.app = app
        self.names = {n.lower().strip("[]") for n in names}
        self.any_ip = any_ip

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self.allowed(dict(scope["headers"]).get(b"host", b"")):
            await _error(send, 400, "Invalid host header: start `thoisu serve` with"
                                    " --allow-host NAME to serve this name")  # fmt: skip
            return
        await self.app(scope, receive, send)

    def allowed(self, header: bytes) -> bool:
        host = header.decode("latin-1").strip().lower()
        if host.startswith("["):  # [::1]:8000
            host = host[1 : host.find("]")] if "]" in host else ""
        elif host.count(":") == 1:
            host = host.split(":", 1)[0]
        if not host:
            return False
        if host in self.names:
            return True
        if not self.any_ip:
            return False
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return False
        return True
