"""A whole-request deadline for httpx.

httpx's timeouts bound each socket operation, not a request: a server that sends one byte of
its headers every few seconds never trips the read timeout, and the request never ends. Here
every socket operation (connect, TLS handshake, write, read) is bounded by the time left
before the deadline of the request in hand, set with :func:`deadline`, so a request ends at
its deadline whatever the server does, headers included.

httpcore's connection pool takes a network backend (its documented extension point); httpx's
transport does not pass one through, so :class:`DeadlineTransport` builds its own pool with
the same settings.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import httpcore
import httpx

__all__ = ["DeadlineExceeded", "DeadlineTransport", "deadline"]

_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "thoisu_request_deadline", default=None
)


class DeadlineExceeded(httpcore.ReadTimeout):
    """The request ran past its deadline (httpx reports it as a ReadTimeout)."""


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Requests made inside end within ``seconds`` from now (in this thread or task)."""
    token = _DEADLINE.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def _bounded(timeout: float | None) -> float | None:
    """``timeout`` shortened to the time left before the deadline; raises when none is."""
    end = _DEADLINE.get()
    if end is None:
        return timeout
    left = end - time.monotonic()
    if left <= 0:
        raise DeadlineExceeded("request deadline passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _bounded(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> httpcore.NetworkStream:
        return _Stream(self._stream.start_tls(ssl_context, server_hostname, _bounded(timeout)))

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        stream = self._backend.connect_tcp(
            host, port, _bounded(timeout), local_address, socket_options
        )
        return _Stream(stream)

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        return _Stream(self._backend.connect_unix_socket(path, _bounded(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's own transport (its request and error mapping) over a pool whose sockets
    honour :func:`deadline`. No proxy: the polite client never uses one."""

    def __init__(self, *, socket_options: Iterable | None = None) -> None:
        super().__init__(trust_env=False)
        limits = httpx.Limits()
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            socket_options=socket_options,
            network_backend=_Backend(),
        )
