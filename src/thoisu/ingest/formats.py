"""One reader per input format: binary stream + source label -> RawDocument | IngestError.

Readers never raise for bad content; stream-level failures (a truncated gzip) propagate
to the caller, which reports them after whatever was already yielded.
"""

from __future__ import annotations

import html as html_lib
import io
import json
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, BinaryIO

from thoisu.limits import LimitExceeded, Limits, human_bytes
from thoisu.records import IngestError, RawDocument

from .decode import (
    DecodeError,
    charset_of_content_type,
    decode_text,
    has_utf16_bom,
    peek,
)

Item = RawDocument | IngestError
Reader = Callable[[BinaryIO, str, Limits], Iterator[Item]]

_TAG = re.compile(r"<[A-Za-z!/][^>]*>")
_CHAR_REF = re.compile(rb"&#([xX][0-9a-fA-F]{1,8}|[0-9]{1,10});")

# JSON record fields, first non-empty wins (VNTC names first).
_BODY_KEYS = ("body", "text", "content")
_LEAD_KEYS = ("sapo", "lead", "description")
_DATE_KEYS = ("published", "date", "published_at", "pubDate", "datePublished")
_URL_KEYS = ("url", "link")
_ID_KEYS = ("id", "external_id")


# --- bounded reads ----------------------------------------------------------------------


def read_document(stream: BinaryIO, limits: Limits) -> bytes:
    """The rest of ``stream`` as one document, refused past ``max_document_bytes``: at
    most one byte more than the limit is ever read."""
    limit = limits.max_document_bytes
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise LimitExceeded(document_too_large(limit))
    return data


def document_too_large(limit: int) -> str:
    return f"over the {human_bytes(limit)} limit for one document (THOISU_MAX_DOCUMENT_BYTES)"


def _bounded_lines(stream: Any, limit: int) -> Iterator[bytes | str | None]:
    """Lines of a byte or text stream, each read with at most ``limit`` + 1 units in
    memory; a longer line is skipped to its end and given as None."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        newline = b"\n" if isinstance(line, bytes) else "\n"
        if len(line) <= limit or line.endswith(newline):
            yield line
            continue
        while line and not line.endswith(newline):  # skip the rest, a chunk at a time
            line = stream.readline(64 * 1024)
        yield None


# --- plain text and HTML ----------------------------------------------------------------


def read_text(stream: BinaryIO, source: str, limits: Limits) -> Iterator[Item]:
    """A whole file is one plain-text article (chrome included; ``clean`` removes it)."""
    try:
        text, encoding = decode_text(read_document(stream, limits))
    except (DecodeError, LimitExceeded) as e:
        yield IngestError(source, str(e))
        return
    if not text.strip():
        yield _empty(source)
        return
    yield RawDocument(source=source, text=text, encoding=encoding)


def read_html(stream: BinaryIO, source: str, limits: Limits) -> Iterator[Item]:
    """A whole file is one web page."""
    try:
        page, encoding = decode_text(read_document(stream, limits), html=True)
    except (DecodeError, LimitExceeded) as e:
        yield IngestError(source, str(e))
        return
    if not page.strip():
        yield _empty(source)
        return
    yield RawDocument(source=source, html=page, encoding=encoding)


def _empty(source: str) -> IngestError:
    return IngestError(source, "empty file")


# --- JSON and JSON Lines --------------------------------------------------------------


def read_jsonl(stream: BinaryIO, source: str, limits: Limits) -> Iterator[Item]:
    """One JSON object per line, streamed: memory stays flat on large corpora, and a line
    over ``max_document_bytes`` is skipped (reported) without being held in memory."""
    head, stream, _ = peek(stream, 4)
    reader: Any = io.TextIOWrapper(stream, encoding="utf-16") if has_utf16_bom(head) else stream
    for lineno, line in enumerate(_bounded_lines(reader, limits.max_document_bytes), 1):
        where = f"{source}:{lineno}"
        if line is None:
            yield IngestError(
                where, f"line {lineno}: {document_too_large(limits.max_document_bytes)}"
            )
            continue
        if isinstance(line, bytes):
            if lineno == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            if not line.strip():
                continue
            try:
                line, encoding = line.decode("utf-8"), None
            except UnicodeDecodeError:
                try:  # a line in a legacy Vietnamese encoding
                    line, encoding = decode_text(line)
                except DecodeError as e:
                    yield IngestError(where, f"line {lineno}: {e}")
                    continue
        elif not line.strip():
            continue
        else:
            encoding = None
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError) as e:
            yield IngestError(where, f"line {lineno}: not valid JSON: {_json_reason(e)}")
            continue
        yield _with_encoding(record_to_raw(obj, where), encoding)


def read_json(stream: BinaryIO, source: str, limits: Limits) -> Iterator[Item]:
    """A ``.json`` file: one record object, or an array of them (``source#N``); a corpus
    larger than one document's limit belongs in JSON Lines, which is streamed."""
    try:
        text, encoding = decode_text(read_document(stream, limits))
    except LimitExceeded as e:
        yield IngestError(source, f"{e}; write a large corpus as JSON Lines (.jsonl)")
        return
    except DecodeError as e:
        yield IngestError(source, str(e))
        return
    if not text.strip():
        yield _empty(source)
        return
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as e:
        yield IngestError(source, f"not valid JSON: {_json_reason(e)}")
        return
    if isinstance(data, list):
        if not data:
            yield IngestError(source, "empty JSON array")
        for n, obj in enumerate(data, 1):
            yield _with_encoding(record_to_raw(obj, f"{source}#{n}"), encoding)
    else:
        yield _with_encoding(record_to_raw(data, source), encoding)


def _with_encoding(item: Item, encoding: str | None) -> Item:
    if isinstance(item, RawDocument):
        item.encoding = encoding
    return item


def _json_reason(e: Exception) -> str:
    if isinstance(e, json.JSONDecodeError):
        return f"{e.msg} at column {e.colno}"
    if isinstance(e, RecursionError):
        return "nested too deeply"
    return str(e)


def record_to_raw(obj: Any, source: str) -> Item:
    """Map a corpus record (VNTC fields: id, title, sapo, body, url, publisher, published,
    category; also text/content as body and html) to a RawDocument."""
    if not isinstance(obj, Mapping):
        return IngestError(source, f"not a JSON object but {type(obj).__name__}")
    body = _field(obj, *_BODY_KEYS)
    page = _field(obj, "html")
    title = _field(obj, "title")
    if not (body or page or title):
        return IngestError(source, "no text (no body, text, content, html or title)")
    return RawDocument(
        source=source,
        html=page,
        title=title,
        author=_field(obj, "author"),
        lead=_field(obj, *_LEAD_KEYS),
        body=body,
        url=_field(obj, *_URL_KEYS),
        publisher=_field(obj, "publisher", "site", "sitename"),
        published=_field(obj, *_DATE_KEYS),  # clean normalises dates
        category=_field(obj, "category"),
        external_id=_field(obj, *_ID_KEYS),
    )


def _field(obj: Mapping[str, Any], *keys: str) -> str | None:
    """First non-empty value among ``keys`` as a string (lists of paragraphs are joined)."""
    for key in keys:
        value = obj.get(key)
        if isinstance(value, list):  # paragraphs; anything but text and numbers is left out
            value = "\n".join(str(v) for v in value if isinstance(v, str | int | float))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and value.strip():
            return value
    return None


# --- RSS / Atom feeds ----------------------------------------------------------------


def read_feed(stream: BinaryIO, source: str, limits: Limits) -> Iterator[Item]:
    """One RawDocument per feed entry (``source#N``); HTML content goes to ``html``."""
    import feedparser  # imported lazily: only feeds need it

    try:
        data = read_document(stream, limits)
    except LimitExceeded as e:
        yield IngestError(source, str(e))
        return
    try:  # a character reference to a lone surrogate ("&#xD800;") cannot be decoded
        parsed = feedparser.parse(_CHAR_REF.sub(_no_surrogate, data))
    except Exception as e:  # noqa: BLE001 - feedparser may fail in many ways on bad input
        yield IngestError(source, f"not a valid feed: {type(e).__name__}: {e}"[:300])
        return
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo"):
            problem = str(parsed.get("bozo_exception") or "unreadable").splitlines()[0]
            yield IngestError(source, f"not a valid feed: {problem}")
        else:
            yield IngestError(source, "feed has no entries")
        return
    for n, entry in enumerate(entries, 1):
        try:  # one malformed entry is that entry's failure, never the feed's
            yield _entry_to_raw(entry, f"{source}#{n}")
        except Exception as e:  # noqa: BLE001 - feedparser's entries can hold anything
            yield IngestError(f"{source}#{n}", f"unreadable entry: {type(e).__name__}: {e}"[:300])


def _no_surrogate(m: re.Match[bytes]) -> bytes:
    ref = m.group(1)
    code = int(ref[1:], 16) if ref[:1] in b"xX" else int(ref)
    return b"&#xFFFD;" if 0xD800 <= code <= 0xDFFF else m.group(0)


def _entry_to_raw(entry: Mapping[str, Any], source: str) -> Item:
    contents = entry.get("content") or []
    content = next((c.get("value") for c in contents if (c.get("value") or "").strip()), None)
    summary = entry.get("summary") or None
    main = content or summary
    title = strip_tags(entry.get("title") or "") or None
    if not (main and main.strip()) and not title:
        return IngestError(source, "no text")
    lead = None
    if content and summary:
        plain = strip_tags(summary)
        if plain and plain not in strip_tags(content):
            lead = plain
    is_html = bool(main and _TAG.search(main))
    raw_date = entry.get("published") or entry.get("updated")
    parsed_date = entry.get("published_parsed") or entry.get("updated_parsed")
    return RawDocument(
        source=source,
        html=main if is_html else None,
        body=None if is_html else main,
        title=title,
        author=entry.get("author") or None,
        lead=lead,
        url=entry.get("link") or None,
        published=_entry_date(raw_date, parsed_date),
        category=_entry_category(entry),
        external_id=entry.get("id") or None,
        # dict.get: the raw field, without feedparser's deprecated updated -> published map
        updated=dict.get(entry, "updated") or dict.get(entry, "published") or None,
    )


def _entry_category(entry: Mapping[str, Any]) -> str | None:
    tags = entry.get("tags") or []
    for tag in tags:
        term = tag.get("term") if isinstance(tag, Mapping) else None
        if term:
            return str(term)
    return None


def _entry_date(raw: str | None, parsed: Any) -> str | None:
    """The entry's date as ISO 8601; else its raw text, which the cleaner reports as no date.

    feedparser reads many date formats, but it also rolls impossible ones over ("2020-13-45"
    becomes 2021-01-01, "-0001-01-01" 2000-01-01): its reading is taken only when the raw
    text holds the year, month and day it found, so a date that is not a date stays none."""
    if not raw or not str(raw).strip():
        return None
    raw = str(raw)
    iso = iso_date(raw)
    if iso or not parsed:
        return iso or raw
    try:
        year, month, day = int(parsed[0]), int(parsed[1]), int(parsed[2])
        when = datetime(*(int(v) for v in parsed[:6]), tzinfo=UTC)
    except (TypeError, ValueError, IndexError, OverflowError):
        return raw
    numbers = {int(n) for n in re.findall(r"\d+", raw)}
    month_named = _MONTH_NAMES[month - 1] in raw.lower()
    if year in numbers and day in numbers and (month in numbers or month_named):
        return when.isoformat()
    return raw


_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def strip_tags(fragment: str) -> str:
    """Crude HTML -> text for short feed fields (titles, summaries)."""
    return re.sub(r"\s+", " ", html_lib.unescape(_TAG.sub(" ", fragment))).strip()


def iso_date(value: str) -> str | None:
    """ISO 8601 or RFC 822 date string -> ISO 8601 (offset kept); None if neither."""
    value = value.strip()
    try:
        return datetime.fromisoformat(value).isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


# --- WARC ------------------------------------------------------------------------------

_HTML_TYPES = ("text/html", "application/xhtml+xml")


def read_warc(stream: BinaryIO, source: str, limits: Limits) -> Iterator[Item]:
    """Each HTML ``response`` (or ``resource``) record -> RawDocument (``source#N``,
    N counting all records). Other records (requests, metadata, images) are skipped."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    watched = _EOFWatch(stream, limits.max_document_bytes)
    records = ArchiveIterator(watched)
    # warcio fails on a response record without WARC-Target-URI (and the iterator with it):
    # such a record then has no HTTP headers, and _warc_record reports it.
    parse_http = records.loader.load_http_headers
    records.loader.load_http_headers = lambda rec_type, uri, stream, length: (
        parse_http(rec_type, uri, stream, length) if uri else None
    )
    n = 0
    try:
        for n, record in enumerate(records, 1):
            item = _warc_record(record, f"{source}#{n}", limits)
            cut = isinstance(item, RawDocument) and getattr(record.raw_stream, "limit", 0) > 0
            if cut:  # the HTML payload ended before its declared length
                yield IngestError(source, _truncated(watched))
                return
            if item is not None:
                yield item
    except ArchiveLoadFailed as e:
        reason = str(e).splitlines()[0] if str(e) else "unreadable"
        yield IngestError(f"{source}#{n + 1}", f"not a valid WARC record: {reason}")
        return
    if watched.truncated:
        yield IngestError(source, _truncated(watched))
    elif n == 0:
        yield IngestError(source, "no WARC records")


def _truncated(watched: _EOFWatch) -> str:
    return "truncated gzip file" if watched.truncated else "truncated WARC file"


class _EOFWatch(io.RawIOBase):
    """Turns a truncation (EOFError) into a clean end of stream, remembering it: warcio
    would otherwise swallow the error and end silently. Also refuses a run of more than
    ``max_line`` bytes without a line break: warcio reads header lines in time quadratic in
    their length, so one endless header line would hang it."""

    def __init__(self, stream: BinaryIO, max_line: int) -> None:
        self._read = getattr(stream, "read1", stream.read)  # see decode._Replay
        self._max_line = max_line
        self._run = 0  # bytes since the last line break
        self.truncated = False

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if self.truncated:
            return b""
        try:
            data = self._read(size)
        except EOFError:
            self.truncated = True
            return b""
        newline = data.rfind(b"\n")
        self._run = len(data) - newline - 1 if newline >= 0 else self._run + len(data)
        if self._run > self._max_line:
            raise LimitExceeded(
                f"a line of over {human_bytes(self._max_line)} (THOISU_MAX_DOCUMENT_BYTES):"
                " not a WARC file thoisu reads"
            )
        return data

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)


def _warc_record(record: Any, source: str, limits: Limits) -> Item | None:
    if record.rec_type == "response":
        headers = record.http_headers
        if headers is None:
            if not record.rec_headers.get_header("WARC-Target-URI"):
                return IngestError(source, "response record without WARC-Target-URI")
            return None
        ctype = headers.get_header("Content-Type") or ""
        status = headers.get_statuscode() or ""
        if not ctype.lower().startswith(_HTML_TYPES):
            return None
        if not status.startswith("2"):
            return IngestError(source, f"HTTP {status} response, not an article")
    elif record.rec_type == "resource":
        ctype = record.rec_headers.get_header("Content-Type") or ""
        if not ctype.lower().startswith(_HTML_TYPES):
            return None
    else:
        return None
    url = record.rec_headers.get_header("WARC-Target-URI")
    data = record.content_stream().read(limits.max_document_bytes + 1)
    if len(data) > limits.max_document_bytes:
        return IngestError(source, document_too_large(limits.max_document_bytes))
    if not data.strip():
        return IngestError(source, "empty response")
    try:
        page, encoding = decode_text(data, html=True, declared=charset_of_content_type(ctype))
    except DecodeError as e:
        return IngestError(source, str(e))
    return RawDocument(source=source, html=page, url=url, encoding=encoding)


READERS: dict[str, Reader] = {
    "text": read_text,
    "html": read_html,
    "jsonl": read_jsonl,
    "json": read_json,
    "feed": read_feed,
    "warc": read_warc,
}
