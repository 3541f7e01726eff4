"""Search ranking by the reading of the words typed, bounded queries, entity search by
alias, one person across articles, and facts-only GDELT rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from thoisu.store import QueryError, Store, parse_query
from thoisu.store.export import GDELT_COLUMNS


def _record(aid: str, text: str, *, entities=(), events=(), **article: Any) -> dict[str, Any]:
    title, _, body = text.partition("\n\n")
    return {
        "article": {"id": aid, "title": title, "body": body, "text": text, **article},
        "sentences": [{"index": 0, "start": 0, "end": len(text), "text": text}],
        "entities": list(entities),
        "events": list(events),
    }


def _person(name: str, *, code: str | None = None, forms: tuple[str, ...] = ()) -> dict:
    slug = "-".join(name.lower().replace(".", "").split())
    mentions = [{"text": f, "sentence": 0, "start": 0, "end": len(f)} for f in (name, *forms)]
    return {"id": f"person:{slug}", "name": name, "name_vi": name, "type": "PER", "code": code,
            "kind": "person", "mentions": mentions}  # fmt: skip


def _hits(store: Store, query: str) -> list[str]:
    return [h.article_id for h in store.search(query)]


# --- ranking by reading -----------------------------------------------------------------


@pytest.fixture()
def readings() -> Store:
    store = Store(":memory:")
    store.add_many([
        # "dam" and "phan" apart, in other words: mại dâm ... phần
        _record("vice", "Triệt phá đường dây mại dâm\n\nMột phần lớn đối tượng mại dâm, mại dâm "
                "và dâm ô bị bắt; phần còn lại đang bị truy nã. Dâm, dâm, phần, phần."),
        _record("talks", "Iran và Mỹ nối lại đàm phán\n\nHai nước đàm phán tại Oman."),
        _record("talks2", "Hòa đàm tiếp tục\n\nCác bên tiếp tục đàm phán về hạt nhân."),
        _record("college", "Tuyển sinh cao đẳng\n\nTrường cao đẳng công bố điểm chuẩn."),
        _record("now1", "Giá xăng đang tăng\n\nGiá xăng đang tăng mạnh trong tuần này."),
        _record("now2", "Mưa lớn\n\nMiền Bắc đang có mưa lớn, nước sông đang lên."),
    ])  # fmt: skip
    yield store
    store.close()


def test_folded_words_typed_together_prefer_their_common_reading(readings: Store) -> None:
    hits = _hits(readings, "dam phan")
    assert set(hits[:2]) == {"talks", "talks2"} and hits[-1] == "vice"


def test_a_word_without_diacritics_prefers_its_common_reading(readings: Store) -> None:
    hits = _hits(readings, "dang")
    assert set(hits[:2]) == {"now1", "now2"} and hits[-1] == "college"


def test_diacritics_typed_still_win(readings: Store) -> None:
    assert _hits(readings, "cao đẳng")[0] == "college"
    assert _hits(readings, "mại dâm") == ["vice"]


def test_hit_count(readings: Store) -> None:
    assert readings.count_articles(query="dam phan") == 3
    assert readings.count_articles(query="dang") == 4  # "đang bị truy nã" too
    assert readings.count_articles() == 6


@pytest.mark.parametrize(
    ("query", "says"),
    [(" OR ".join(f"w{i}" for i in range(40)), "at most 32"),
     ("tin " * 300, "at most 1,000"),
     ("(" * 3000 + "a" + ")" * 3000, "at most 1,000"),
     ("(" * 12 + "a" + ")" * 12, "nested 12 deep")],
)  # fmt: skip
def test_queries_are_bounded(query: str, says: str) -> None:
    with pytest.raises(QueryError, match=says):
        parse_query(query)


def test_units_are_the_words_typed_side_by_side() -> None:
    units = parse_query('dam phan "Hà Nội" nga* OR iran my').units
    assert [u.folded for u in units] == [("dam", "phan"), ("ha", "noi"), ("nga",), ("iran", "my")]
    assert units[1].has_marks and units[2].prefix and not units[0].has_marks


# --- entities by alias, one person across articles ---------------------------------------


def test_entities_are_found_by_any_name_best_match_first(tmp_path: Path) -> None:
    usa = {"id": "country:USA", "name": "United States", "name_vi": "Hoa Kỳ", "type": "LOC",
           "code": "USA", "kind": "country",
           "mentions": [{"text": "Mỹ", "sentence": 0, "start": 0, "end": 2}]}  # fmt: skip
    myanmar = {"id": "country:MMR", "name": "Myanmar", "name_vi": "Myanmar", "type": "LOC",
               "code": "MMR", "kind": "country", "mentions": []}  # fmt: skip
    with Store(tmp_path / "e.db") as store:
        store.add(_record("a1", "Mỹ\n\nMỹ", entities=[usa, _person("Mỹ")]))
        store.add(_record("a2", "Mỹ\n\nMỹ", entities=[usa, myanmar]))
        assert [e["id"] for e in store.entities(query="Mỹ")][:2] == ["country:USA", "person:mỹ"]
        assert store.entities(query="my")[0]["id"] == "country:USA"
        assert store.entities(query="hoa ky")[0]["id"] == "country:USA"
        assert store.entities(query="USA")[0]["id"] == "country:USA"
        assert store.entities(query="united")[0]["id"] == "country:USA"


def test_one_person_across_articles(tmp_path: Path) -> None:
    with Store(tmp_path / "p.db") as store:
        store.add(_record("a1", "Bush\n\nBush", entities=[_person("George W. Bush")]))
        store.add(_record("a2", "Bush\n\nBush", entities=[_person("George Bush")]))
        store.add(_record("a3", "Bush\n\nBush", entities=[_person("Bush")]))
        store.add(_record("a4", "Dũng\n\nDũng", entities=[_person("Nguyễn Tấn Dũng")]))
        store.add(_record("a5", "Dũng\n\nDũng", entities=[_person("Dũng")]))
        people = {e["id"]: e["article_count"] for e in store.entities(type="PER")}
        assert people["person:george-w-bush"] == 3 and "person:bush" not in people
        assert people["person:dũng"] == 1  # a Vietnamese given name alone: not linked
        record = store.get_article("a3")
        assert [e["id"] for e in record["entities"]] == ["person:george-w-bush"]


def test_names_that_differ_are_not_linked(tmp_path: Path) -> None:
    with Store(tmp_path / "p.db") as store:
        store.add(_record("a1", "x\n\nx", entities=[_person("Nguyễn Tấn Dũng")]))
        store.add(_record("a2", "x\n\nx", entities=[_person("Nguyễn Dũng")]))
        store.add(_record("a3", "x\n\nx", entities=[_person("George H. W. Bush")]))
        store.add(_record("a4", "x\n\nx", entities=[_person("George W. Bush")]))
        people = {e["id"]: e["article_count"] for e in store.entities(type="PER")}
    assert people == {"person:nguyễn-tấn-dũng": 1, "person:nguyễn-dũng": 1,
                      "person:george-h-w-bush": 1, "person:george-w-bush": 1}  # fmt: skip


def test_a_short_name_is_not_linked_when_it_could_be_two_people(tmp_path: Path) -> None:
    with Store(tmp_path / "p.db") as store:
        store.add(_record("a1", "x\n\nx", entities=[_person("George W. Bush")]))
        store.add(_record("a2", "x\n\nx", entities=[_person("Laura Bush")]))
        store.add(_record("a3", "x\n\nx", entities=[_person("Bush")]))
        assert "person:bush" in {e["id"] for e in store.entities(type="PER")}


def test_a_fuller_name_later_names_the_person_stored_first(tmp_path: Path) -> None:
    with Store(tmp_path / "p.db") as store:
        store.add(_record("a1", "x\n\nx", entities=[_person("Stoltenberg")]))
        store.add(_record("a2", "x\n\nx", entities=[_person("Jens Stoltenberg")]))
        [person] = store.entities(type="PER")
        assert person["id"] == "person:stoltenberg" and person["name"] == "Jens Stoltenberg"
        assert person["article_count"] == 2


def test_the_alias_migration_fills_an_older_store(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with Store(path) as store:
        store.add(_record("a1", "Mỹ\n\nMỹ", entities=[_person("Jens Stoltenberg")]))
    db = sqlite3.connect(path)  # back to schema 1, as an older thoisu left it
    db.executescript("DROP TABLE entity_aliases; DELETE FROM _migrations WHERE id = 2;"
                     " PRAGMA user_version = 1;")  # fmt: skip
    db.close()
    with Store(path) as store:
        assert store.entities(query="stoltenberg")[0]["id"] == "person:jens-stoltenberg"


# --- exports and event order ---------------------------------------------------------------


def _event(eid: str, cameo: str | None, certainty: str, date: str | None) -> dict:
    return {"id": eid, "sentence": 0, "trigger": {"text": "x", "start": 0, "end": 1},
            "type": None, "cameo": cameo, "plover": None, "certainty": certainty, "date": date,
            "source": {"entity": None, "text": "Mỹ", "code": "USA"}, "target": None,
            "location": None, "quantities": [], "attribution": None}  # fmt: skip


def test_gdelt_rows_are_coded_facts_with_the_article_url(tmp_path: Path) -> None:
    events = [_event("e1", "190", "asserted", "2020-01-02"), _event("e2", "190", "negated", None),
              _event("e3", "042", "question", None), _event("e4", None, "asserted", None),
              _event("e5", "036", "reported", None)]  # fmt: skip
    with Store(tmp_path / "g.db") as store:
        store.add(_record("a1", "t\n\nb", events=events, url="https://vnexpress.net/a1.html",
                          published="2020-01-03"))  # fmt: skip
        out = tmp_path / "g.tsv"
        assert store.export(out, "gdelt") == 2
        rows = [line.split("\t") for line in out.read_text().splitlines()]
        assert [r[26] for r in rows] == ["190", "036"]
        assert all(
            len(r) == GDELT_COLUMNS and r[60] == "https://vnexpress.net/a1.html" for r in rows
        )
        assert store.export(tmp_path / "all.jsonl", "jsonl") == 1  # JSON keeps all five


def test_events_newest_first_with_undated_last(tmp_path: Path) -> None:
    events = [_event("e1", "190", "asserted", "2020-01-02"), _event("e2", "190", "asserted", None),
              _event("e3", "190", "asserted", "2021-05-01"), _event("e4", "190", "asserted", "2003"),
              _event("e5", "190", "asserted", "--06-20")]  # fmt: skip
    with Store(tmp_path / "o.db") as store:
        store.add(_record("a1", "t\n\nb", events=events))
        assert [e["id"] for e in store.events(newest_first=True)] == ["e3", "e1", "e4", "e2", "e5"]
        assert [e["id"] for e in store.events()] == ["e4", "e1", "e3", "e2", "e5"]
        assert [e["id"] for e in store.events(since="2003", until="2003")] == ["e4"]
