"""Hostile and broken input on the ingest path: one bad item never stops or loses a batch,
and no input makes the work per item unbounded (issue: limits and failures)."""

from __future__ import annotations

import gzip
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from thoisu.batch import ingest_items, ingest_paths
from thoisu.clean import clean
from thoisu.cli import main
from thoisu.ingest import read_paths, read_stream
from thoisu.limits import Limits
from thoisu.nlp import cut_span, segment
from thoisu.records import IngestError, RawDocument
from thoisu.store import Store

SENTENCE = "Ngoại trưởng Nga hôm nay đàm phán với Trung Quốc tại Bắc Kinh về hợp tác năng lượng."


def _record(i: int, **extra: object) -> str:
    return json.dumps(
        {"title": f"Tin số {i}", "body": f"{SENTENCE} Bài thứ {i}.", **extra}, ensure_ascii=False
    )


def _jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- one bad item ----------------------------------------------------------------------


def test_a_malformed_url_keeps_the_article_and_the_batch_goes_on(tmp_path: Path) -> None:
    lines = [_record(i) for i in range(5)]
    lines[2] = _record(2, url="http://[::1")
    with Store(tmp_path / "s.db") as store:
        report = ingest_paths(store, [str(_jsonl(tmp_path / "a.jsonl", lines))], jobs=1)
        assert (report.read, report.stored, report.failed) == (5, 5, 0)
        [warned] = report.warnings
        assert warned.source.endswith("a.jsonl:3") and "not a valid URL" in warned.reason
        stored = [store.get_article(a["id"]) for a in store.articles_page(limit=10)[0]]
    assert all(r["article"]["url"] is None for r in stored)


def test_a_feed_item_with_a_bad_link_is_stored_with_the_others(tmp_path: Path) -> None:
    items = "".join(
        f"<item><title>Tin {i}</title><link>{link}</link><description>{SENTENCE}"
        f" Số {i}.</description></item>"
        for i, link in enumerate(["https://vnexpress.net/a.html", "http://[::1", "https://x.vn/b"])
    )
    feed = tmp_path / "feed.xml"
    feed.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>')
    with Store(":memory:") as store:
        report = ingest_paths(store, [str(feed)], jobs=1)
    assert (report.stored, report.failed) == (3, 0)


@pytest.mark.parametrize("stage", ["clean", "segment", "entities"])
def test_any_error_in_one_item_is_that_items_failure(monkeypatch, tmp_path: Path, stage) -> None:
    """A bug in a stage (simulated) fails the one item it hit; the rest is stored and the
    summary printed. The entity stage runs over a group of articles at once: a bug there
    for one article fails that article alone."""
    import thoisu.pipeline as pipeline

    def flaky(real, text_of):
        def run(*args, **kwargs):
            if any("Bài thứ 3." in (text_of(a) or "") for a in args[0:1]):
                raise RuntimeError("boom")
            return real(*args, **kwargs)

        return run

    if stage == "clean":
        monkeypatch.setattr(pipeline, "clean", flaky(pipeline.clean, lambda raw: raw.body))
    elif stage == "segment":
        monkeypatch.setattr(pipeline, "segment", flaky(pipeline.segment, lambda a: a.text))
    else:
        monkeypatch.setattr(pipeline, "recognize", flaky(pipeline.recognize, lambda a: a.text))
        texts = lambda group: " ".join(a.text for a, _ in group)  # noqa: E731
        monkeypatch.setattr(pipeline, "recognize_many", flaky(pipeline.recognize_many, texts))
    path = _jsonl(tmp_path / "a.jsonl", [_record(i) for i in range(6)])
    result = CliRunner().invoke(main, ["ingest", str(path), "--db", str(tmp_path / "s.db"), "-q"])
    assert result.exit_code == 1
    assert "RuntimeError: boom" in result.output and "a.jsonl:4" in result.output
    assert "read 6, stored 5, skipped as duplicates 0, failed 1" in result.output


def test_a_reader_bug_is_reported_after_what_was_read(monkeypatch, tmp_path: Path) -> None:
    import thoisu.ingest.formats as formats

    def broken(stream, source, limits):
        yield RawDocument(source=source + "#1", body=SENTENCE)
        raise KeyError("unexpected")

    monkeypatch.setitem(formats.READERS, "feed", broken)
    feed = tmp_path / "f.rss"
    feed.write_text("<rss></rss>")
    good = tmp_path / "g.txt"
    good.write_text(SENTENCE, encoding="utf-8")
    items = list(read_paths([str(feed), str(good)]))
    assert isinstance(items[0], RawDocument)
    assert isinstance(items[1], IngestError) and "cannot read: KeyError" in items[1].reason
    assert isinstance(items[2], RawDocument) and items[2].source == str(good)


def test_an_interrupted_ingest_stores_what_it_analysed(tmp_path: Path) -> None:
    def items():
        for i in range(3):
            yield RawDocument(source=f"t{i}", body=f"{SENTENCE} Bài thứ {i}.")
        raise KeyboardInterrupt

    with Store(tmp_path / "s.db") as store:
        report = ingest_items(store, items(), batch_size=64)
        assert report.interrupted and report.summary().endswith("- interrupted")
        assert len(store) == 3


# --- limits, enforced while reading ---------------------------------------------------


class _Counting(io.RawIOBase):
    """An endless byte stream that counts what was read from it."""

    def __init__(self, chunk: bytes) -> None:
        self.chunk, self.read_bytes = chunk, 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        n = min(len(b), len(self.chunk))
        b[:n] = self.chunk[:n]
        self.read_bytes += n
        return n


def test_an_oversized_document_is_refused_after_reading_only_the_limit() -> None:
    endless = _Counting(("Tin tức hôm nay. " * 1000).encode())
    [err] = read_stream(io.BufferedReader(endless), "big", limits=Limits(max_document_bytes=50_000))
    assert isinstance(err, IngestError)
    assert "over the 49 KB limit for one document (THOISU_MAX_DOCUMENT_BYTES)" in err.reason
    assert endless.read_bytes < 200_000


def test_a_gzip_bomb_is_refused_without_inflating_it(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.txt.gz"
    with gzip.open(bomb, "wb") as f:
        for _ in range(200):  # 20 MB of text in a gzip of about 20 KB
            f.write(b"Tin tuc hom nay. " * 6000)
    [err] = read_paths([str(bomb)], limits=Limits(max_document_bytes=1_000_000))
    assert isinstance(err, IngestError) and "limit for one document" in err.reason


def test_an_input_over_its_limit_keeps_the_records_before_it(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "a.jsonl", [_record(i) for i in range(2_000)])
    items = list(read_paths([str(path)], limits=Limits(max_input_bytes=200_000)))
    docs = [i for i in items if isinstance(i, RawDocument)]
    assert 500 < len(docs) < 2_000
    assert isinstance(items[-1], IngestError)
    assert "limit for one input" in items[-1].reason and "the rest was not read" in items[-1].reason


def test_a_json_lines_record_over_the_limit_is_skipped_not_held(tmp_path: Path) -> None:
    huge = json.dumps({"title": "x", "body": "y" * 200_000})
    path = _jsonl(tmp_path / "a.jsonl", [_record(1), huge, _record(3)])
    items = list(read_paths([str(path)], limits=Limits(max_document_bytes=10_000)))
    assert [type(i).__name__ for i in items] == ["RawDocument", "IngestError", "RawDocument"]
    assert items[1].source.endswith(":2") and "line 2: over the" in items[1].reason


def test_a_long_article_is_cut_at_a_paragraph_with_a_warning() -> None:
    body = "\n".join(f"{SENTENCE} Đoạn {i}." for i in range(200))
    article = clean(RawDocument(source="t", title="Tiêu đề", body=body),
                    limits=Limits(max_article_chars=5_000))  # fmt: skip
    assert len(article.text) <= 5_000
    assert article.body.split("\n")[-1].startswith(SENTENCE)  # whole paragraphs only
    assert any("text cut to its first" in w for w in article.warnings)


def test_a_single_line_article_is_analysed_in_bounded_pieces() -> None:
    line = " ".join(f"{SENTENCE[:-1]} lần {i}" for i in range(400))  # no full stop, one line
    article = clean(RawDocument(source="t", title="Tiêu đề", body=line))
    limits = Limits(max_sentences=20, max_sentence_chars=300)
    sentences = segment(article, limits=limits)
    assert len(sentences) == 20
    assert all(len(s.text) <= 300 for s in sentences)
    assert any("over-long sentences cut" in w for w in article.warnings)
    assert any("analysed the first 20 of" in w for w in article.warnings)


def test_cut_span_cuts_at_spaces_and_keeps_every_character() -> None:
    text = "aaa bbb ccc ddd eee " * 10 + "x" * 50
    pieces = cut_span(text, 0, len(text), 30)
    assert all(e - s <= 30 for s, e in pieces)
    assert "".join(text[s:e] for s, e in pieces).replace(" ", "") == text.replace(" ", "")


def test_limits_come_from_the_environment() -> None:
    limits = Limits.from_env({"THOISU_MAX_SENTENCES": "50", "THOISU_MAX_DOCUMENT_BYTES": "2_000"})
    assert (limits.max_sentences, limits.max_document_bytes) == (50, 2_000)
    with pytest.raises(ValueError, match="THOISU_MAX_SENTENCES must be a positive integer"):
        Limits.from_env({"THOISU_MAX_SENTENCES": "lots"})


# --- content that is not what it claims ------------------------------------------------


def test_nul_and_control_characters_are_never_stored(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(("Tiêu đề\n\n" + SENTENCE * 200 + "\x00\x01 Hết\x00.").encode())
    [doc] = read_paths([str(path)])
    article = clean(doc)
    assert not any(ord(c) < 32 and c != "\n" for c in article.text)
    assert article.text.endswith("Hết.")


def test_a_page_with_only_navigation_and_a_footer_is_no_article(tmp_path: Path) -> None:
    page = tmp_path / "nav.html"
    page.write_text(
        "<!doctype html><html><head><title>Trang chủ</title></head><body><nav><ul>"
        + "".join(f'<li><a href="/{w}">{w}</a></li>' for w in ("Thời sự", "Thế giới", "Kinh tế"))
        + "</ul></nav><footer><p>© 2024 Báo ABC. Giấy phép số 123/GP.</p></footer></body></html>",
        encoding="utf-8",
    )
    with Store(":memory:") as store:
        report = ingest_paths(store, [str(page)], jobs=1)
    assert report.stored == 0 and report.failures[0].reason == "HTML page with no article text"


def test_legacy_encodings_are_converted_and_named(tmp_path: Path) -> None:
    from thoisu.ingest.legacy import encode_legacy

    text = "Hà Nội hôm nay\n\n" + SENTENCE + " Thủ tướng yêu cầu các bộ ngành khẩn trương."
    for encoding in ("windows-1258", "vni", "tcvn3"):
        path = tmp_path / f"{encoding}.txt"
        path.write_bytes(encode_legacy(text, encoding))
        [doc] = read_paths([str(path)])
        assert isinstance(doc, RawDocument) and doc.encoding == encoding
        article = clean(doc)
        assert "đàm phán với Trung Quốc" in article.text
        assert any(encoding in w for w in article.warnings)
    western = tmp_path / "fr.txt"
    western.write_bytes("Le président a rencontré les représentants à Paris.".encode("cp1252"))
    [err] = read_paths([str(western)])
    assert isinstance(err, IngestError) and "closest: " in err.reason


# --- worker processes ---------------------------------------------------------------------


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_workers_exit_when_the_ingest_is_killed(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import os, sys, time
        from concurrent.futures import ProcessPoolExecutor
        from thoisu.batch import _watch_parent
        pool = ProcessPoolExecutor(max_workers=1, initializer=_watch_parent)
        print(pool.submit(os.getpid).result(), flush=True)
        time.sleep(60)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    worker = int(parent.stdout.readline())
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while Path(f"/proc/{worker}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    state = (
        Path(f"/proc/{worker}/stat").read_text().split()[2]
        if Path(f"/proc/{worker}").exists()
        else "gone"
    )
    assert state in ("gone", "Z"), f"worker {worker} still running ({state})"


# --- found by review: what a single odd item must not break --------------------------------


def test_lone_surrogates_are_replaced_not_fatal(tmp_path: Path) -> None:
    lines = [_record(i) for i in range(6)]
    bad = {"publisher": "X\udc80", "author": "a\ud800"}
    lines[2] = json.dumps({"title": "Tin 2", "body": SENTENCE + " Bài thứ 2.", **bad})  # escaped
    lines[4] = json.dumps({"title": "Tin\ud800", "body": SENTENCE + " Bài thứ 4."})
    with Store(tmp_path / "s.db") as store:
        report = ingest_paths(store, [str(_jsonl(tmp_path / "a.jsonl", lines))], jobs=1)
        assert (report.stored, report.failed) == (6, 0)
        titles = {a["title"] for a in store.articles_page(limit=10)[0]}
    assert "Tin\ufffd" in titles


def test_a_feed_with_a_surrogate_reference_keeps_its_items(tmp_path: Path) -> None:
    items = "".join(
        f"<item><title>Tin {i}{'&#xD800;' if i == 1 else ''}</title><link>https://x.vn/{i}</link>"
        f"<description>{SENTENCE} Số {i}.</description></item>"
        for i in range(3)
    )
    feed = tmp_path / "feed.xml"
    feed.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>')
    docs = [d for d in read_paths([str(feed)]) if isinstance(d, RawDocument)]
    assert len(docs) == 3 and "\ufffd" in docs[1].title


def test_a_deeply_nested_json_line_fails_alone(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "a.jsonl", [_record(1), "[" * 100_000 + "]" * 100_000, _record(3)])
    items = list(read_paths([str(path)]))
    assert [type(i).__name__ for i in items] == ["RawDocument", "IngestError", "RawDocument"]
    assert "nested too deeply" in items[1].reason


def _warc_record(uri: str | None, body: str) -> bytes:
    http = f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{body}".encode()
    head = "WARC/1.0\r\nWARC-Type: response\r\n"
    head += f"WARC-Target-URI: {uri}\r\n" if uri else ""
    head += f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http)}\r\n"
    return head.encode() + b"\r\n" + http + b"\r\n\r\n"


def test_a_warc_record_without_its_uri_fails_alone(tmp_path: Path) -> None:
    page = f"<html><body><article><p>{SENTENCE}</p><p>{SENTENCE}</p></article></body></html>"
    warc = tmp_path / "a.warc"
    warc.write_bytes(
        b"".join(_warc_record(u, page) for u in ("http://a.vn/1", None, "http://a.vn/3"))
    )
    items = list(read_paths([str(warc)]))
    assert [type(i).__name__ for i in items] == ["RawDocument", "IngestError", "RawDocument"]
    assert "without WARC-Target-URI" in items[1].reason


def test_an_endless_warc_header_line_is_refused_quickly(tmp_path: Path) -> None:
    warc = tmp_path / "h.warc"
    warc.write_bytes(b"WARC/1.0\r\nWARC-Type: response\r\nX: " + b"a" * 3_000_000 + b"\r\n\r\n")
    started = time.monotonic()
    [err] = read_paths([str(warc)], limits=Limits(max_document_bytes=100_000))
    assert isinstance(err, IngestError) and "not a WARC file thoisu reads" in err.reason
    assert time.monotonic() - started < 5


def test_gzip_is_inflated_a_chunk_at_a_time() -> None:
    from thoisu.ingest.decode import GzipReader

    reader = GzipReader(io.BytesIO(gzip.compress(b"a" * 20_000_000)), chunk_size=100_000)
    biggest = total = 0
    while chunk := reader.read(1 << 20):
        total += len(chunk)
        biggest = max(biggest, len(reader._buf))
    assert total == 20_000_000 and biggest <= 100_000


def test_pages_with_no_article_are_refused_and_a_brief_is_kept() -> None:
    from thoisu.clean.html import has_prose

    menu = "Trang chủ\nThế giới\nThời sự\nChúng tôi sử dụng cookie để cải thiện trải nghiệm. Đồng ý"
    headlines = "Giá vàng hôm nay tăng mạnh\nBão số 3 đổ bộ vào Quảng Ninh\nĐội tuyển thắng 2-0"
    error = "Không tìm thấy trang\nTrang bạn yêu cầu không tồn tại hoặc đã bị xóa. Quay lại."
    brief = "Hôm nay ông An đã đến Hà Nội để dự họp về kinh tế và văn hóa của thành phố."
    assert not any(has_prose(t, full_page=True) for t in (menu, headlines, error))
    assert has_prose(brief, full_page=True)
    assert not has_prose("x", full_page=False) and has_prose("Mỹ và Nga đàm phán", full_page=False)


def test_huge_markup_is_cut_and_scripts_cost_nothing() -> None:
    from thoisu.clean.html import MAX_MARKUP_CHARS, _without_scripts, extract_html

    assert _without_scripts("a<script>x</script>b<STYLE>y</style >c<!-- z -->d<script>e") == "abcd"
    page = "<html><body><article>" + f"<p>{SENTENCE}</p>" * 30_000 + "</article></body></html>"
    assert len(page) > MAX_MARKUP_CHARS
    started = time.monotonic()
    extracted = extract_html(page)
    assert extracted.warning and "page markup cut" in extracted.warning
    assert extracted.text.startswith(SENTENCE) and time.monotonic() - started < 30


def test_legacy_text_under_a_western_charset_is_read_as_vietnamese() -> None:
    from thoisu.ingest.decode import decode_text
    from thoisu.ingest.legacy import encode_legacy

    html = f'<html><head><meta charset="iso-8859-1"></head><body><p>{SENTENCE}</p></body></html>'
    text, encoding = decode_text(encode_legacy(html, "vni"), html=True)
    assert encoding == "vni" and SENTENCE in text
    french = '<meta charset="iso-8859-1"><p>Le président a rencontré les délégués.</p>'
    assert decode_text(french.encode("latin-1"), html=True) == (french, None)


def test_odd_metadata_is_dropped_with_a_warning() -> None:
    article = clean(RawDocument(source="t\ud800", title="Tiêu đề \u202eabc", body=SENTENCE,
                                url="12345", published="2024-01-01T25:99", category="a\u2028b"))  # fmt: skip
    assert article.url is None and article.published is None
    assert any("not a URL" in w for w in article.warnings)
    assert any("is not a date" in w for w in article.warnings)
    assert "\u202e" not in article.title and article.category == "a b"
    assert article.source == "t\ufffd"


def test_list_fields_keep_only_text() -> None:
    from thoisu.ingest.formats import record_to_raw

    raw = record_to_raw({"title": ["a", {"b": 2}, 3], "body": "x"}, "s")
    assert raw.title == "a\n3"


def test_an_analysis_past_its_time_stops_as_that_articles_failure() -> None:
    from thoisu.limits import time_limit
    from thoisu.pipeline import try_analyze_article

    article = clean(RawDocument(source="t", title="Tiêu đề", body=SENTENCE))
    with time_limit(stop=lambda: True, reason="its client went away"):
        result = try_analyze_article(article)
    assert isinstance(result, IngestError)
    assert result.reason == "analysis stopped: its client went away"


def test_a_bad_limit_setting_is_one_clear_line(monkeypatch, tmp_path: Path) -> None:
    from thoisu.limits import current_limits

    monkeypatch.setenv("THOISU_MAX_ARTICLE_CHARS", "lots")
    current_limits.cache_clear()
    try:
        result = CliRunner().invoke(main, ["stats", "--db", str(tmp_path / "x.db")])
    finally:
        current_limits.cache_clear()
    assert (
        result.exit_code == 2
        and "THOISU_MAX_ARTICLE_CHARS must be a positive integer" in result.output
    )
    assert "Traceback" not in result.output
