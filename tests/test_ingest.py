"""Tests for thoisu.ingest: formats, sources and every reported error case."""

from __future__ import annotations

import gzip
import io
import itertools
import json
import sys
from pathlib import Path

import pytest

from thoisu.ingest import count_hint, read_paths, read_stream
from thoisu.records import IngestError, RawDocument

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
VNTC = SHARED / "data" / "vntc" / "vntc_sample.jsonl.gz"

TEXT = "Tiêu đề bài báo\n\nĐoạn mở đầu của bài.\n\nNội dung chính của bài báo.\n"
RECORD = {
    "id": "vntc-1",
    "title": "Tiêu đề",
    "sapo": "Đoạn sapo.",
    "body": "Thân bài.",
    "url": "https://vnexpress.net/a.html",
    "publisher": "VnExpress",
    "published": "2024-02-26",
    "category": "Thế giới",
}


def read(*paths: object) -> list[RawDocument | IngestError]:
    return list(read_paths([str(p) for p in paths]))


def errors(items: list[RawDocument | IngestError]) -> list[IngestError]:
    return [i for i in items if isinstance(i, IngestError)]


def docs(items: list[RawDocument | IngestError]) -> list[RawDocument]:
    return [i for i in items if isinstance(i, RawDocument)]


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- plain text and HTML ---------------------------------------------------------------


def test_text_file_is_one_document(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(TEXT, encoding="utf-8")
    [doc] = read(path)
    assert isinstance(doc, RawDocument)
    assert doc.source == str(path)
    assert doc.text == TEXT
    assert doc.html is None and doc.body is None


def test_html_file() -> None:
    [doc] = read(FIXTURES / "vnexpress-like.html")
    assert isinstance(doc, RawDocument)
    assert doc.html is not None and "<article" in doc.html
    assert doc.text is None


def test_bom_and_utf16_are_decoded(tmp_path: Path) -> None:
    sig = tmp_path / "sig.txt"
    sig.write_bytes(b"\xef\xbb\xbf" + TEXT.encode("utf-8"))
    u16 = tmp_path / "u16.txt"
    u16.write_bytes(TEXT.encode("utf-16"))  # with BOM
    a, b = read(sig, u16)
    assert isinstance(a, RawDocument) and a.text == TEXT
    assert isinstance(b, RawDocument) and b.text == TEXT


# --- errors ------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    [err] = read(missing)
    assert err == IngestError(str(missing), "no such file")


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.html"
    blank.write_text("  \n\n", encoding="utf-8")
    assert [e.reason for e in errors(read(empty, blank))] == ["empty file", "empty file"]


def test_invalid_utf8_reports_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("Tin tức ".encode() + b"caf\xe9 au lait")
    [err] = read(path)
    assert isinstance(err, IngestError)
    assert err.reason.startswith(f"invalid UTF-8 at byte {len('Tin tức '.encode()) + 3}, ")
    assert "not readable as Windows-1258, VNI or TCVN3 (closest: " in err.reason


def test_directory_is_recursive_sorted_skips_hidden_and_reports_binary(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    (root / "b").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "b" / "2.txt").write_text("Tiêu đề hai\n\nNội dung hai.", encoding="utf-8")
    (root / "a.txt").write_text("Tiêu đề một\n\nNội dung một.", encoding="utf-8")
    (root / "c.html").write_text("<html><body><p>Xin chào</p></body></html>", encoding="utf-8")
    (root / ".hidden.txt").write_text("bí mật", encoding="utf-8")
    (root / ".git" / "config.txt").write_text("x", encoding="utf-8")
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01")
    items = read(root)
    assert [i.source for i in items] == [
        str(root / "a.txt"),
        str(root / "b" / "2.txt"),
        str(root / "c.html"),
        str(root / "logo.png"),
    ]
    assert isinstance(items[2], RawDocument) and items[2].html
    assert items[3] == IngestError(str(root / "logo.png"), "binary file, not text")
    assert count_hint([str(root)]) is None  # logo.png: unknown format, no cheap count


def test_processing_continues_after_errors(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(TEXT, encoding="utf-8")
    items = read(tmp_path / "missing.txt", good)
    assert isinstance(items[0], IngestError)
    assert isinstance(items[1], RawDocument)


# --- JSON Lines and JSON -----------------------------------------------------------------


def test_jsonl_maps_vntc_fields_and_line_sources(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "c.jsonl",
        [
            json.dumps(RECORD, ensure_ascii=False),
            "",
            json.dumps({"title": "Hai", "text": "Thân bài hai.", "id": 7}),
            json.dumps({"content": "Nội dung ba."}),
            json.dumps({"html": "<p>Bốn</p>", "link": "https://vov.vn/x"}),
        ],
    )
    items = read(path)
    assert not errors(items)
    first, second, third, fourth = items
    assert first.source == f"{path}:1"
    assert (first.title, first.lead, first.body) == ("Tiêu đề", "Đoạn sapo.", "Thân bài.")
    assert first.external_id == "vntc-1"
    assert (first.url, first.publisher, first.published, first.category) == (
        "https://vnexpress.net/a.html",
        "VnExpress",
        "2024-02-26",
        "Thế giới",
    )
    assert second.source == f"{path}:3" and second.body == "Thân bài hai."
    assert second.external_id == "7"
    assert third.body == "Nội dung ba."
    assert fourth.html == "<p>Bốn</p>" and fourth.url == "https://vov.vn/x"


def test_jsonl_bad_line_is_reported_and_others_kept(tmp_path: Path) -> None:
    lines = [json.dumps({"body": f"Bài {i}"}) for i in range(1, 10)]
    lines[6] = '{"body": "hỏng'
    path = write_jsonl(tmp_path / "c.ndjson", lines)
    items = read(path)
    assert len(docs(items)) == 8
    [err] = errors(items)
    assert err.source == f"{path}:7"
    assert err.reason.startswith("line 7: not valid JSON: ")


def test_json_record_without_text(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [json.dumps({"id": "x", "url": "u"}), "[1, 2]"])
    first, second = read(path)
    assert isinstance(first, IngestError) and first.reason.startswith("no text")
    assert isinstance(second, IngestError) and "not a JSON object" in second.reason


def test_json_object_and_array(tmp_path: Path) -> None:
    one = tmp_path / "one.json"
    one.write_text(json.dumps(RECORD, indent=2, ensure_ascii=False), encoding="utf-8")
    many = tmp_path / "many.json"
    many.write_text(json.dumps([RECORD, {"body": "Hai"}], ensure_ascii=False), encoding="utf-8")
    a, b, c = read(one, many)
    assert isinstance(a, RawDocument) and a.source == str(one) and a.lead == "Đoạn sapo."
    assert isinstance(b, RawDocument) and b.source == f"{many}#1"
    assert isinstance(c, RawDocument) and c.source == f"{many}#2" and c.body == "Hai"


def test_gzip_wrapped_formats(tmp_path: Path) -> None:
    jl = tmp_path / "c.jsonl.gz"
    jl.write_bytes(gzip.compress((json.dumps(RECORD) + "\n").encode()))
    txt = tmp_path / "a.txt.gz"
    txt.write_bytes(gzip.compress(TEXT.encode()))
    a, b = read(jl, txt)
    assert isinstance(a, RawDocument) and a.source == f"{jl}:1" and a.body == "Thân bài."
    assert isinstance(b, RawDocument) and b.text == TEXT


def test_truncated_gzip_keeps_records_before_the_break(tmp_path: Path) -> None:
    lines = [json.dumps({"body": f"Bài số {i} " + "chữ " * 200}) for i in range(200)]
    data = gzip.compress("\n".join(lines).encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    items = read(path)
    assert errors(items)[-1] == IngestError(str(path), "truncated gzip file")
    kept = docs(items)
    assert 0 < len(kept) < 200
    assert kept[0].body is not None and kept[0].body.startswith("Bài số 0 ")


def test_truncated_gzip_text(tmp_path: Path) -> None:
    data = gzip.compress(TEXT.encode() * 50)
    path = tmp_path / "cut.txt.gz"
    path.write_bytes(data[:-12])
    assert read(path) == [IngestError(str(path), "truncated gzip file")]


# --- feeds ----------------------------------------------------------------------------


def test_rss_feed_entries() -> None:
    path = FIXTURES / "feed.rss"
    first, second = read(path)
    assert isinstance(first, RawDocument) and isinstance(second, RawDocument)
    assert first.source == f"{path}#1" and second.source == f"{path}#2"
    assert first.title == "Đà Nẵng khai trương cầu đi bộ ven sông Hàn"
    assert (
        first.url == "https://tuoitre.vn/da-nang-khai-truong-cau-di-bo-ven-song-han-2024030110.htm"
    )
    assert first.published == "2024-03-01T09:15:00+07:00"
    assert first.author == "Hoài Thương"
    assert first.html is not None and "<p>" in first.html  # content:encoded is HTML
    assert first.lead == "Cây cầu đi bộ dài 400 m được đưa vào sử dụng sáng nay."
    assert second.html is None and second.body is not None and second.body.startswith("Liên Bộ")


def test_atom_feed_entry() -> None:
    path = FIXTURES / "feed.atom"
    [entry] = read(path)
    assert isinstance(entry, RawDocument)
    assert entry.source == f"{path}#1"
    assert entry.url == "https://thanhnien.vn/lien-hop-quoc-keu-goi-ngung-ban-185240302.htm"
    assert entry.published == "2024-03-02T07:30:00+07:00"
    assert entry.author == "Khánh An"
    assert entry.html is not None and "ngừng bắn nhân đạo" in entry.html


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # malformed: kept as the raw text, which the cleaner reports as no date
        ("0000-00-00T00:00:00", None), ("2020-13-45", None), ("-0001-01-01", None),
        ("2020-02-30T25:61:00+99:00", None), ("Tue, 31 Feb 2020 10:00:00 GMT", None),
        # real dates in the formats feeds use
        ("Mon, 02 Nov 2020 10:00:00 +0700", "2020-11-02T10:00:00+07:00"),
        ("02 Nov 2020 10:00 +0700", "2020-11-02T10:00:00+07:00"),
        ("2020-11-02T10:00:00Z", "2020-11-02T10:00:00+00:00"),
    ],
)  # fmt: skip
def test_a_bad_feed_date_is_no_date_and_fails_nothing_else(tmp_path: Path, raw, expected) -> None:
    from thoisu.clean import clean

    path = tmp_path / "dates.xml"
    path.write_text(
        "<rss><channel><title>x</title>"
        f"<item><title>Thủ tướng tiếp Đại sứ Nhật Bản</title><pubDate>{raw}</pubDate>"
        "<description>Chiều nay, Thủ tướng tiếp Đại sứ Nhật Bản tại Hà Nội.</description></item>"
        "<item><title>Hà Nội mưa to</title><pubDate>Mon, 02 Nov 2020 10:00:00 +0700</pubDate>"
        "<description>Hà Nội có mưa to vào chiều nay.</description></item>"
        "</channel></rss>",
        encoding="utf-8",
    )
    first, second = read(path)
    assert isinstance(first, RawDocument) and isinstance(second, RawDocument)
    article = clean(first)
    assert article.published == expected
    assert bool(article.warnings) == (expected is None)  # "... is not a date; left out"
    assert clean(second).published == "2020-11-02T10:00:00+07:00"


def test_implausible_publication_dates_are_left_out() -> None:
    from thoisu.clean import clean

    for raw in ("9999-12-31", "1750-06-01"):
        article = clean(RawDocument(source="x", title="Tin", body="Hà Nội mưa to.", published=raw))
        assert article.published is None
        assert any("not a plausible date" in w for w in article.warnings)


def test_broken_feed(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text("<rss><channel><title>x</title>", encoding="utf-8")
    [err] = read(path)
    assert isinstance(err, IngestError)
    assert "feed" in err.reason


# --- WARC ------------------------------------------------------------------------------


def make_warc(path: Path, *, gz: bool) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    page = "<html><body><article><p>Bài báo trong WARC.</p></article></body></html>"
    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=gz)

        def response(url: str, ctype: str, payload: bytes, status: str = "200 OK") -> None:
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(payload), http_headers=headers
            )
            writer.write_record(record)

        response("https://vnexpress.net/a.html", "text/html; charset=utf-8", page.encode())
        response("https://vnexpress.net/logo.png", "image/png", b"\x89PNG\x00\x00")
        response("https://soha.vn/b.htm", "text/html", page.replace("Bài", "Tin").encode())


@pytest.mark.parametrize("name,gz", [("crawl.warc", False), ("crawl.warc.gz", True)])
def test_warc_html_responses(tmp_path: Path, name: str, gz: bool) -> None:
    path = tmp_path / name
    make_warc(path, gz=gz)
    items = read(path)
    assert not errors(items)
    assert [(d.source, d.url) for d in docs(items)] == [
        (f"{path}#1", "https://vnexpress.net/a.html"),
        (f"{path}#3", "https://soha.vn/b.htm"),
    ]
    assert "Bài báo trong WARC." in (docs(items)[0].html or "")


# --- stdin ----------------------------------------------------------------------------


def test_read_stream_sniffs_formats() -> None:
    jsonl = (json.dumps(RECORD) + "\n" + json.dumps({"body": "Hai"}) + "\n").encode()
    a = list(read_stream(io.BytesIO(jsonl)))
    assert [d.source for d in a] == ["-:1", "-:2"]
    [h] = read_stream(io.BytesIO(b"<!DOCTYPE html><html><body><p>Xin</p></body></html>"))
    assert isinstance(h, RawDocument) and h.html
    [t] = read_stream(io.StringIO(TEXT), source="stdin")
    assert isinstance(t, RawDocument) and t.text == TEXT and t.source == "stdin"
    [z] = read_stream(io.BytesIO(gzip.compress(TEXT.encode())))
    assert isinstance(z, RawDocument) and z.text == TEXT
    feed = (FIXTURES / "feed.rss").read_bytes()
    assert len(list(read_stream(io.BytesIO(feed)))) == 2
    assert list(read_stream(io.BytesIO(b""))) == [IngestError("-", "empty file")]


def test_dash_means_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = io.TextIOWrapper(io.BytesIO(TEXT.encode()), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", fake)
    [doc] = read_paths(["-"])
    assert isinstance(doc, RawDocument) and doc.source == "-" and doc.text == TEXT


def test_count_hint(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [json.dumps({"body": str(i)}) for i in range(5)])
    txt = tmp_path / "a.txt"
    txt.write_text(TEXT, encoding="utf-8")
    assert count_hint([str(path), str(txt)]) == 6
    assert count_hint(["-"]) is None


# --- the shared corpus -------------------------------------------------------------------


def test_vntc_corpus_streams() -> None:
    if not VNTC.exists():
        pytest.skip("shared VNTC sample not available")
    head = list(itertools.islice(read_paths([str(VNTC)]), 20))
    assert len(docs(head)) == 20
    first = docs(head)[0]
    assert first.source == f"{VNTC}:1"
    assert first.external_id and first.external_id.startswith("vntc-")
    assert first.body and first.publisher and first.lead is None


def test_truncated_warc_keeps_complete_records(tmp_path: Path) -> None:
    whole = tmp_path / "whole.warc.gz"
    make_warc(whole, gz=True)
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(whole.read_bytes()[:-30])
    items = read(cut)
    assert [d.source for d in docs(items)] == [f"{cut}#1"]
    assert items[-1] == IngestError(str(cut), "truncated gzip file")


def test_not_a_warc(tmp_path: Path) -> None:
    path = tmp_path / "x.warc"
    path.write_text("chỉ là văn bản", encoding="utf-8")
    assert read(path) == [IngestError(str(path), "not a WARC file")]


def test_small_truncated_gzip_jsonl(tmp_path: Path) -> None:
    lines = [json.dumps({"body": f"Bài {i}"}) for i in range(10)]
    data = gzip.compress("\n".join(lines).encode())
    path = tmp_path / "small.jsonl.gz"
    path.write_bytes(data[:-10])  # only the gzip trailer and the last bytes are lost
    items = read(path)
    assert len(docs(items)) >= 8
    assert items[-1] == IngestError(str(path), "truncated gzip file")


def test_corrupt_gzip(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl.gz"
    path.write_bytes(b"not gzip at all")
    [err] = read(path)
    assert isinstance(err, IngestError) and err.reason.startswith("corrupt gzip file")
