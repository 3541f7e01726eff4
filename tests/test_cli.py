"""The command line, end to end, in-process (click's runner)."""

from __future__ import annotations

import gzip
import json
import shutil

import pytest
from click.testing import CliRunner

from thoisu.cli import main

from .conftest import REFERENCE, need


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A directory with good and bad inputs, ingested once into a database."""
    root = tmp_path_factory.mktemp("corpus")
    shutil.copy(need(REFERENCE), root / "soha.txt")
    (root / "empty.txt").write_text("")
    (root / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00binary")
    lines = [
        {
            "id": "t1",
            "title": "Nga và Trung Quốc đàm phán",
            "body": "Ngoại trưởng Nga hôm nay đàm phán "
            "với Trung Quốc tại Bắc Kinh về hợp tác năng lượng.",
            "publisher": "VnExpress",
            "published": "2007-05-03",
            "category": "Thế giới",
        },
        "this is not json",
        {
            "id": "t2",
            "title": "Biểu tình ở Pháp",
            "body": "Hàng nghìn người đã biểu tình ở Paris để phản đối luật lao động mới.",
            "publisher": "Tuổi Trẻ",
            "published": "2006-03-28",
        },
    ]
    with gzip.open(root / "mini.jsonl.gz", "wt", encoding="utf-8") as fh:
        for line in lines:
            fh.write(
                (line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n"
            )
    db = root / "test.db"
    result = CliRunner().invoke(main, ["ingest", str(root), "--db", str(db), "--quiet"])
    return root, db, result


def test_analyze_json_is_the_contract(tmp_path):
    result = CliRunner().invoke(main, ["analyze", str(need(REFERENCE)), "--format", "json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["article"]["author"] == "An Bình"
    assert record["article"]["source"] == str(REFERENCE)
    assert record["events"] and record["entities"] and record["sentences"]


def test_analyze_text_summary_and_stdin():
    text = need(REFERENCE).read_text(encoding="utf-8")
    result = CliRunner().invoke(main, ["analyze", "-"], input=text)
    assert result.exit_code == 0, result.output
    assert "Quân đội NATO" in result.output and "evidence" in result.output


def test_analyze_missing_file_is_a_clear_error():
    result = CliRunner().invoke(main, ["analyze", "/no/such/file.txt"])
    assert result.exit_code != 0
    assert "no such file" in result.output.lower()
    assert "Traceback" not in result.output


def test_ingest_keeps_good_inputs_and_reports_bad_ones(corpus):
    _, _, result = corpus
    assert result.exit_code == 1  # some inputs failed
    out = result.output
    assert "empty.txt" in out and "image.txt" in out
    assert "line 2" in out  # the JSON Lines record that is not JSON
    assert "stored 3" in out and "failed 3" in out


def test_ingest_is_idempotent(corpus):
    root, db, _ = corpus
    again = CliRunner().invoke(main, ["ingest", str(root / "soha.txt"), "--db", str(db), "--quiet"])
    assert again.exit_code == 0, again.output
    assert "stored 0" in again.output and "duplicates 1" in again.output


def test_search_ignores_diacritics(corpus):
    _, db, _ = corpus
    for query in ("huan luyen", "dam phan", "Brussels"):
        result = CliRunner().invoke(main, ["search", query, "--db", str(db), "--format", "json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output), query


def test_bad_search_query_is_not_a_crash(corpus):
    _, db, _ = corpus
    for query in ('"NATO', "AND", "NATO OR", "("):
        result = CliRunner().invoke(main, ["search", query, "--db", str(db)])
        assert "Traceback" not in result.output
        assert "sqlite" not in result.output.lower()


def test_events_filters_and_exports(corpus, tmp_path):
    _, db, _ = corpus
    result = CliRunner().invoke(
        main, ["events", "--db", str(db), "--actor", "USA", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows and all(
        any(
            (a or {}).get("code", "") and a["code"].startswith("USA")
            for a in (r["source"], r["target"])
        )
        for r in rows
    )
    gdelt = CliRunner().invoke(main, ["export", "--db", str(db), "--format", "gdelt"])
    assert gdelt.exit_code == 0
    lines = [line for line in gdelt.stdout.splitlines() if line]
    assert lines and all(len(line.split("\t")) == 61 for line in lines)
    out = tmp_path / "events.parquet"
    parquet = CliRunner().invoke(
        main, ["export", "--db", str(db), "--format", "parquet", "-o", str(out)]
    )
    assert parquet.exit_code == 0 and out.stat().st_size > 0


def test_bad_dates_are_rejected(corpus):
    _, db, _ = corpus
    result = CliRunner().invoke(main, ["events", "--db", str(db), "--since", "yesterday"])
    assert result.exit_code == 2
    assert "since must be a date like 2024" in result.output


def test_serve_refuses_a_database_it_cannot_open(tmp_path, monkeypatch):
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("must not start"))
    result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path)])  # a directory
    assert result.exit_code == 1 and "cannot open database" in result.output


def test_serve_starts_the_app_on_the_database(tmp_path, monkeypatch):
    import uvicorn

    started = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.update(app=app, **kw))
    db = tmp_path / "new.db"
    result = CliRunner().invoke(main, ["serve", "--db", str(db), "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert db.exists() and started["port"] == 8123 and started["host"] == "127.0.0.1"
    assert started["app"].state.db_path == str(db)


def test_events_text_has_a_header_newest_first_and_readable_dates(corpus):
    _, db, _ = corpus
    result = CliRunner().invoke(main, ["events", "--db", str(db), "--limit", "200"])
    assert result.exit_code == 0, result.output
    header, *rows = result.output.splitlines()
    assert header.split()[:4] == ["DATE", "CAMEO", "TYPE", "SOURCE"]
    dates = [row[:10] for row in rows if row[:4].isdigit()]
    assert dates == sorted(dates, reverse=True)
    assert not any(row.startswith(("--", "?")) for row in rows)
    assert any(row.startswith("undated") for row in rows)
    oldest = CliRunner().invoke(main, ["events", "--db", str(db), "--oldest-first"])
    first = [row[:10] for row in oldest.output.splitlines()[1:] if row[:4].isdigit()]
    assert first == sorted(first)


def test_readable_dates():
    from thoisu.cli_render import readable_date

    assert readable_date("2007-03-05") == "2007-03-05"
    assert readable_date("--07-22") == "22/07 (no year)"
    assert readable_date(None) == "undated"


def test_deeply_nested_search_is_a_clean_error(corpus):
    _, db, _ = corpus
    result = CliRunner().invoke(main, ["search", "(" * 3000 + "nato" + ")" * 3000, "--db", str(db)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "at most" in result.output


def test_serve_is_read_only_unless_asked(tmp_path, monkeypatch):
    import uvicorn

    apps = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: apps.append(app))
    db = str(tmp_path / "s.db")
    assert CliRunner().invoke(main, ["serve", "--db", db]).exit_code == 0
    assert CliRunner().invoke(main, ["serve", "--db", db, "--writable"]).exit_code == 0
    assert CliRunner().invoke(main, ["serve", "--db", db, "--token", "x"]).exit_code == 0
    assert [app.state.writable for app in apps] == [False, True, True]
