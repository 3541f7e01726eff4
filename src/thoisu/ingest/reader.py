"""Entry points: files, directories and stdin -> RawDocument | IngestError."""

from __future__ import annotations

import errno
import gzip
import io
import os
import sys
import zlib
from collections.abc import Iterable, Iterator
from typing import BinaryIO, TextIO

from thoisu.limits import LimitExceeded, Limits, current_limits, human_bytes
from thoisu.records import IngestError, RawDocument

from .decode import GzipReader, is_blank, looks_binary, peek, sniff
from .formats import READERS, Item

# Extension (after an optional ".gz") -> format; anything else is sniffed.
EXTENSIONS: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
    ".warc": "warc",
}

_JSONL_EXTENSIONS = (".jsonl", ".ndjson")
_MAX_COUNTED = 256 * 1024**2  # bytes of a corpus read to count its records for the progress bar


def format_of(path: str) -> tuple[str | None, bool]:
    """(format or None when it must be sniffed, gzip-compressed?) from a file name."""
    name = path.lower()
    gz = name.endswith(".gz")
    if gz:
        name = name[:-3]
    return EXTENSIONS.get(os.path.splitext(name)[1]), gz


def read_paths(
    paths: Iterable[str], *, limits: Limits | None = None
) -> Iterator[RawDocument | IngestError]:
    """Read files, directories (recursively, sorted, hidden files skipped) and ``-`` (stdin).

    Never raises for bad input: every problem is yielded as an IngestError and reading
    goes on with the next input. ``limits`` (default: :func:`~thoisu.limits.current_limits`)
    bound the bytes read per input and per document.
    """
    limits = limits or current_limits()
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    for path in paths:
        path = os.fspath(path)
        if path == "-":
            yield from read_stream(sys.stdin, "-", limits=limits)
        elif os.path.isdir(path):
            yield from _read_dir(path, limits)
        else:
            yield from read_file(path, limits=limits)


def read_stream(
    stream: TextIO | BinaryIO, source: str = "-", *, limits: Limits | None = None
) -> Iterator[RawDocument | IngestError]:
    """Read one input stream (stdin), sniffing its format: JSON Lines, JSON, HTML, an
    RSS/Atom feed, WARC (also gzip-compressed) or else plain text."""
    yield from _read_binary(_binary(stream), source, None, False, limits or current_limits())


def read_bytes(
    data: bytes, source: str, fmt: str | None = None, *, limits: Limits | None = None
) -> Iterator[RawDocument | IngestError]:
    """Read a document held in memory (a fetched page or feed) as format ``fmt`` (one of
    :data:`EXTENSIONS`' values; sniffed when None)."""
    if fmt is not None and fmt not in READERS:
        raise ValueError(f"unknown format {fmt!r}")
    yield from _read_binary(io.BytesIO(data), source, fmt, False, limits or current_limits())


def read_file(
    path: str, source: str | None = None, *, limits: Limits | None = None
) -> Iterator[RawDocument | IngestError]:
    """Read one file; ``source`` defaults to the path as given."""
    source = path if source is None else source
    fmt, gz = format_of(path)
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below, generator-safe
    except OSError as e:
        yield IngestError(source, _os_reason(e))
        return
    with f:
        yield from _read_binary(f, source, fmt, gz, limits or current_limits())


def count_hint(paths: Iterable[str]) -> int | None:
    """A cheap record count for a progress bar, or None when it cannot be known cheaply
    (stdin, feeds, WARC, JSON arrays). JSON Lines files are counted by lines."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    total = 0
    for path in paths:
        path = os.fspath(path)
        if path == "-":
            return None
        files = list(_walk(path)[0]) if os.path.isdir(path) else [path]
        for file in files:
            n = _count_file(file)
            if n is None:
                return None
            total += n
    return total


# --- internals ---------------------------------------------------------------------


def _read_dir(path: str, limits: Limits) -> Iterator[Item]:
    files, errors = _walk(path)
    yield from errors
    if not files and not errors:
        yield IngestError(path, "empty directory")
    for file in files:
        yield from read_file(file, limits=limits)


def _walk(root: str) -> tuple[list[str], list[IngestError]]:
    """All non-hidden files under ``root`` in sorted order, joined onto ``root`` as given."""
    errors: list[IngestError] = []

    def onerror(e: OSError) -> None:
        errors.append(IngestError(e.filename or root, _os_reason(e)))

    found: list[tuple[tuple[str, ...], str]] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        rel = os.path.relpath(dirpath, root)
        parts = () if rel == os.curdir else tuple(rel.split(os.sep))
        for name in filenames:
            if not name.startswith("."):
                found.append(((*parts, name), os.path.join(dirpath, name)))
    found.sort()
    return [p for _, p in found], errors


def _read_binary(
    raw: BinaryIO, source: str, fmt: str | None, gz: bool, limits: Limits
) -> Iterator[Item]:
    """Sniff when needed, then run the format reader, turning stream failures (truncated
    gzip, I/O errors, an input past its size limit, any unexpected error) into an
    IngestError after the records already read."""
    try:
        stream: BinaryIO = io.BufferedReader(GzipReader(raw)) if gz else raw
        stream = io.BufferedReader(_Capped(stream, limits.max_input_bytes))
        head, stream, at_eof = peek(stream)
        if fmt is None or fmt == "warc":
            sniffed = sniff(head, at_eof)
            if sniffed == "gzip" and not gz:  # compressed stdin or unnamed file
                yield from _read_binary(stream, source, fmt, True, limits)
                return
            if fmt is None:
                fmt = "text" if sniffed == "gzip" else sniffed
            elif sniffed != "warc" and not (at_eof and is_blank(head)):
                yield IngestError(source, "not a WARC file")
                return
        if at_eof and is_blank(head):
            yield IngestError(source, "empty file")
            return
        if fmt != "warc" and looks_binary(head):
            yield IngestError(source, "binary file, not text")
            return
        yield from READERS[fmt](stream, source, limits)
    except EOFError:
        yield IngestError(source, "truncated gzip file" if gz else "truncated file")
    except (gzip.BadGzipFile, zlib.error) as e:
        yield IngestError(source, f"corrupt gzip file ({e})")
    except OSError as e:
        yield IngestError(source, _os_reason(e))
    except LimitExceeded as e:
        yield IngestError(source, f"{e}; the rest was not read")
    except Exception as e:  # noqa: BLE001 - a reader's bug must not end the whole run
        yield IngestError(source, f"cannot read: {type(e).__name__}: {e}")


class _Capped(io.RawIOBase):
    """A byte stream that raises :class:`LimitExceeded` once more than ``cap`` bytes
    (after decompression) have been read from it."""

    def __init__(self, stream: BinaryIO, cap: int) -> None:
        self._read = getattr(stream, "read1", stream.read)  # see decode._Replay
        self._cap = cap
        self._count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._read(len(b))
        self._count += len(data)
        if self._count > self._cap:
            raise LimitExceeded(
                f"over the {human_bytes(self._cap)} limit for one input"
                " (THOISU_MAX_INPUT_BYTES, counted after decompression)"
            )
        b[: len(data)] = data
        return len(data)


def _binary(stream: TextIO | BinaryIO) -> BinaryIO:
    """The byte stream behind ``stream``; text-only streams are re-encoded as UTF-8."""
    if isinstance(stream, io.TextIOBase) or hasattr(stream, "encoding"):
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:
            return buffer
        return io.BufferedReader(_EncodedText(stream))  # type: ignore[arg-type]
    return stream  # type: ignore[return-value]


class _EncodedText(io.RawIOBase):
    """Adapts a text stream without a byte buffer (StringIO) into UTF-8 bytes, lazily."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            chunk = self._stream.read(8192)
            if not chunk:
                return 0
            self._pending = chunk.encode("utf-8")
        n = min(len(b), len(self._pending))
        b[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


def _os_reason(e: OSError) -> str:
    if e.errno == errno.ENOENT:
        return "no such file"
    if e.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if e.errno == errno.EISDIR:
        return "is a directory"
    return f"cannot read: {e.strerror or e}"


def _count_file(path: str) -> int | None:
    fmt, gz = format_of(path)
    if fmt in ("text", "html"):
        return 1
    if fmt != "jsonl":
        return None
    lines = read = 0
    last = b"\n"
    try:
        with gzip.open(path, "rb") if gz else open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
                read += len(chunk)
                if read > _MAX_COUNTED:
                    return None  # too big to count up front: the bar shows no total
    except (OSError, EOFError, zlib.error):
        pass
    return lines + (last != b"\n")
