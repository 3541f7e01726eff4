"""One event, many reports: grouping across articles and outlets, and what it changes in the
counts and the GDELT export."""

from __future__ import annotations

import io
import re

import pytest

from thoisu.store import Store

USA = {"text": "Mỹ", "code": "USA", "entity": "country:USA"}
IRN = {"text": "Iran", "code": "IRN", "entity": "country:IRN"}
CHN = {"text": "Trung Quốc", "code": "CHN", "entity": "country:CHN"}


def event(cameo="163", source=USA, target=IRN, date=None, certainty="asserted", location=None):
    return {
        "trigger": {"text": "trừng phạt", "start": 0, "end": 10}, "sentence": 0,
        "cameo": cameo, "certainty": certainty, "source": source, "target": target,
        "date": date, "location": location,
    }  # fmt: skip


def record(aid: str, publisher: str, published: str | None, *events: dict) -> dict:
    text = f"Bài {aid}: Mỹ trừng phạt Iran."
    return {
        "article": {"id": aid, "title": f"Bài {aid}", "text": text, "publisher": publisher,
                    "published": published},
        "sentences": [{"index": 0, "start": 0, "end": len(text), "text": text}],
        "entities": [],
        "events": list(events),
    }  # fmt: skip


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "g.db") as s:
        s.add_many([
            # one occurrence, three outlets, four mentions (Tuổi Trẻ twice in one article)
            record("a1", "VnExpress", "2020-10-01", event()),
            record("a2", "Tuổi Trẻ", "2020-10-02", event(), event()),
            record("a3", "Thanh Niên", "2020-09-30", event(date="2020-10-01")),
            # the same dyad and code a month later: another occurrence
            record("a4", "VnExpress", "2020-11-05", event()),
            # other code, other target, denied, no target, undated: groups of their own
            record("a5", "VnExpress", "2020-10-01", event(cameo="173"),
                   event(target=CHN), event(certainty="negated"), event(target=None)),
            record("a6", "Dân trí", None, event()),
        ])  # fmt: skip
        yield s


def groups(s: Store) -> list[tuple]:
    return [
        tuple(r)
        for r in s.db.execute(
            "SELECT e.article_id, g.mentions, g.articles, g.sources, g.first_event = e.num"
            " FROM events e JOIN event_groups g ON g.id = e.group_id ORDER BY e.num"
        )
    ]


def test_reports_of_one_occurrence_form_one_group(store):
    rows = groups(store)
    same = [r for r in rows if r[0] in ("a1", "a2", "a3")]
    assert len(same) == 4 and {r[1:4] for r in same} == {(4, 3, 3)}
    # the first report is the earliest published (a3, 30 September), not the first stored
    assert [r[0] for r in same if r[4]] == ["a3"]
    others = [r for r in rows if r[0] not in ("a1", "a2", "a3")]
    assert {r[1:4] for r in others} == {(1, 1, 1)}
    assert len(others) == 5  # a4, a5 x3 (the negated one is not a fact: no group), a6


def test_counts_and_export_by_group(store):
    mentions = store.event_counts(interval="month", unit="mentions")
    occurrences = store.event_counts(interval="month")  # the default
    assert mentions["total"] == 9 and occurrences["total"] == 6
    assert occurrences["periods"] == ["2020-10", "2020-11"] and occurrences["undated"] == 1
    out = io.StringIO()
    assert store.export(out, "gdelt") == 6
    rows = [line.split("\t") for line in out.getvalue().splitlines()]
    counts = sorted((r[31], r[32], r[33]) for r in rows)  # NumMentions, NumSources, NumArticles
    assert counts == [("1", "1", "1")] * 5 + [("4", "3", "3")]
    first = next(r for r in rows if r[31] == "4")
    assert first[1] == "20201001"  # the first report's own date
    (shown,) = [e for e in store.events(source="USA", target="IRN") if e["article_id"] == "a3"]
    assert shown["group"] == {"id": shown["group"]["id"], "mentions": 4, "articles": 3,
                              "sources": 3, "first_report": True}  # fmt: skip


def test_grouping_is_kept_when_an_older_database_is_upgraded(tmp_path):
    """Migration 4 groups the events of a database stored before grouping existed."""
    path = tmp_path / "old.db"
    with Store(path) as s:
        s.add(record("a1", "VnExpress", "2020-10-01", event()))
        s.add(record("a2", "Tuổi Trẻ", "2020-10-02", event()))
        s.db.execute("UPDATE events SET group_id = NULL")
        s.db.execute("DELETE FROM event_groups")
        s.db.execute("DELETE FROM _migrations WHERE id = 4")
        s.db.execute("DROP INDEX events_group")
        s.db.execute("ALTER TABLE events DROP COLUMN group_id")
        s.db.execute("DROP TABLE event_groups")
    with Store(path) as s:
        assert {r[1:4] for r in groups(s)} == {(2, 2, 2)}


def test_the_dashboard_and_api_count_occurrences(store):
    from fastapi.testclient import TestClient

    from thoisu.api import create_app

    path = store.path
    store.close()
    with TestClient(create_app(path)) as api:
        assert api.get("/events/timeline").json()["total"] == 6  # occurrences by default
        assert api.get("/events/timeline", params={"unit": "mentions"}).json()["total"] == 9
        assert api.get("/events/timeline", params={"unit": "articles"}).status_code == 422
        page = api.get("/ui/events", params={"unit": "groups"})
        assert page.status_code == 200 and "6 sự việc" in page.text
        # the occurrence told in three articles, with the link to its reports
        assert "được 3 bài từ 3 nguồn đưa tin" in page.text
        group = re.search(r'href="/ui/events\?group=(\d+)&amp;unit=mentions', page.text)
        reports = api.get("/events", params={"group": group[1]}).json()["items"]
        assert len({e["article_id"] for e in reports}) == 3
        assert api.get("/ui/events", params={"unit": "x"}).status_code == 400
