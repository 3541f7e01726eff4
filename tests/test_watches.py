"""Watches (saved filters, marked matches, Atom alerts), dyads over time, the timeline's
default range and occurrence counts, on hand-built records (no model runs)."""

from __future__ import annotations

import json

import feedparser
import pytest
from fastapi.testclient import TestClient

from thoisu.api import create_app
from thoisu.store import EventFilter, QueryError, Store

CHN = {"entity": "country:CHN", "text": "Trung Quốc", "code": "CHN"}
VNM = {"entity": "country:VNM", "text": "Việt Nam", "code": "VNM"}
USA = {"entity": "country:USA", "text": "Mỹ", "code": "USA"}
ENTITIES = {
    "country:CHN": ("China", "Trung Quốc", "CHN"),
    "country:VNM": ("Vietnam", "Việt Nam", "VNM"),
    "country:USA": ("United States", "Mỹ", "USA"),
}


def _record(aid: str, published: str, events: list[tuple], *, title: str = "Tin", publisher="A"):
    """An analysis record: one sentence per event, ``(cameo, source, target, certainty,
    goldstein)``."""
    sentences, evs, text = [], [], title
    for i, (cameo, source, target, certainty, goldstein) in enumerate(events):
        sentence = f"{source['text']} hành động {target['text']} lần {i}."
        start = len(text) + 2
        text += "\n\n" + sentence
        sentences.append({"index": i, "start": start, "end": start + len(sentence),
                          "text": sentence})  # fmt: skip
        trigger = start + len(source["text"]) + 1
        evs.append({
            "id": f"{aid}-{i}", "sentence": i, "type": None, "cameo": cameo,
            "trigger": {"text": "hành động", "start": trigger, "end": trigger + 9},
            "plover": None, "source": source, "target": target, "location": None,
            "date": None, "quantities": [], "attribution": None, "certainty": certainty,
            "quad_class": _quad(cameo),
            "goldstein": goldstein, "cameo_label": None,
        })  # fmt: skip
    entities = [
        {"id": eid, "name": en, "name_vi": vi, "type": "LOC", "code": code, "mentions": []}
        for eid, (en, vi, code) in ENTITIES.items()
    ]
    return {
        "article": {"id": aid, "title": title, "text": text, "published": published,
                    "publisher": publisher, "body": text},
        "sentences": sentences, "entities": entities, "events": evs,
    }  # fmt: skip


def _quad(cameo: str) -> int:
    root = int(cameo[:2])  # the split of thoisu.events.codes.quad_class
    return 1 if root <= 5 else 2 if root <= 8 else 3 if root <= 13 else 4


@pytest.fixture()
def store(tmp_path) -> Store:
    with Store(tmp_path / "w.db") as s:
        s.add(_record("old", "2020-03-02", [("112", CHN, VNM, "asserted", -2.0)]))
        s.add(_record("coop", "2020-03-09", [("036", VNM, CHN, "asserted", 4.0)]))
        s.add(_record("other", "2020-03-10", [("112", USA, CHN, "asserted", -2.0)]))
        yield s


def test_a_watch_marks_stored_facts_then_each_new_one(store: Store) -> None:
    watch = store.add_watch("chn-vnm", EventFilter(actor="CHN", counterpart="VNM"))
    assert watch["filters"] == {"actor": "CHN", "counterpart": "VNM"}
    assert (watch["occurrences"], watch["reports"]) == (2, 2)
    # a new article: one match, one event of another pair, one denied (not a fact)
    store.add(_record("new", "2020-04-01", [("112", CHN, VNM, "asserted", -2.0),
                                            ("112", USA, VNM, "asserted", -2.0),
                                            ("190", CHN, VNM, "negated", -10.0)]))  # fmt: skip
    matched = store.watch_matches_of("new")
    assert [(m["watch"], m["event"]["id"]) for m in matched] == [("chn-vnm", "new-0")]
    listed = store.events(watch=store.get_watch("chn-vnm")["id"], newest_first=True)
    assert [e["article_id"] for e in listed] == ["new", "coop", "old"]
    # the same occurrence again in another outlet: one occurrence more report
    store.add(_record("again", "2020-04-01", [("112", CHN, VNM, "asserted", -2.0)],
                      publisher="B"))  # fmt: skip
    again = store.get_watch("chn-vnm")
    assert (again["occurrences"], again["reports"]) == (3, 4)
    latest = store.watch_latest(again["id"])
    assert [e["article_id"] for e in latest][:1] == ["new"]  # first matching report
    assert latest[0]["group"]["articles"] == 2
    assert store.remove_watch("chn-vnm") and store.get_watch("chn-vnm") is None
    assert not store.remove_watch("chn-vnm")


def test_watch_filters_text_and_certainty(store: Store) -> None:
    store.add(_record("maybe", "2020-05-01", [("112", CHN, VNM, "possible", -2.0)],
                      title="Bắc Kinh có thể chỉ trích Hà Nội"))  # fmt: skip
    sure = store.add_watch("sure", EventFilter(source="CHN", min_certainty="reported"))
    assert sure["reports"] == 1  # "old" only: "maybe" is possible
    text = store.add_watch("text", EventFilter(q="bac kinh"))
    assert text["reports"] == 1  # diacritics ignored


@pytest.mark.parametrize(
    ("name", "event_filter", "says"),
    [
        ("x", EventFilter(), "at least one filter"),
        ("x", EventFilter(actor="XYZQ"), "neither an entity id"),
        ("x", EventFilter(actor="country:ZZZ"), "no entity"),
        ("x", EventFilter(cameo="999"), "no CAMEO code"),
        ("x", EventFilter(plover="FIGHTING"), "unknown PLOVER"),
        ("x", EventFilter(counterpart="VNM"), "counterpart needs an actor"),
        ("bad/name", EventFilter(actor="CHN"), "watch name"),
        ("", EventFilter(actor="CHN"), "watch name"),
        ("dup", EventFilter(actor="CHN"), "exists"),
    ],
)
def test_bad_watches_are_refused(store: Store, name, event_filter, says) -> None:
    store.add_watch("dup", EventFilter(actor="VNM"))
    with pytest.raises(QueryError, match=says):
        store.add_watch(name, event_filter)
    assert [w["name"] for w in store.watches_page()[0]] == ["dup"]


def test_ten_thousand_watches_page_and_still_mark(store: Store) -> None:
    rows = [(f"w{i:05d}", json.dumps({"actor": "VNM" if i % 2 else "USA"}), "2020-01-01T00:00:00Z")
            for i in range(10_000)]  # fmt: skip
    with store._transaction() as db:
        db.executemany("INSERT INTO watches (name, filters, created_at) VALUES (?, ?, ?)", rows)
    names, cursor = [], None
    while True:
        page, cursor = store.watches_page(limit=500, cursor=cursor)
        names += [w["name"] for w in page]
        if cursor is None:
            break
    assert names == sorted(r[0] for r in rows)
    plan = " ".join(str(r[-1]) for r in store.db.execute(
        "EXPLAIN QUERY PLAN SELECT * FROM watches w WHERE w.name > ? ORDER BY w.name LIMIT 50",
        ("w05000",)))  # fmt: skip
    assert "SCAN" not in plan.replace("SCAN w USING INDEX", "")  # a keyset, not a full scan
    store.add(_record("late", "2020-06-01", [("036", VNM, USA, "asserted", 4.0)]))
    assert len(store.watch_matches_of("late")) == 10_000  # VNM and USA: every watch


def test_event_filter_reads_aliases_and_blanks() -> None:
    f = EventFilter.from_mapping({"root": "19", "type": "Attack", "actor": " ", "page": "2"})
    assert f.as_kwargs() == {"cameo": "19", "event_type": "Attack"}
    with pytest.raises(QueryError, match="min_certainty"):
        EventFilter.from_mapping({"min_certainty": "negated"})
    with pytest.raises(QueryError, match="since"):
        EventFilter.from_mapping({"since": "2020-13"})


def test_dyad_counts_both_directions_by_quad_class(store: Store) -> None:
    store.add(_record("d2", "2020-04-20", [("190", CHN, VNM, "asserted", -10.0),
                                           ("112", CHN, VNM, "asserted", -2.0)]))  # fmt: skip
    dyad = store.dyad("CHN", "country:VNM", interval="month")
    assert dyad["periods"] == ["2020-03", "2020-04"]
    a_to_b, b_to_a = dyad["a_to_b"], dyad["b_to_a"]
    assert a_to_b["quad_classes"]["3"] == [1, 1] and a_to_b["quad_classes"]["4"] == [0, 1]
    assert a_to_b["goldstein"] == [-2.0, -6.0] and a_to_b["total"] == 3
    assert b_to_a["quad_classes"]["1"] == [1, 0] and b_to_a["goldstein"] == [4.0, None]
    weeks = store.dyad("CHN", "VNM", interval="week")["periods"]
    assert weeks[0] == "2020-03-02" and weeks == sorted(set(weeks))
    assert len(weeks) == 8  # the Mondays from 2 March to 20 April, none left out


def test_timeline_shows_where_the_events_are(store: Store) -> None:
    many = [("112", CHN, VNM, "asserted", -2.0)] * 120
    store.add(_record("bulk", "2020-03-15", many))
    store.add(_record("bio", "1931-05-01", [("036", VNM, CHN, "asserted", 4.0)]))
    counts = store.event_counts(interval="month", unit="mentions")
    assert counts["periods"][0] == "2020-03" and counts["earlier"] == 1
    assert counts["total"] == sum(map(sum, counts["series"].values())) + counts["earlier"]
    every = store.event_counts(interval="year", unit="mentions", full_range=True)
    assert every["periods"][0] == "1931" and every["earlier"] == 0


def test_counts_are_occurrences_by_default(store: Store) -> None:
    store.add(_record("copy", "2020-03-02", [("112", CHN, VNM, "asserted", -2.0)],
                      publisher="B"))  # fmt: skip
    assert store.event_counts()["total"] == 3  # old + copy are one occurrence
    assert store.event_counts(unit="mentions")["total"] == 4
    assert store.stats()["by_cameo_root"]["11"] == 2
    assert store.stats(unit="mentions")["by_cameo_root"]["11"] == 3
    chn = {c["entity"]: c for c in store.counterparts("country:CHN")}
    assert chn["country:VNM"]["as_target"] == 1
    chn = {c["entity"]: c for c in store.counterparts("country:CHN", unit="mentions")}
    assert chn["country:VNM"]["as_target"] == 2


# -- the API ------------------------------------------------------------------------------


@pytest.fixture()
def api(store: Store) -> TestClient:
    with TestClient(create_app(store.path, writable=True)) as client:
        yield client


def test_watch_api_and_atom_feed(api: TestClient, store: Store) -> None:
    made = api.post("/watches", json={"name": "CHN-VNM",
                                      "filters": {"actor": "CHN", "counterpart": "VNM"}})  # fmt: skip
    assert made.status_code == 201, made.text
    assert (
        api.post("/watches", json={"name": "CHN-VNM", "filters": {"actor": "CHN"}}).status_code
        == 400
    )
    assert api.post("/watches", json={"name": "e", "filters": {}}).status_code == 400
    assert api.post("/watches", json={"name": "u", "filters": {"colour": "red"}}).status_code == 400
    assert api.get("/watches").json()["items"][0]["name"] == "CHN-VNM"
    events = api.get("/watches/CHN-VNM/events").json()
    assert [e["article_id"] for e in events["items"]] == ["coop", "old"]
    # an XML-unsafe title reaches the feed escaped, and the feed still parses
    store.add(_record("x", "2020-03-20", [("112", CHN, VNM, "asserted", -2.0)],
                      title="<b>Trung & Việt</b> \x01\x1b \ufffe"))  # fmt: skip
    feed = api.get("/watches/CHN-VNM.atom")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith(
        "application/atom+xml"
    )
    parsed = feedparser.parse(feed.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert len(parsed.entries) == 3
    newest = parsed.entries[0]
    assert newest.link.endswith("/ui/articles/x#s0")
    assert "Trung Quốc" in newest.title and "<b>Trung & Việt</b>" in newest.summary
    assert "\x01" not in feed.text
    assert api.get("/watches/nope.atom").status_code == 404
    assert api.delete("/watches/CHN-VNM").json() == {"removed": "CHN-VNM"}


def test_an_empty_watch_feed_is_valid(api: TestClient) -> None:
    assert (
        api.post("/watches", json={"name": "quiet", "filters": {"cameo": "20"}}).status_code == 201
    )
    parsed = feedparser.parse(api.get("/watches/quiet.atom").content)
    assert not parsed.bozo and parsed.entries == [] and parsed.feed.title == "thoisu watch quiet"


def test_watch_writes_need_a_writable_server(store: Store) -> None:
    with TestClient(create_app(store.path)) as client:
        refused = client.post("/watches", json={"name": "n", "filters": {"actor": "CHN"}})
        assert refused.status_code == 403
        assert client.get("/watches").status_code == 200


def test_dyad_api_and_openapi(api: TestClient) -> None:
    dyad = api.get("/dyads", params={"a": "CHN", "b": "VNM", "interval": "week"}).json()
    assert dyad["a_to_b"]["total"] == 1 and dyad["b_to_a"]["total"] == 1
    assert api.get("/dyads", params={"a": "CHN"}).status_code == 422
    assert api.get("/dyads", params={"a": "CHN", "b": "VNM", "interval": "hour"}).status_code == 422
    paths = api.get("/openapi.json").json()["paths"]
    for path in ("/watches", "/watches/{name}", "/watches/{name}.atom", "/watches/{name}/events",
                 "/dyads"):  # fmt: skip
        assert path in paths


def test_dashboard_creates_a_watch_from_the_explorer(api: TestClient) -> None:
    page = api.get("/ui/events", params={"actor": "CHN", "counterpart": "VNM"}).text
    assert 'action="/ui/watches"' in page and 'name="counterpart" value="VNM"' in page
    made = api.post("/ui/watches", data={"name": "pair", "actor": "CHN", "counterpart": "VNM"},
                    headers={"origin": "http://testserver"}, follow_redirects=False)  # fmt: skip
    assert made.status_code == 303 and made.headers["location"] == "/ui/watches/pair"
    watch_page = api.get("/ui/watches/pair").text
    assert "/watches/pair.atom" in watch_page and "old" in watch_page
    for headers in ({"origin": "http://evil.example"}, {"origin": "null"},
                    {"sec-fetch-site": "cross-site", "origin": "http://testserver"}):  # fmt: skip
        elsewhere = api.post("/ui/watches", data={"name": "evil", "actor": "CHN"}, headers=headers)
        assert elsewhere.status_code == 403, headers
    assert api.get("/watches/evil").status_code == 404
    dyad_page = api.get("/ui/dyads", params={"a": "CHN", "b": "VNM", "lang": "en"}).text
    assert "<svg" in dyad_page and 'data-direction="b_to_a"' in dyad_page
    assert "material conflict" in dyad_page or "verbal conflict" in dyad_page


def test_store_refuses_unknown_unit(store: Store) -> None:
    with pytest.raises(QueryError, match="unit"):
        store.event_counts(unit="articles")
    with pytest.raises(QueryError, match="interval"):
        store.dyad("CHN", "VNM", interval="hour")


def test_an_occurrence_counts_when_only_a_later_report_matches(store: Store) -> None:
    # the first report of this occurrence is "possible"; a later one, elsewhere, asserts it
    store.add(_record("first", "2020-05-01", [("112", CHN, VNM, "possible", -2.0)]))
    store.add(_record("later", "2020-05-02", [("112", CHN, VNM, "asserted", -2.0)],
                      publisher="B"))  # fmt: skip
    sure = store.event_counts(min_certainty="asserted", since="2020-05")
    assert sure["total"] == 1  # the occurrence, through its asserted report
    listed = store.events(min_certainty="asserted", since="2020-05", first_reports=True)
    assert [e["article_id"] for e in listed] == ["later"]


def test_dyads_refuse_one_actor_and_never_count_an_event_twice(store: Store) -> None:
    for a, b in (("CHN", "chn"), (" ", "VNM"), ("CHN", "")):
        with pytest.raises(QueryError, match="two"):
            store.dyad(a, b)
    gov = {"entity": None, "text": "chính phủ", "code": "VNMGOV"}
    store.add(_record("gov", "2020-03-05", [("036", gov, gov, "asserted", 4.0)]))
    dyad = store.dyad("VNM", "VNMGOV", full_range=True)
    assert dyad["a_to_b"]["total"] + dyad["b_to_a"]["total"] == 1


def test_a_broken_watch_never_stops_a_write(store: Store, caplog) -> None:
    store.add_watch("fine", EventFilter(actor="CHN"))
    with store._transaction() as db:
        db.execute(
            "INSERT INTO watches (name, filters, created_at) VALUES ('old', ?, '2020')",
            (json.dumps({"cameo": "19x"}),),
        )
    assert store.add(_record("after", "2020-06-01", [("112", CHN, VNM, "asserted", -2.0)]))
    assert [m["watch"] for m in store.watch_matches_of("after")] == ["fine"]
    assert "watch old is skipped" in caplog.text


def test_a_certainty_watch_keeps_to_coded_events(store: Store) -> None:
    uncoded = ("190", CHN, VNM, "negated", -10.0)
    record = _record("denied", "2020-06-02", [uncoded, ("112", CHN, VNM, "negated", -2.0)])
    record["events"][0]["cameo"] = None
    store.add(record)
    made = store.add_watch("denied", EventFilter(actor="CHN", certainty="negated"))
    assert made["reports"] == 1
    with pytest.raises(QueryError, match="besides dates"):
        store.add_watch("dates", EventFilter(since="2020"))


def test_bad_pages_are_4xx_and_the_switch_drops_lang(api: TestClient) -> None:
    api.post("/watches", json={"name": "w", "filters": {"actor": "CHN"}})
    for url in ("/ui/watches/w?cursor=bad", "/ui/entities/country:CHN?unit=bogus",
                "/ui/dyads?a=CHN&b=CHN", "/dyads?a=%20&b=%20"):  # fmt: skip
        assert api.get(url).status_code == 400, url
    back = api.get("/ui/lang", params={"to": "vi", "back": "/ui/events?lang=en&actor=CHN"},
                   follow_redirects=False)  # fmt: skip
    assert back.headers["location"] == "/ui/events?actor=CHN"
    assert back.cookies.get("thoisu_lang") == "vi"
    page = api.get("/ui/events", params={"type": "Attack", "actor": "CHN"}).text
    assert "type=Attack" in page and "event_type=Attack" not in page.split("csv")[0][-300:]
    feed = feedparser.parse(api.get("/watches/w.atom").content)
    assert feed.feed.id == "tag:thoisu,2026:watch/w"
    assert all(e.id.startswith("tag:thoisu,2026:watch/w/") for e in feed.entries)
