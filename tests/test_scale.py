"""The Dask engine gives what the local engine gives; its Parquet dataset loads back."""

from __future__ import annotations

import gzip
import sqlite3
from itertools import islice

import pytest
from click.testing import CliRunner

from thoisu.cli import main

from .conftest import REPO

pytest.importorskip("distributed")


def signature(path) -> tuple:
    db = sqlite3.connect(path)
    try:
        return (
            sorted(r[0] for r in db.execute("SELECT id FROM articles")),
            sorted(db.execute("SELECT article_id, id, cameo, source_code, target_code,"
                              " certainty, effective_date FROM events").fetchall()),
            sorted(db.execute("SELECT article_id, entity_id, start FROM mentions").fetchall()),
            db.execute("SELECT count(*), sum(mentions), sum(articles), sum(sources)"
                       " FROM event_groups").fetchone(),
        )  # fmt: skip
    finally:
        db.close()


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """12 dated articles and one line that is not JSON."""
    path = tmp_path_factory.mktemp("in") / "sample.jsonl"
    with gzip.open(REPO / "samples" / "dantri-2020.jsonl.gz", "rt", encoding="utf-8") as f:
        lines = list(islice(f, 12))
    path.write_text("".join(lines[:6]) + "{not json\n" + "".join(lines[6:]), encoding="utf-8")
    return path


def test_dask_engine_matches_the_local_engine_and_its_dataset_loads(sample, tmp_path):
    runner = CliRunner()
    local, dask_db, loaded = tmp_path / "local.db", tmp_path / "dask.db", tmp_path / "load.db"
    out = tmp_path / "dataset"
    r1 = runner.invoke(main, ["ingest", str(sample), "--db", str(local), "-q", "-j", "1"])
    r2 = runner.invoke(main, ["ingest", str(sample), "--db", str(dask_db), "-q",
                              "--engine", "dask", "--workers", "2"])  # fmt: skip
    r3 = runner.invoke(main, ["ingest", str(sample), "-q", "--engine", "dask",
                              "--workers", "2", "--out", str(out)])  # fmt: skip
    for r in (r1, r2, r3):  # the bad line is reported by both engines, the rest stored
        assert r.exit_code == 1, r.output
        assert "read 13, stored 12" in r.output and "line 7" in r.output
    assert sorted(p.name for p in out.iterdir()) == ["articles", "entities", "events", "mentions"]
    assert len(list((out / "events").glob("part-*.parquet"))) >= 2  # several partitions
    r4 = runner.invoke(main, ["load", str(out), "--db", str(loaded), "-q"])
    assert r4.exit_code == 0 and "stored 12" in r4.output
    expected = signature(local)
    assert len(expected[0]) == 12 and expected[1]
    assert signature(dask_db) == expected
    assert signature(loaded) == expected
    again = runner.invoke(main, ["load", str(out), "--db", str(loaded), "-q"])
    assert "stored 0, skipped as duplicates 12" in again.output


def test_engine_options_are_checked(tmp_path):
    runner = CliRunner()
    r = runner.invoke(main, ["ingest", "x.jsonl", "--out", str(tmp_path / "d")])
    assert r.exit_code == 2 and "--engine dask" in r.output
    r = runner.invoke(main, ["load", str(tmp_path / "nothing"), "--db", str(tmp_path / "t.db")])
    assert r.exit_code == 1 and "no Parquet partitions" in r.output


def test_a_second_run_appends_to_a_dataset(tmp_path):
    from thoisu.scale.dataset import next_partition, read_records, write_partition

    def record(aid: str) -> dict:
        return {"article": {"id": aid, "text": "x"}, "sentences": [], "entities": [],
                "events": []}  # fmt: skip

    out = str(tmp_path / "ds")
    assert next_partition(out) == 0
    write_partition(out, 0, [record("a"), record("b")])
    write_partition(out, 1, [record("c")])
    assert next_partition(out) == 2
    write_partition(out, next_partition(out), [record("d")])
    assert [r["article"]["id"] for r in read_records(out)] == ["a", "b", "c", "d"]


def test_a_partition_that_cannot_be_written_is_reported_article_by_article(tmp_path):
    from thoisu.records import RawDocument
    from thoisu.scale import ingest_dask

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    docs = [RawDocument(source=f"doc{i}", title=f"Tin {i}", body=f"Bộ Ngoại giao Mỹ hôm {i}/3 "
                        "kêu gọi Iran ngừng làm giàu urani.") for i in (1, 2)]  # fmt: skip
    report = ingest_dask(docs, out=str(blocker / "dataset"), workers=1)
    assert (report.read, report.stored, report.failed) == (2, 0, 2)
    assert {f.source for f in report.failures} == {"doc1", "doc2"}
    assert all("partition 0 failed" in f.reason for f in report.failures)


def test_local_worker_processes_store_what_one_process_does(sample, tmp_path):
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    runner = CliRunner()
    r1 = runner.invoke(main, ["ingest", str(sample), "--db", str(one), "-q", "-j", "1"])
    r2 = runner.invoke(main, ["ingest", str(sample), "--db", str(two), "-q", "-j", "2"])
    assert "read 13, stored 12" in r1.output and "read 13, stored 12" in r2.output
    assert signature(two) == signature(one)


def test_worker_threads_share_the_cores_out() -> None:
    from thoisu.batch import worker_threads

    assert [worker_threads(jobs, 2) for jobs in (1, 2, 3)] == [2, 1, 1]
    assert [worker_threads(jobs, 8) for jobs in (1, 2, 4, 8, 16)] == [2, 2, 2, 1, 1]
