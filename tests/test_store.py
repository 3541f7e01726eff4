"""Tests for thoisu.store: storage, search, filters, exports, migrations."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest

from thoisu.records import (
    Actor,
    Analysis,
    Article,
    Attribution,
    Entity,
    Event,
    Mention,
    Quantity,
    Sentence,
    Span,
)
from thoisu.store import DEFAULT_DB_PATH, QueryError, Store, StoreError, fold, parse_query
from thoisu.store.export import split_actor_code

# -- fixtures: three small hand-built analyses ----------------------------------------


def _article(aid: str, title: str, lead: str, body: str, **meta: str | None) -> Article:
    text = "\n\n".join(p for p in (title, lead, body) if p)
    return Article(
        id=aid, title=title, author=None, publisher=meta.get("publisher"),
        published=meta.get("published"), url=meta.get("url"), source=f"{aid}.txt",
        lead=lead, body=body, text=text, category=meta.get("category"),
    )  # fmt: skip


def _sentences(text: str, parts: list[str]) -> list[Sentence]:
    out = []
    for i, part in enumerate(parts):
        start = text.index(part)
        out.append(Sentence(i, start, start + len(part), part))
    return out


def _mention(a: Analysis, s: str, sentence: int, nth: int = 0) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = a.article.text.index(s, start + 1)
    return Mention(s, sentence, start, start + len(s))


def _trigger(a: Analysis, s: str) -> Span:
    start = a.article.text.index(s)
    return Span(s, start, start + len(s))


def _usa(*mentions: Mention) -> Entity:
    return Entity("country:USA", "United States", "Hoa Kỳ", "LOC", "USA", "Q30",
                  list(mentions), kind="country", country="USA")  # fmt: skip


def _a1() -> Analysis:
    title = "Mỹ và Iran đàm phán tại Oman"
    lead = "Hai nước nối lại đàm phán hạt nhân."
    body = "Quân đội Mỹ đang huấn luyện binh sĩ tại Hà Nội, theo Reuters."
    art = _article("a1", title, lead, body, publisher="Soha", published="2024-02-12",
                   url="https://soha.vn/a1.htm", category="Quốc tế")  # fmt: skip
    a = Analysis(art, _sentences(art.text, [title, lead, body]))
    a.entities = [
        _usa(_mention(a, "Mỹ", 0), _mention(a, "Mỹ", 2, nth=1)),
        Entity(
            "country:IRN",
            "Iran",
            "Iran",
            "LOC",
            "IRN",
            "Q794",
            [_mention(a, "Iran", 0)],
            kind="country",
        ),  # fmt: skip
        Entity(
            "city:ha-noi",
            "Hanoi",
            "Hà Nội",
            "LOC",
            None,
            "Q1858",
            [_mention(a, "Hà Nội", 2)],
            kind="city",
        ),  # fmt: skip
    ]
    a.events = [
        Event("0a1b2c3d4e5f60718293", 0, _trigger(a, "đàm phán"), "Meet", "046", "CONSULT",
              source=Actor("country:USA", "Mỹ", "USA"),
              target=Actor("country:IRN", "Iran", "IRN"),
              location=Actor(None, "Oman", "OMN"), date="2024-02-11",
              quad_class=1, goldstein=7.0, cameo_label="Engage in negotiation"),
        Event("e-a1-2", 2, _trigger(a, "huấn luyện"), None, "190", "ASSAULT",
              source=Actor(None, "Quân đội Mỹ", "USAMIL"),
              location=Actor("city:ha-noi", "Hà Nội", None), date="--02-12",
              quantities=[Quantity(2000, "người", "2.000 người")],
              attribution=Attribution(None, Actor(None, "Reuters", None), "theo Reuters"),
              certainty="reported"),
    ]  # fmt: skip
    return a


def _a2() -> Analysis:
    title = "Nga và Ukraine dam phan ngừng bắn"
    lead = "Các bên đam phan tại Istanbul."
    body = "Nga nổ súng vào Ukraine. Mỹ kêu gọi hai bên dam phan."
    art = _article("a2", title, lead, body, publisher="VnExpress",
                   published="2024-03-05T08:00:00+07:00", url="https://vnexpress.net/a2.html",
                   category="Thế giới")  # fmt: skip
    a = Analysis(art, _sentences(art.text, [title, lead, "Nga nổ súng vào Ukraine.",
                                            "Mỹ kêu gọi hai bên dam phan."]))  # fmt: skip
    a.entities = [
        Entity("country:RUS", "Russia", "Nga", "LOC", "RUS", "Q159",
               [_mention(a, "Nga", 0), _mention(a, "Nga", 2, nth=1)]),
        Entity("country:UKR", "Ukraine", "Ukraine", "LOC", "UKR", "Q212",
               [_mention(a, "Ukraine", 0), _mention(a, "Ukraine", 2, nth=1)]),
        _usa(_mention(a, "Mỹ", 3)),
    ]  # fmt: skip
    a.events = [
        Event("b2" * 10, 2, _trigger(a, "nổ súng"), "Attack", "193", "ASSAULT",
              source=Actor("country:RUS", "Nga", "RUS"),
              target=Actor("country:UKR", "Ukraine", "UKR"), quad_class=4, goldstein=-10.0),
        Event("c3" * 10, 3, _trigger(a, "kêu gọi"), None, "036", "APPEAL",
              source=Actor("country:USA", "Mỹ", "USA"), target=Actor(None, "hai bên", None),
              certainty="possible"),
    ]  # fmt: skip
    return a


def _a3() -> Analysis:
    title = "Thời tiết Hà Nội đang lạnh"
    body = "Người dân Thủ đô mặc áo ấm khi ra đường."
    art = _article("a3", title, "", body)
    a = Analysis(art, _sentences(art.text, [title, body]))
    a.entities = [
        Entity("city:ha-noi", "Hanoi", "Hà Nội", "LOC", None, "Q1858", [_mention(a, "Hà Nội", 0)])
    ]
    return a


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "t.db") as s:
        for a in (_a1(), _a2(), _a3()):
            assert s.add(a) is True
        yield s


def _ids(hits) -> list[str]:
    return [h.article_id for h in hits]


# -- basics ---------------------------------------------------------------------------


def test_default_path_and_memory():
    assert isinstance(DEFAULT_DB_PATH, Path)
    with Store(":memory:") as s:
        assert s.add(_a3()) and s.has_article("a3") and not s.has_article("zz")


def test_add_is_idempotent(store: Store):
    before = store.stats()
    assert store.add(_a1()) is False
    assert store.add_many([_a2(), _a3()]) == (0, 2)
    assert store.stats() == before
    assert before["articles"] == 3 and before["events"] == 4


def test_add_many_counts_in_batch_duplicates(tmp_path: Path):
    with Store(tmp_path / "m.db") as s:
        assert s.add_many([_a1(), _a2(), _a1(), _a3()], batch_size=2) == (3, 1)
        assert len(s) == 3


def test_get_article_round_trips_the_record(store: Store):
    assert store.get_article("a1") == _a1().to_dict()
    assert store.get_article("nope") is None
    assert [r["article"]["id"] for r in store.iter_analyses()] == ["a1", "a2", "a3"]


def test_add_accepts_record_dict_without_event_ids(tmp_path: Path):
    record = _a2().to_dict()
    for ev in record["events"]:
        del ev["id"]
    with Store(tmp_path / "d.db") as s:
        assert s.add(record) is True
        ids = [e["id"] for e in s.events()]
        assert len(set(ids)) == 2 and all(ids)
        with pytest.raises(StoreError):
            s.add({"article": {}})


# -- search ---------------------------------------------------------------------------


def test_fold_is_length_preserving_and_folds_d():
    for s in ("Đường Hà Nội", "huấn luyện", "ĐẠI HỘI Ðảng", "Ông Trump"):
        assert len(fold(s)) == len(s)
    assert fold("Đường Hà Nội") == "duong ha noi"
    assert fold("ĐANG") == "dang"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("huan luyen", {"a1"}),
        ("dang", {"a1", "a3"}),  # đang
        ("Ha Noi", {"a1", "a3"}),
        ('"ha noi"', {"a1", "a3"}),
        ("HÀ NỘI", {"a1", "a3"}),
        ("huấn*", {"a1"}),
        ("Oman OR Istanbul", {"a1", "a2"}),
        ("dam phan NOT Istanbul", {"a1"}),
        ("dam phan -Istanbul", {"a1"}),
        ("(Oman OR Istanbul) ngung", {"a2"}),
        ("không có từ này", set()),
    ],
)
def test_search_ignores_diacritics(store: Store, query: str, expected: set[str]):
    assert set(_ids(store.search(query))) == expected


def test_search_ranks_exact_diacritics_first(store: Store):
    hits = store.search("đàm phán")
    assert _ids(hits) == ["a1", "a2"]  # a2 only has "dam phan" / "đam phan"
    assert hits[0].score > hits[1].score
    # typed without diacritics: no exact boost, both still found
    assert set(_ids(store.search("dam phan"))) == {"a1", "a2"}


def test_search_hit_fields_and_snippet(store: Store):
    (hit,) = store.search("huan luyen")
    assert (hit.title, hit.publisher, hit.published) == (
        "Mỹ và Iran đàm phán tại Oman", "Soha", "2024-02-12",
    )  # fmt: skip
    assert "«huấn luyện»" in hit.snippet  # original text, folded match mapped back
    (hit,) = store.search("Istanbul")
    assert "«Istanbul»" in hit.snippet and "\n" not in hit.snippet
    assert "ngừng bắn · Các bên" in hit.snippet  # paragraph break shown as " · "


def test_search_paging(store: Store):
    all_hits = _ids(store.search("ha noi"))
    assert _ids(store.search("ha noi", limit=1)) == all_hits[:1]
    assert _ids(store.search("ha noi", limit=1, offset=1)) == all_hits[1:2]
    with pytest.raises(QueryError):
        store.search("ha noi", limit=-1)


@pytest.mark.parametrize(
    "query",
    ['"abc', "AND", "foo OR", "(", ")", "*", "OR OR", '"', "NOT x", "a OR NOT b", "x (",
     "NEAR(a b)", "title:x", "a AND", "^", "''", '"Hà Nội', "Hà*Nội", "-"],
)  # fmt: skip
def test_bad_queries_never_leak_sqlite_errors(store: Store, query: str):
    try:
        hits = store.search(query)
    except QueryError as e:
        assert str(e) and "\n" not in str(e)
    except sqlite3.Error as e:  # pragma: no cover - the failure we guard against
        pytest.fail(f"raw sqlite error for {query!r}: {e}")
    else:
        assert isinstance(hits, list)


def test_query_repairs():
    assert parse_query('"Hà Nội').fts == '"ha" AND "noi"'  # unbalanced quote: plain words
    assert parse_query("foo OR").fts == '"foo"'
    assert parse_query("(a OR b c").fts == '"a" OR "b" AND "c"'  # unbalanced paren ignored
    assert parse_query("(a OR b) c").fts == '("a" OR "b") AND "c"'
    assert parse_query('"Hà Nội" Mỹ*').fts == '"ha noi" AND "my"*'
    assert parse_query("a NOT b").terms[1].negated
    for query in ("AND", "(", "*", "NOT x", "a OR NOT b", ""):
        with pytest.raises(QueryError):
            parse_query(query)


# -- events ---------------------------------------------------------------------------


def _eids(events: list[dict]) -> list[str]:
    return [e["id"] for e in events]


A1E1, A1E2, A2E1, A2E2 = "0a1b2c3d4e5f60718293", "e-a1-2", "b2" * 10, "c3" * 10


def test_events_carry_article_context(store: Store):
    events = store.events()
    assert _eids(events) == [A1E1, A1E2, A2E1, A2E2]  # chronological
    e = events[1]
    assert e["date"] == "--02-12"  # partial date stored as given
    assert e["article_id"] == "a1" and e["published"] == "2024-02-12"
    assert e["article_title"] == "Mỹ và Iran đàm phán tại Oman"
    assert e["sentence_text"].startswith("Quân đội Mỹ")
    assert e["quantities"] == [{"value": 2000, "unit": "người", "text": "2.000 người"}]


def test_event_actor_filters(store: Store):
    assert _eids(store.events(actor="USA")) == [A1E1, A1E2, A2E2]  # USAMIL by prefix
    assert _eids(store.events(actor="country:USA")) == [A1E1, A2E2]
    assert _eids(store.events(actor="usa", limit=1, offset=1)) == [A1E2]
    assert _eids(store.events(actor="US")) == []  # not a 3-letter block: exact only
    assert _eids(store.events(source="UKR")) == []
    assert _eids(store.events(target="UKR")) == [A2E1]
    assert _eids(store.events(actor="IRN", cameo="04")) == [A1E1]


def test_event_code_and_attribute_filters(store: Store):
    assert _eids(store.events(cameo="19")) == [A1E2, A2E1]
    assert _eids(store.events(cameo="046")) == [A1E1]
    assert _eids(store.events(plover="assault")) == [A1E2, A2E1]
    assert _eids(store.events(event_type="attack")) == [A2E1]
    assert _eids(store.events(certainty="reported")) == [A1E2]
    with pytest.raises(QueryError):
        store.events(cameo="1%")


def test_event_date_filters(store: Store):
    # A1E1 has its own date (2024-02-11); A1E2's partial date falls back to published.
    assert _eids(store.events(until="2024-02-11")) == [A1E1]
    assert _eids(store.events(since="2024-02-12", until="2024-02")) == [A1E2]
    assert _eids(store.events(since="2024-03")) == [A2E1, A2E2]
    assert _eids(store.events(until="2023")) == []
    with pytest.raises(QueryError):
        store.events(since="12/02/2024")


# -- entities -------------------------------------------------------------------------


def test_entities_are_shared_across_articles(store: Store):
    ents = {e["id"]: e for e in store.entities()}
    usa = ents["country:USA"]
    assert (usa["article_count"], usa["mention_count"]) == (2, 3)
    assert usa["name_vi"] == "Hoa Kỳ" and usa["code"] == "USA" and usa["wikidata"] == "Q30"
    assert ents["city:ha-noi"]["article_count"] == 2
    assert len(ents) == 5  # USA, IRN, Hanoi, RUS, UKR
    assert store.entities(limit=1)[0]["article_count"] == 2
    assert [e["id"] for e in store.entities(query="hoa ky")] == ["country:USA"]
    assert [e["id"] for e in store.entities(query="Hà Nội")] == ["city:ha-noi"]


def test_entity_articles_and_events(store: Store):
    arts = store.entity_articles("country:USA")
    assert [a["id"] for a in arts] == ["a2", "a1"]  # newest first
    assert arts[1]["mention_count"] == 2
    assert _eids(store.entity_events("city:ha-noi")) == [A1E2]
    assert store.entity_articles("nobody") == []
    assert store.get_entity("country:IRN")["article_count"] == 1


def test_stats(store: Store):
    st = store.stats()
    assert (st["articles"], st["events"], st["entities"]) == (3, 4, 5)
    assert st["by_publisher"] == {"Soha": 1, "VnExpress": 1, "(unknown)": 1}
    assert st["by_category"]["Quốc tế"] == 1
    assert st["by_cameo_root"] == {"03": 1, "04": 1, "19": 2}


# -- export ---------------------------------------------------------------------------


def test_export_jsonl(store: Store, tmp_path: Path):
    out = tmp_path / "x.jsonl"
    assert store.export(out, "jsonl") == 3
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert records[0] == _a1().to_dict()
    buf = io.StringIO()
    assert store.export(buf, "jsonl", cameo="19") == 2  # articles with a matching event


def test_export_parquet(store: Store, tmp_path: Path):
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "x.parquet"
    assert store.export(out, "parquet") == 4
    table = pq.read_table(out)
    assert table.num_rows == 4
    rows = table.to_pylist()
    assert rows[0]["event_id"] == A1E1 and rows[0]["cameo"] == "046"
    assert rows[0]["source_code"] == "USA" and rows[0]["url"] == "https://soha.vn/a1.htm"
    assert json.loads(rows[1]["quantities"])[0]["value"] == 2000
    assert rows[1]["via_text"] == "Reuters" and rows[1]["sentence_text"].startswith("Quân")
    assert store.export(tmp_path / "y.parquet", "parquet", actor="RUS") == 1
    with pytest.raises(StoreError):
        store.export(io.StringIO(), "parquet")


def test_export_gdelt(store: Store, tmp_path: Path):
    out = tmp_path / "x.tsv"
    assert store.export(out, "gdelt") == 4
    lines = out.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == ""
    rows = [line.split("\t") for line in lines[:-1]]
    assert all(len(r) == 61 for r in rows)
    first, second, third = rows[0], rows[1], rows[2]
    assert first[0] == str(int(A1E1[:15], 16))  # GLOBALEVENTID from the hex event id
    assert first[1:4] == ["20240211", "202402", "2024"]
    assert second[1] == "20240212"  # partial event date: article's published date
    assert third[1] == "20240305"
    assert [r[26] for r in rows] == ["046", "190", "193", "036"]  # EventCode
    assert (second[27], second[28]) == ("190", "19")
    assert first[5:8] == ["USA", "UNITED STATES", "USA"] and first[15] == "IRN"
    assert (second[5], second[7], second[12]) == ("USAMIL", "USA", "MIL")
    assert (first[25], second[25], third[25]) == ("1", "0", "0")  # IsRootEvent
    assert (first[29], first[30], second[29]) == ("1", "7.0", "")
    assert first[31:34] == ["1", "1", "1"] and first[34] == ""
    assert first[52] == "Oman" and first[53] == ""
    assert (second[51], second[52]) == ("4", "Hanoi")  # ActionGeo_FullName in English
    assert len(first[59]) == 14 and first[59].isdigit()
    assert first[60] == "https://soha.vn/a1.htm"
    assert first[0].isdigit()  # no header row
    buf = io.StringIO()
    assert store.export(buf, "gdelt", cameo="19", since="2024-03") == 1


def test_split_actor_code():
    assert split_actor_code("USAGOV") == {"country": "USA", "type1": "GOV"}
    assert split_actor_code("IGOUNO") == {"type1": "IGO", "type2": "UNO"}
    assert split_actor_code("NATO") == {}


def test_export_unknown_format(store: Store):
    with pytest.raises(StoreError):
        store.export(io.StringIO(), "csv")  # type: ignore[arg-type]


# -- schema, reopen, read-only ----------------------------------------------------------


def test_migrations_recorded_and_reopen(tmp_path: Path):
    path = tmp_path / "r.db"
    with Store(path) as s:
        s.add(_a1())
        applied = s.migrations()
        assert [m["id"] for m in applied] == [1, 2, 3, 4, 5, 6] and applied[0]["name"]
        assert s.db.execute("PRAGMA user_version").fetchone()[0] == 6
        assert s.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with Store(path) as s:
        assert s.migrations() == applied  # not re-applied
        assert s.has_article("a1") and s.add(_a1()) is False
        assert _ids(s.search("huan luyen")) == ["a1"]


def test_readonly(tmp_path: Path):
    path = tmp_path / "ro.db"
    with Store(path) as s:
        s.add(_a1())
    with Store(path, readonly=True) as ro:
        assert ro.has_article("a1") and _ids(ro.search("Oman")) == ["a1"]
        with pytest.raises(StoreError):
            ro.add(_a2())
    with pytest.raises(StoreError):
        Store(tmp_path / "missing.db", readonly=True)


def test_newer_schema_is_refused(tmp_path: Path):
    path = tmp_path / "new.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO _migrations VALUES (999, 'future', '2099-01-01T00:00:00Z')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="999"):
        Store(path)


def test_not_a_database(tmp_path: Path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError):
        Store(path)


def test_closed_store(tmp_path: Path):
    s = Store(tmp_path / "c.db")
    s.close()
    s.close()
    with pytest.raises(StoreError):
        s.has_article("a1")


def test_export_bad_filter_fails_before_writing(store: Store, tmp_path: Path):
    out = tmp_path / "never.tsv"
    with pytest.raises(QueryError):
        store.export(out, "gdelt", since="yesterday")
    assert not out.exists()


def test_timelines_leave_impossible_dates_out_of_their_range(store: Store):
    # A store written before dates were checked (or loaded from a dataset) can hold a page
    # dated 9999-12-31: the day range must not reach it (it overflowed into a 500).
    far = _a2()
    far.article.id, far.article.published = "a9", "9999-12-31"
    for event in far.events:
        event.id = "f9" + event.id[2:]
    store.add(far)
    counts = store.event_counts(interval="day")
    assert counts["periods"][0] == "2024-02-11" and counts["periods"][-1] == "2024-03-05"
    assert counts["out_of_range"] == 2  # the attack and the appeal of the far article
    charted = sum(sum(v) for v in counts["series"].values())
    assert charted + counts["undated"] + counts["out_of_range"] == counts["total"]
    usa = store.entity_timeline("country:USA", interval="day")
    assert usa["out_of_range"] == 1 and usa["periods"][-1] == "2024-03-05"


def test_kept_readers_see_every_write_and_a_replaced_file(tmp_path: Path):
    """The web app's read-only stores are kept open between requests, one per thread: what
    another connection commits is read at once, and a use inside another gets a store of
    its own."""
    from thoisu.store.readers import Readers

    path = tmp_path / "t.db"
    with Store(path) as s:
        s.add(_a1())
    readers = Readers(path)
    with readers.store() as kept:
        assert kept.count_articles() == 1
    with readers.store() as again:
        assert again is kept
        with readers.store() as inner:
            assert inner is not kept and inner.count_articles() == 1
    with Store(path) as s:
        s.add(_a2())
    with readers.store() as after:
        assert after.count_articles() == 2
    with pytest.raises(StoreError):
        with Readers(tmp_path / "missing.db").store():
            pass
