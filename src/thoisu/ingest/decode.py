"""Byte-level helpers for ingest: peeking, sniffing, binary detection and decoding."""

from __future__ import annotations

import codecs
import io
import json
import re
import zlib
from typing import BinaryIO

from .legacy import LegacyDecodeError, decode_legacy

HEAD_SIZE = 64 * 1024  # enough to sniff any format and see a whole first JSON line

GZIP_MAGIC = b"\x1f\x8b"
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)


class DecodeError(ValueError):
    """Bytes that are not readable text; ``str(err)`` is the one-line reason."""


class _Replay(io.RawIOBase):
    """A raw stream that serves already-read ``head`` bytes, then the rest of ``rest``."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        # read1: one raw read per call, so an error (a truncated gzip) is raised only by
        # a call that had nothing left to return and no decoded data is dropped.
        self._read = getattr(rest, "read1", rest.read)

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head.nbytes:
            n = min(len(b), self._head.nbytes)
            b[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._read(len(b))
        if not data:
            return 0
        b[: len(data)] = data
        return len(data)


class GzipReader(io.RawIOBase):
    """Streaming gzip decompression (multi-member) that hands out every byte decoded
    before a truncation and only then raises EOFError ("truncated gzip file").

    ``gzip.GzipFile`` drops the data decoded within the failing ``read`` call, which for
    a small file is all of it. At most ``chunk_size`` decompressed bytes are held at a time,
    however well the input compresses (a gzip bomb inflates a chunk at a time).
    """

    def __init__(self, raw: BinaryIO, chunk_size: int = 256 * 1024) -> None:
        self._raw = raw
        self._chunk_size = chunk_size
        self._inflate = zlib.decompressobj(wbits=31)
        self._pending = b""  # compressed input not yet inflated
        self._buf = b""
        self._pos = 0
        self._in_member = False
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        while self._pos >= len(self._buf):
            if self._done:
                return 0
            self._fill()
        n = min(len(b), len(self._buf) - self._pos)
        b[:n] = self._buf[self._pos : self._pos + n]
        self._pos += n
        return n

    def _fill(self) -> None:
        if not self._pending:
            self._pending = self._inflate.unconsumed_tail or self._raw.read(64 * 1024)
            if not self._pending:
                if self._in_member:
                    raise EOFError("truncated gzip file")
                self._done = True
                return
        self._in_member = True
        out = self._inflate.decompress(self._pending, self._chunk_size)  # zlib.error if corrupt
        self._pending = self._inflate.unconsumed_tail
        if self._inflate.eof:
            # the next member, after any zero padding
            self._pending = self._inflate.unused_data.lstrip(b"\x00")
            self._inflate = zlib.decompressobj(wbits=31)
            self._in_member = False
        self._buf, self._pos = out, 0


def peek(stream: BinaryIO, size: int = HEAD_SIZE) -> tuple[bytes, BinaryIO, bool]:
    """Read up to ``size`` bytes for sniffing; return (head, equivalent stream, at_eof).

    Works on unseekable streams (stdin, gzip) by replaying the head before the rest.
    """
    read = getattr(stream, "read1", stream.read)
    chunks: list[bytes] = []
    got = 0
    at_eof = False
    try:
        while got < size:
            chunk = read(size - got)
            if not chunk:
                at_eof = True
                break
            chunks.append(chunk)
            got += len(chunk)
    except EOFError:
        pass  # truncated: the replayed stream raises again after the head
    head = b"".join(chunks)
    return head, io.BufferedReader(_Replay(head, stream), buffer_size=HEAD_SIZE), at_eof


def has_utf16_bom(data: bytes) -> bool:
    return data.startswith(_UTF16_BOMS)


def is_blank(data: bytes) -> bool:
    """True for bytes that hold no text at all (whitespace and BOMs only)."""
    for bom in (codecs.BOM_UTF8, *_UTF16_BOMS):
        if data.startswith(bom):
            if bom in _UTF16_BOMS:
                return not data[len(bom) :].decode("utf-16", "ignore").strip()
            data = data[len(bom) :]
    return not data.strip()


def looks_binary(head: bytes) -> bool:
    """Heuristic: NUL bytes, or mostly undecodable / control bytes, mean a binary file.
    Text in a legacy Vietnamese encoding (mostly high bytes, not UTF-8) is not binary."""
    if not head or has_utf16_bom(head):
        return False
    sample = head[:8192]
    if b"\x00" in sample:
        return True
    text = sample.decode("utf-8", "replace")
    bad = text.count("\ufffd") + sum(1 for c in text if ord(c) < 32 and c not in "\t\n\r\f\v\x1b")
    if bad <= 0.3 * len(text):
        return False
    try:
        decode_legacy(sample)
    except LegacyDecodeError:
        return True
    return False


def decode_bytes(data: bytes, *, html: bool = False) -> str:
    """:func:`decode_text` without the encoding's name."""
    return decode_text(data, html=html)[0]


# Declared charsets that font-based Vietnamese pages (VNI, TCVN3) were published under: text
# declared so is tried as a legacy Vietnamese encoding first.
_WESTERN = frozenset({"iso8859-1", "cp1252", "cp1258", "ascii", "iso8859-15"})


def decode_text(
    data: bytes, *, html: bool = False, declared: str | None = None
) -> tuple[str, str | None]:
    """Decode text: UTF-8, UTF-8 with BOM, or UTF-16 with a BOM; else a charset the page
    declares (``declared``, or HTML's ``<meta>``), except that text declared as a Western
    single-byte charset is first tried as a legacy Vietnamese encoding, as font-based pages
    were published; else a legacy Vietnamese encoding (Windows-1258, VNI, TCVN3), detected
    and converted to NFC. Returns the text and the legacy encoding's name (None for Unicode
    or a declared charset).

    Raises DecodeError with a human reason ("invalid UTF-8 at byte N, ...", "binary file,
    not text"); for bytes that are no known encoding, it names the closest one.
    """
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8-sig"), None
        except UnicodeDecodeError as e:
            raise DecodeError(f"invalid UTF-8 at byte {e.start + len(codecs.BOM_UTF8)}") from None
    if has_utf16_bom(data):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError as e:
            raise DecodeError(f"invalid UTF-16 at byte {e.start}") from None
    if looks_binary(data):
        raise DecodeError("binary file, not text")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as e:
        utf8_error = e
    declared = declared or (charset_of_html(data) if html else None)
    codec = codecs.lookup(declared).name if declared else None
    if codec and codec != "utf-8":  # old pages declare a legacy charset (windows-1258, ...)
        if codec in _WESTERN:
            try:
                return decode_legacy(data)
            except LegacyDecodeError:
                pass
        try:
            return data.decode(declared), None  # type: ignore[arg-type]
        except UnicodeDecodeError:
            pass
    try:
        return decode_legacy(data)
    except LegacyDecodeError as e:
        reason = str(e).removeprefix("not UTF-8, and ")
        raise DecodeError(f"invalid UTF-8 at byte {utf8_error.start}, and {reason}") from None


def charset_of_html(data: bytes) -> str | None:
    """The charset declared in an HTML ``<meta>`` tag, if it is a known codec."""
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return None
    name = m.group(1).decode("ascii", "ignore")
    try:
        codecs.lookup(name)
    except LookupError:
        return None
    return name


def charset_of_content_type(value: str | None) -> str | None:
    """``text/html; charset=windows-1258`` -> ``windows-1258`` (when Python knows it)."""
    if not value:
        return None
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", value, re.I)
    if not m:
        return None
    try:
        codecs.lookup(m.group(1))
    except LookupError:
        return None
    return m.group(1)


def sniff(head: bytes, at_eof: bool) -> str:
    """Guess the format of unnamed input from its first bytes.

    Returns one of "gzip", "warc", "jsonl", "json", "feed", "html", "text".
    """
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(b"WARC/"):
        return "warc"
    if has_utf16_bom(head):
        text = head.decode("utf-16", "ignore")
    else:
        text = head.decode("utf-8", "ignore").lstrip("\ufeff")
    stripped = text.lstrip()
    if stripped.startswith("{"):
        first, newline, _ = stripped.partition("\n")
        if not newline and not at_eof:
            return "jsonl"  # a first line longer than the head: surely one record per line
        return "jsonl" if _is_json_object(first) else "json"
    if stripped.startswith("["):
        return "json"
    if stripped.startswith("<"):
        low = stripped[:4096].lower()
        if re.search(r"<(rss|feed|rdf:rdf)[\s>]", low):
            return "feed"
        return "html"
    return "text"


def _is_json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False
