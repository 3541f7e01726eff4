"""REST API, in-process (httpx TestClient), on a store built from real sample articles."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from thoisu.api import create_app

from .conftest import FIXTURE_DATES, REFERENCE, fixture_articles


@pytest.fixture(scope="module")
def client(web_db) -> TestClient:
    with TestClient(create_app(web_db)) as c:
        yield c


@pytest.fixture()
def empty_client(tmp_path) -> TestClient:
    with TestClient(create_app(tmp_path / "empty.db", max_body=20_000, writable=True)) as c:
        yield c


def _all_pages(client: TestClient, url: str, limit: int) -> list[dict]:
    items, cursor, pages = [], None, 0
    while True:
        sep = "&" if "?" in url else "?"
        page = client.get(f"{url}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else ""))
        assert page.status_code == 200, page.text
        body = page.json()
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return items
        assert pages < 100


def test_health_and_openapi(client: TestClient) -> None:
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["articles"] == len(fixture_articles())
    schema = client.get("/openapi.json").json()
    for path in ("/analyze", "/articles", "/articles/{article_id}", "/events", "/entities",
                 "/entities/{entity_id}", "/stats", "/health", "/events/timeline"):  # fmt: skip
        assert path in schema["paths"], path


def test_analyze_returns_the_record_and_stores_nothing(empty_client: TestClient) -> None:
    text = "Iran thả thủy thủ Anh\n\nIran hôm qua đã thả 15 thủy thủ Anh tại Tehran."
    record = empty_client.post("/analyze", json={"text": text, "published": "2007-04-05"}).json()
    assert set(record) >= {"article", "sentences", "entities", "events"}
    assert record["article"]["title"] == "Iran thả thủy thủ Anh"
    assert record["article"]["published"] == "2007-04-05"
    assert {e["id"] for e in record["entities"]} >= {"country:IRN", "country:GBR"}
    assert empty_client.get("/health").json()["articles"] == 0
    stored = empty_client.post("/analyze", json={"text": text, "store": True}).json()
    assert empty_client.get(f"/articles/{stored['article']['id']}").status_code == 200


def test_analyze_html(empty_client: TestClient) -> None:
    html = (
        "<html><head><title>Tin</title></head><body><article><h1>Nga và Mỹ đàm phán</h1>"
        "<p>Ngoại trưởng Nga và Ngoại trưởng Mỹ hôm nay đàm phán tại Geneva về Syria.</p>"
        "<p>Hai bên sẽ tiếp tục gặp nhau vào tháng tới.</p></article></body></html>"
    )
    record = empty_client.post("/analyze", json={"html": html}).json()
    assert "Geneva" in record["article"]["text"]
    assert any(e["cameo"] == "046" for e in record["events"])


def test_post_articles_is_idempotent_and_reports_each_input(empty_client: TestClient) -> None:
    items = [
        {"text": "Tin một\n\nThủ tướng Nhật Bản đến thăm Hà Nội hôm qua."},
        {"text": "   "},  # no article in it: reported, and the others are still stored
        {"title": "Tin hai", "body": "Quân đội Israel không kích Dải Gaza."},
    ]
    first = empty_client.post("/articles", json={"articles": items}).json()
    assert (first["stored"], first["duplicate"], first["failed"]) == (2, 0, 1)
    failed = first["results"][1]
    assert failed["status"] == "failed" and failed["reason"]
    again = empty_client.post("/articles", json={"articles": items}).json()
    assert (again["stored"], again["duplicate"], again["failed"]) == (0, 2, 1)
    assert [r["index"] for r in again["results"]] == [0, 1, 2]
    assert [r.get("id") for r in again["results"]] == [r.get("id") for r in first["results"]]
    one = empty_client.post("/articles", json={"text": "Tin ba\n\nNga và Trung Quốc ký hiệp định."})
    assert one.status_code == 200 and one.json()["stored"] == 1


def test_search_ignores_diacritics_and_pages_with_cursors(client: TestClient) -> None:
    first = client.get("/articles", params={"q": "dam phan", "limit": 2}).json()
    assert first["items"], "a diacritic-free query finds Vietnamese text"
    snippets = " ".join(i["snippet"] for i in first["items"])
    assert "\ue000" in snippets and "\ue001" in snippets  # the matches are bracketed
    everything = _all_pages(client, "/articles?q=dam%20phan", 2)
    ids = [i["id"] for i in everything]
    assert len(ids) == len(set(ids)), "no article repeats across pages"
    assert ids[:2] == [i["id"] for i in first["items"]]
    scores = [i["score"] for i in everything]
    assert scores == sorted(scores, reverse=True)


def test_listing_pages_cover_every_article_once(client: TestClient) -> None:
    listed = _all_pages(client, "/articles", 7)
    assert len(listed) == len({i["id"] for i in listed}) == len(fixture_articles())
    dates = [i["published"] for i in listed if i["published"]]
    assert dates == sorted(dates, reverse=True)


def test_article_filters(client: TestClient) -> None:
    by_date = _all_pages(client, "/articles?since=2007-03&until=2007-03", 50)
    expected = sum(d.startswith("2007-03") for d in FIXTURE_DATES) + 1  # + the hostile one
    assert len(by_date) == expected
    assert all(i["published"].startswith("2007-03") for i in by_date)
    vnexpress = _all_pages(client, "/articles?publisher=VnExpress", 50)
    assert vnexpress and all(i["publisher"] == "VnExpress" for i in vnexpress)
    usa = _all_pages(client, "/articles?entity=country:USA", 50)
    assert usa and len(usa) < len(fixture_articles())
    for item in usa[:3]:
        record = client.get(f"/articles/{item['id']}").json()
        assert "country:USA" in {e["id"] for e in record["entities"]}


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference article not available")
def test_reference_article_through_the_api(client: TestClient) -> None:
    hits = client.get("/articles", params={"q": "NATO Iraq"}).json()["items"]
    record = client.get(f"/articles/{hits[0]['id']}").json()
    assert record["article"]["publisher"] == "Soha"
    events = client.get("/events", params={"actor": "NATO", "counterpart": "IRQ"}).json()["items"]
    assert events
    for ev in events:  # one acts, the other is acted on or is where it happens
        src, tgt, loc = (
            (ev.get(r) or {}).get("code") or "" for r in ("source", "target", "location")
        )
        nato_acts = src == "NATO" and (tgt.startswith("IRQ") or loc.startswith("IRQ"))
        iraq_acts = src.startswith("IRQ") and "NATO" in (tgt, loc)
        assert nato_acts or iraq_acts, ev
    at_brussels = client.get("/events", params={"location": "city:brussels"}).json()["items"]
    assert at_brussels and all(e["location"]["entity"] == "city:brussels" for e in at_brussels)


def test_event_filters(client: TestClient) -> None:
    usa = _all_pages(client, "/events?actor=USA", 40)
    assert usa
    for ev in usa:
        codes = [(ev.get(r) or {}).get("code") or "" for r in ("source", "target")]
        ids = [(ev.get(r) or {}).get("entity") or "" for r in ("source", "target")]
        assert any(c.startswith("USA") for c in codes) or "country:USA" in ids
    assert len({e["id"] + e["article_id"] for e in usa}) == len(usa)
    # each filter over a root and a certainty the sample surely holds (never an empty list)
    for root in ("01", "04", "19"):
        coded = client.get("/events", params={"root": root}).json()["items"]
        assert coded and all(e["cameo"].startswith(root) for e in coded), root
    reported = client.get("/events", params={"certainty": "reported"}).json()["items"]
    assert reported and all(e["certainty"] == "reported" for e in reported)
    dated = client.get("/events", params={"since": "2007-02", "until": "2007-02"}).json()["items"]
    assert dated
    # the store dates an event by its own date when that is a full day, else by publication
    assert all(
        (e["date"] if e["date"] and len(e["date"]) == 10 else e["published"])[:7] == "2007-02"
        for e in dated
    )


def _sort_date(event: dict) -> str | None:
    """The date the store sorts an event by: its own full date, else the article's, else its
    own partial date with a year."""
    own = event.get("date") or ""
    if len(own) == 10:
        return own
    if event.get("published"):
        return event["published"][:10]
    return own if own[:4].isdigit() else None


def test_events_come_newest_first_and_page_either_way(client: TestClient) -> None:
    newest = _all_pages(client, "/events", 7)
    oldest = _all_pages(client, "/events?order=oldest", 7)
    key = [(e["article_id"], e["id"]) for e in newest]
    assert len(set(key)) == len(key) == len(oldest)  # every event once, in both orders
    assert set(key) == {(e["article_id"], e["id"]) for e in oldest}
    dates = [_sort_date(e) for e in newest]
    dated = [d for d in dates if d]
    assert dated and dated == sorted(dated, reverse=True)
    assert dates == dated + [None] * (len(dates) - len(dated))  # undated last
    first = [_sort_date(e) for e in oldest if _sort_date(e)]
    assert first == sorted(first) and first[0] < dated[0]
    # a cursor pages the order it was made for
    cursor = client.get("/events", params={"limit": 3, "order": "oldest"}).json()["next_cursor"]
    wrong = client.get("/events", params={"limit": 3, "cursor": cursor})
    assert wrong.status_code == 400 and "oldest" in wrong.json()["detail"]


def test_events_as_csv(client: TestClient) -> None:
    response = client.get("/events", params={"actor": "USA", "format": "csv", "limit": 5})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert 0 < len(rows) <= 5 and {"cameo", "source_code", "sentence"} <= set(rows[0])
    assert response.headers.get("x-next-cursor")


def test_timeline_counts_match_the_event_list(client: TestClient) -> None:
    timeline = client.get("/events/timeline", params={"actor": "USA", "by": "plover"}).json()
    assert timeline["periods"] == sorted(timeline["periods"])
    counted = sum(sum(v) for v in timeline["series"].values()) + timeline["undated"]
    # counts are of facts: coded events, neither negated nor asked about
    facts = [
        e
        for e in _all_pages(client, "/events?actor=USA", 100)
        if e["cameo"] and e["certainty"] not in ("negated", "question")
    ]
    assert counted == timeline["total"] == len(facts)


def test_entities_and_entity_detail(client: TestClient) -> None:
    listed = client.get("/entities", params={"type": "LOC", "limit": 5}).json()["items"]
    assert listed and all(e["type"] == "LOC" for e in listed)
    counts = [e["article_count"] for e in listed]
    assert counts == sorted(counts, reverse=True)
    usa = client.get("/entities/country:USA").json()
    assert usa["name"] == "United States" and usa["code"] == "USA"
    assert sum(usa["timeline"]["articles"]) + usa["timeline"]["undated"] == usa["article_count"]
    assert len(usa["articles"]) == usa["article_count"]
    for cp in usa["counterparts"]:
        assert cp["total"] == cp["as_source"] + cp["as_target"] > 0
    assert client.get("/entities", params={"q": "hoa ky"}).json()["items"][0]["id"] == "country:USA"


def test_stats(client: TestClient) -> None:
    stats = client.get("/stats").json()
    assert stats["articles"] == len(fixture_articles())
    assert sum(stats["articles_by_day"].values()) == stats["articles"]
    # the breakdowns count facts (coded, neither negated nor a question), as occurrences by
    # default and as reports with unit=mentions
    assert stats["unit"] == "groups"
    assert sum(stats["by_cameo_root"].values()) == stats["occurrences"] < stats["facts"]
    assert stats["facts"] <= stats["events"]
    reports = client.get("/stats", params={"unit": "mentions"}).json()
    assert sum(reports["by_cameo_root"].values()) == reports["facts"] == stats["facts"]
    assert sum(stats["by_certainty"].values()) == stats["events"]
    assert set(stats) >= {"by_publisher", "by_plover", "events_by_day", "by_type"}


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("/events?since=2024-13-01", 400, "since must be a date"),
        ("/events?since=March", 422, "since"),
        ("/events?since=2023-02-29", 400, "since must be a date"),
        ("/articles?until=yesterday", 422, "until"),
        ("/events?cameo=abc", 400, "CAMEO code"),
        ("/events?root=7", 422, "root"),
        ("/events?plover=FIGHTING", 400, "unknown PLOVER type"),
        ("/events?certainty=maybe", 422, "certainty"),
        ("/events?counterpart=IRQ", 400, "counterpart needs an actor"),
        ("/events?cursor=not-a-cursor", 400, "invalid cursor"),
        ("/articles?cursor=eyJ4IjoxfQ", 400, "invalid cursor"),
        ("/articles?limit=0", 422, "limit"),
        ("/articles?q=%22", 400, ""),
        ("/articles/nothing-here", 404, "no article"),
        ("/entities/person:nobody", 404, "no entity"),
        ("/events/timeline?by=colour", 422, "by"),
    ],
)
def test_bad_input_is_a_clear_4xx(client: TestClient, url: str, status: int, says: str) -> None:
    response = client.get(url)
    assert response.status_code == status, response.text
    assert says in response.json()["detail"]


def test_bad_bodies(empty_client: TestClient) -> None:
    assert empty_client.post("/analyze", json={}).status_code == 422
    assert empty_client.post("/analyze", json={"text": "x", "colour": 1}).status_code == 422
    bad_date = empty_client.post("/analyze", json={"text": "Tin", "published": "2024-02-30"})
    assert bad_date.status_code == 422 and "calendar date" in bad_date.json()["detail"]
    broken = empty_client.post(
        "/analyze", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 422
    assert empty_client.post("/articles", json={"articles": []}).status_code == 422
    big = empty_client.post("/analyze", json={"text": "Tin tức " * 5000})
    assert big.status_code == 413 and "limit" in big.json()["detail"]


def test_odd_inputs_never_give_a_server_error(client: TestClient) -> None:
    odd = ["", " ", "'", '"', "%", "\\", "NOT", "OR OR", "*", "a*b", "(", "🙂", "x" * 3000,
           "country:USA'; DROP TABLE events;--", "<script>", "\u0000"]  # fmt: skip
    for value in odd:
        for url, key in (("/articles", "q"), ("/events", "actor"), ("/entities", "q"),
                         ("/articles", "publisher"), ("/events", "location")):  # fmt: skip
            response = client.get(url, params={key: value})
            assert response.status_code < 500, (url, key, value, response.text)
