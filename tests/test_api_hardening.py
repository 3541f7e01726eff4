"""The web app facing hostile clients: bounded requests, no 500 on any input, no script
through stored data, security headers, Host checking, read-only by default."""

from __future__ import annotations

import asyncio
import base64
import csv
import http.client
import io
import json
import threading
import time
from pathlib import Path
from urllib.parse import quote

import anyio
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from thoisu.api import create_app
from thoisu.api.guards import RequestGuard, request_budget
from thoisu.api.render import web_link
from thoisu.cli import SERVE_OPTIONS, served_hosts
from thoisu.store import QueryTimeout, Store
from thoisu.store.export import spreadsheet_safe, write_events_csv

ARTICLE = {
    "title": "Iran thả thủy thủ Anh",
    "body": "Iran hôm qua đã thả 15 thủy thủ Anh tại Tehran sau hai tuần giam giữ.",
}


@pytest.fixture(scope="module")
def client(web_db) -> TestClient:
    with TestClient(create_app(web_db)) as c:
        yield c


@pytest.fixture()
def writable(tmp_path) -> TestClient:
    with TestClient(create_app(tmp_path / "w.db", writable=True)) as c:
        yield c


# --- read-only by default ----------------------------------------------------------------


def test_a_served_store_is_read_only_by_default(tmp_path: Path) -> None:
    with TestClient(create_app(tmp_path / "r.db")) as c:
        refused = c.post("/articles", json=ARTICLE)
        assert refused.status_code == 403 and "--writable" in refused.json()["detail"]
        assert c.post("/analyze", json={**ARTICLE, "store": True}).status_code == 403
        assert c.post("/analyze", json=ARTICLE).status_code == 200  # analysing stays open
        assert c.get("/health").json()["articles"] == 0


def test_a_token_guards_writes(tmp_path: Path) -> None:
    with TestClient(create_app(tmp_path / "t.db", token="s3cret")) as c:
        assert c.post("/articles", json=ARTICLE).status_code == 403
        wrong = {"Authorization": "Bearer nope"}
        assert c.post("/articles", json=ARTICLE, headers=wrong).status_code == 403
        good = {"Authorization": "Bearer s3cret"}
        assert c.post("/articles", json=ARTICLE, headers=good).json()["stored"] == 1


def test_one_bad_article_in_a_batch_fails_alone(writable: TestClient) -> None:
    batch = [ARTICLE, {**ARTICLE, "colour": "red"}, {"title": "no text"},
             {"body": "Mỹ và Nga đàm phán tại Geneva hôm nay về vũ khí hạt nhân."}]  # fmt: skip
    body = writable.post("/articles", json={"articles": batch}).json()
    assert (body["stored"], body["failed"]) == (2, 2)
    statuses = [r["status"] for r in body["results"]]
    assert statuses == ["stored", "failed", "failed", "stored"]
    assert "colour" in body["results"][1]["reason"]
    body = json.dumps({"articles": [None, 5, "x", {**ARTICLE, "author": "a\ud800"}]})  # escaped
    odd = writable.post("/articles", content=body, headers={"content-type": "application/json"})
    assert odd.status_code == 200 and [r["status"] for r in odd.json()["results"]] == [
        "failed", "failed", "failed", "duplicate"
    ]  # fmt: skip
    assert odd.json()["results"][0]["reason"] == "not a JSON object but NoneType"


# --- Host header, security headers, HEAD, URL length -------------------------------------


def test_requests_for_another_host_are_refused(web_db: Path) -> None:
    names, any_ip = served_hosts("127.0.0.1")
    app = create_app(web_db, allowed_hosts=names, any_ip_host=any_ip)
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        assert c.get("/health").status_code == 200
        assert c.get("/health", headers={"Host": "localhost:8000"}).status_code == 200
        assert c.get("/health", headers={"Host": "[::1]:8000"}).status_code == 200
        for bad in ("attacker.example", "127.0.0.1.evil.example", "10.0.0.5", ""):
            assert c.get("/health", headers={"Host": bad}).status_code == 400, bad


def test_a_wildcard_server_serves_addresses_not_other_names(web_db: Path) -> None:
    names, any_ip = served_hosts("0.0.0.0", ("news.example",))
    app = create_app(web_db, allowed_hosts=names, any_ip_host=any_ip)
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        for good in ("10.0.0.5:8000", "[fe80::1]:8000", "news.example", "localhost"):
            assert c.get("/health", headers={"Host": good}).status_code == 200, good
        assert c.get("/health", headers={"Host": "rebind.attacker.example"}).status_code == 400


def test_served_hosts() -> None:
    names, any_ip = served_hosts("127.0.0.1")
    assert set(names) >= {"127.0.0.1", "localhost", "[::1]"} and not any_ip
    assert served_hosts("0.0.0.0")[1] is True
    assert "news.example" in served_hosts("0.0.0.0", ("news.example",))[0]
    assert served_hosts("127.0.0.1", ("*",)) == (None, False)


def test_every_response_has_the_security_headers(client: TestClient) -> None:
    for url in ("/ui/", "/articles", "/static/app.css", "/nothing"):
        headers = client.get(url).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"], url
        assert "script-src" not in headers["content-security-policy"]  # default-src 'none'
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"


def test_head_is_answered_like_get_without_a_body(client: TestClient) -> None:
    for url in ("/ui/", "/ui/events", "/health"):
        response = client.head(url)
        assert response.status_code == 200 and response.content == b"", url


def test_a_very_long_url_gets_414(web_db: Path) -> None:
    """Through a real server configured as ``thoisu serve`` configures it: a 100 KB URL
    gets its 414, not a reset connection."""
    import uvicorn

    config = uvicorn.Config(create_app(web_db), host="127.0.0.1", port=0, log_level="warning",
                            **SERVE_OPTIONS)  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        conn.request("GET", "/articles?q=" + "a" * 100_000)
        response = conn.getresponse()
        assert response.status == 414 and b"URL" in response.read()
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_limit() -> None:
    """The guard counts bytes as they arrive: it stops reading at the limit, whatever the
    client says it will send."""
    calls = 0

    async def receive():
        nonlocal calls
        calls += 1
        return {"type": "http.request", "body": b"x" * 65_536, "more_body": True}  # endless

    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    async def app(scope, receive, send):  # pragma: no cover - must not be reached
        raise AssertionError("the app was called")

    guard = RequestGuard(app, max_body=1_000_000, max_url=8192, seconds=5)
    scope = {"type": "http", "method": "POST", "path": "/analyze", "raw_path": b"/analyze",
             "query_string": b"", "headers": [(b"transfer-encoding", b"chunked")]}  # fmt: skip
    asyncio.run(guard(scope, receive, send))
    assert sent[0]["status"] == 413
    assert calls == 1_000_000 // 65_536 + 1


def test_a_client_leaving_cancels_its_work() -> None:
    """The budget is seen from the worker thread a sync route runs in, and is spent as soon
    as the client disconnects."""
    seen: list[bool] = []

    async def app(scope, receive, send):
        def work() -> None:
            budget = request_budget()
            deadline = time.monotonic() + 5
            while not budget.exhausted() and time.monotonic() < deadline:
                time.sleep(0.01)
            seen.append(budget.cancelled)

        await anyio.to_thread.run_sync(work)  # as Starlette runs a sync route
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    messages = iter([{"type": "http.request", "body": b"", "more_body": False}])

    async def receive():
        try:
            return next(messages)
        except StopIteration:
            await asyncio.sleep(0.2)  # the client goes away while the work runs
            return {"type": "http.disconnect"}

    async def send(message):
        pass

    async def run() -> None:
        guard = RequestGuard(app, max_body=1000, max_url=8192, seconds=30)
        scope = {"type": "http", "method": "GET", "path": "/x", "raw_path": b"/x",
                 "query_string": b"", "headers": []}  # fmt: skip
        await guard(scope, receive, send)

    started = time.monotonic()
    asyncio.run(run())
    assert seen == [True] and time.monotonic() - started < 3


def test_a_query_past_its_time_budget_stops(tmp_path: Path) -> None:
    with pytest.raises(QueryTimeout, match="time budget"):
        with Store(tmp_path / "q.db") as s:
            s.limit_time(lambda: True, 10)
            s.db.execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1e7)"
                " SELECT count(*) FROM n"
            ).fetchone()


# --- no 500, whatever the input -------------------------------------------------------------

_BIG_CURSOR = base64.urlsafe_b64encode(json.dumps([2**70, 1, 1]).encode()).decode().rstrip("=")
_NESTED_CURSOR = base64.urlsafe_b64encode(b"[" * 1100).decode()
_HOSTILE = ["", "-1", "99999999999999999999999", "'\"", "(" * 3000 + "a", "a" * 3000, "\x00",
            "NOT OR *", "🙂", "9999-99-99", _BIG_CURSOR, " OR ".join(["dam phan"] * 100),
            "../../etc/passwd", "%", _NESTED_CURSOR]  # fmt: skip
_EXTRA_PARAMS = ("actor", "counterpart", "source", "target", "location", "cameo", "plover",
                 "certainty", "since", "until", "cursor", "by", "q", "type", "group", "a", "b",
                 "unit", "min_certainty", "lang", "full_range", "interval")  # fmt: skip


def _get_routes(app) -> list[tuple[str, list[str]]]:
    routes = []
    for route in app.routes:
        if not isinstance(route, APIRoute) or "GET" not in route.methods:
            continue
        params = {p.name for p in route.dependant.query_params}
        for dep in route.dependant.dependencies:
            params |= {p.name for p in dep.query_params}
        routes.append((route.path, sorted(params | set(_EXTRA_PARAMS))))
    return routes


def test_no_route_answers_500_to_any_parameter(client: TestClient) -> None:
    routes = _get_routes(client.app)
    assert len(routes) >= 14
    for path, params in routes:
        for value in _HOSTILE:
            part = quote(value, safe="") or "x"
            url = path.replace("{article_id}", part).replace("{entity_id}", part)
            url = url.replace("{name}", part)
            for name in params:
                response = client.get(url, params={name: value})
                assert response.status_code < 500, (path, name, value[:40], response.text[:200])


def test_an_over_large_or_nested_cursor_is_a_400_everywhere(client: TestClient) -> None:
    for cursor in (_BIG_CURSOR, _NESTED_CURSOR, "A" * 8000):
        for url in ("/articles", "/events", "/ui/", "/ui/events"):
            response = client.get(url, params={"cursor": cursor, "q": "Iraq"})
            assert response.status_code == 400, (url, response.text[:200])
            assert len(response.text) < 20_000  # the message does not echo a huge cursor


def test_hostile_bodies_never_give_a_server_error(writable: TestClient) -> None:
    bodies = [b"[]", b"null", b'"x"', b"1e999999", b"{" * 5000, b'{"text": 123}',
              b'{"text": "x", "url": "http://[::1"}', b'{"html": "<nav>x</nav>"}',
              json.dumps({"text": "Tin", "published": "2024-02-30"}).encode(),
              json.dumps({"articles": [{"text": "x"}] * 1001}).encode()]  # fmt: skip
    for url in ("/analyze", "/articles"):
        for body in bodies:
            response = writable.post(
                url, content=body, headers={"content-type": "application/json"}
            )
            assert response.status_code < 500, (url, body[:40], response.text[:200])
    nav = writable.post("/analyze", json={"html": "<nav>x</nav>"})
    assert nav.status_code == 422 and "no article text" in nav.json()["detail"]
    bad_url = writable.post("/analyze", json={**ARTICLE, "url": "http://[::1"})
    assert bad_url.status_code == 200 and bad_url.json()["article"]["warnings"]


# --- stored data never becomes markup, links or formulas ---------------------------------


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(document.domain)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
     "data:text/html,<script>alert(1)</script>", "vbscript:x", "//evil.example/x"],
)  # fmt: skip
def test_only_http_urls_become_links(writable: TestClient, url: str) -> None:
    stored = writable.post("/articles", json={**ARTICLE, "url": url}).json()["results"][0]
    page = writable.get(f"/ui/articles/{stored['id']}").text.lower()
    for scheme in ("javascript:", "data:", "vbscript:", "//"):
        assert f'href="{scheme}' not in page and f'href=" {scheme}' not in page
    assert "<script>alert" not in page
    kept = writable.get(f"/articles/{stored['id']}").json()["article"]["url"]
    assert ("nguồn: <code>" in page) == (kept is not None)  # shown as text, if kept at all


def test_web_link() -> None:
    assert web_link("https://vnexpress.net/a.html") == "https://vnexpress.net/a.html"
    assert web_link(" http://x.vn/a ") == "http://x.vn/a"
    for bad in ("javascript:alert(1)", "JAVASCRIPT:x", "data:,x", "ftp://x", "http://", "", None,
                'https://x.vn/"onmouseover="x'):  # fmt: skip
        assert web_link(bad) is None, bad


def test_csv_cells_never_start_a_formula() -> None:
    assert [spreadsheet_safe(v) for v in ("=1+1", "+A1", "-2", "@SUM(A1)", "ok", None, -3)] == [
        "'=1+1", "'+A1", "'-2", "'@SUM(A1)", "ok", "", "-3"
    ]  # fmt: skip
    buf = io.StringIO()
    write_events_csv(buf, [{"id": "e1", "trigger": {"text": "=HYPERLINK(\"http://x\")"},
                            "source": {"text": "@evil", "code": None}}])  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert rows[0]["trigger"].startswith("'=") and rows[0]["source"] == "'@evil"


def test_the_search_header_counts_hits_not_the_store(client: TestClient) -> None:
    total = client.get("/health").json()["articles"]
    page = client.get("/ui/", params={"q": "Iraq"}).text
    hits = len(client.get("/articles", params={"q": "Iraq", "limit": 200}).json()["items"])
    assert 0 < hits < total
    assert f"{hits} bài phù hợp với" in page


def test_threads_see_the_request_budget(client: TestClient) -> None:
    """A sync route runs in a worker thread: its store gets the request's budget."""
    seen = []
    original = Store.limit_time

    def spy(self, exhausted, seconds=0):
        seen.append((threading.current_thread().name, exhausted is not None, seconds))
        return original(self, exhausted, seconds)

    Store.limit_time = spy  # type: ignore[method-assign]
    try:
        assert client.get("/articles", params={"q": "Iraq"}).status_code == 200
    finally:
        Store.limit_time = original  # type: ignore[method-assign]
    assert seen and all(has and seconds == 10 for _, has, seconds in seen)
