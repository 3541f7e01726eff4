"""End to end in headless Chromium: the dashboard served on 127.0.0.1, driven by Playwright.

Needs Debian's ``chromium`` (``.ci/run`` installs it) and the ``playwright`` package (its
own browsers are never downloaded: the system Chromium is launched by path). Screenshots go
to ``test-artifacts/`` (the README's come from there). Skipped, with the reason printed,
when no browser is found, unless ``THOISU_REQUIRE_BROWSER=1`` (set by ``.ci/run``): then they
fail, so that CI never passes without them.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from .conftest import REPO

ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = next(
    (
        p
        for p in (
            os.environ.get("THOISU_CHROMIUM"),
            shutil.which("chromium"),
            shutil.which("chromium-browser"),
        )
        if p
    ),  # fmt: skip
    None,
)
REQUIRED = os.environ.get("THOISU_REQUIRE_BROWSER") == "1"
NO_BROWSER = "no chromium on this machine (apt-get install chromium, or set THOISU_CHROMIUM)"
pytestmark = pytest.mark.skipif(CHROMIUM is None and not REQUIRED, reason=NO_BROWSER)
# Flags for a sandboxed, offline machine: no first-run, sync or background network traffic.
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--disable-quic",
]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _serving(app) -> Iterator[str]:
    """``app`` served by uvicorn on 127.0.0.1 in a thread: its base URL."""
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline:
            pytest.fail("the server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(web_db) -> Iterator[str]:
    from thoisu.api import create_app

    with _serving(create_app(web_db)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.fail(f"THOISU_REQUIRE_BROWSER=1 but {NO_BROWSER}")
    if REQUIRED:
        import playwright.sync_api as playwright
    else:
        playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield pg
    context.close()
    assert not errors, errors


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def test_search_then_open_an_article(server: str, page) -> None:
    page.goto(f"{server}/ui/")
    page.fill("input[name=q]", "dam phan")  # no diacritics: finds "đàm phán"
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("li.hit")
    hits = page.locator("li.hit")
    assert hits.count() >= 1
    assert page.locator("li.hit .snippet mark").count() >= 1
    _shot(page, "search")
    nato = page.locator("li.hit a.title", has_text="NATO")
    (nato.first if nato.count() else hits.first.locator("a.title")).click()
    page.wait_for_selector(".article-text")
    assert page.locator(".article-text mark.trg").count() >= 1
    assert page.locator(".article-text a.ent").count() >= 1
    trigger = page.locator(".article-text mark.trg").first
    trigger.hover()
    tip = trigger.evaluate("el => getComputedStyle(el, '::after').content")
    assert "CAMEO" in tip or "ACE" in tip  # the hover card names the event's codes
    _shot(page, "article")
    # a fact links to its sentence: the events table's "câu N" scrolls to and marks it
    page.locator("table.events a[href^='#s']").first.click()
    target = page.evaluate("location.hash")
    assert page.locator(f"{target}.sent").count() == 1


def test_events_explorer_timeline(server: str, page) -> None:
    page.goto(f"{server}/ui/events")
    page.fill("input[name=actor]", "USA")
    page.locator("form.filters button").click()
    page.wait_for_selector("svg.chart.stacked")
    assert page.locator("svg.chart.stacked rect.seg").count() >= 1
    assert page.locator("table.events tbody tr").count() >= 1
    box = page.locator("svg.chart.stacked").bounding_box()
    assert box and box["width"] > 600 and box["height"] > 150
    _shot(page, "events")
    page.select_option("select[name=by]", "plover")
    page.locator("form.filters button").click()
    page.wait_for_selector("svg.chart.stacked rect.seg")
    keys = page.locator("svg.chart.stacked rect.seg").evaluate_all(
        "els => [...new Set(els.map(e => e.dataset.key))]"
    )
    assert keys and all(k == "" or k.isupper() for k in keys)


def _most_connected_entity(server: str) -> str:
    """The widely reported entity with the most counterparts in the fixture store."""
    import json
    from urllib.parse import quote
    from urllib.request import urlopen

    def get(path: str) -> dict:
        with urlopen(f"{server}{path}") as response:
            return json.load(response)

    ids = [e["id"] for e in get("/entities?limit=40")["items"]]
    counts = {i: len(get(f"/entities/{quote(i, safe='')}")["counterparts"]) for i in ids}
    return max(ids, key=lambda i: counts[i])


def test_entity_page_network(server: str, page) -> None:
    entity = _most_connected_entity(server)
    page.goto(f"{server}/ui/entities/{entity}")
    page.wait_for_selector("svg.chart.network")
    assert page.locator("svg.chart.network circle.node").count() >= 2
    assert page.locator("svg.chart.network path.edge").count() >= 1
    assert page.locator("ul.articles li").count() >= 2
    _shot(page, "entity")


def test_phone_layout_has_no_sideways_scroll(server: str, browser) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    pg = context.new_page()
    for url in ("/ui/?q=my", "/ui/events?actor=USA", "/ui/entities/country:USA"):
        pg.goto(f"{server}{url}")
        overflow = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (url, overflow)
    hits = pg.locator("li.hit a.title")
    pg.goto(f"{server}/ui/?q=nato")
    if hits.count():
        hits.first.click()
        pg.wait_for_selector(".article-text")
        assert pg.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    _shot(pg, "article-phone")
    context.close()


def test_injected_markup_shows_as_text(server: str, page) -> None:
    page.goto(f"{server}/ui/?q=script")
    page.locator("li.hit a.title").first.click()
    page.wait_for_selector(".article-text")
    assert page.locator(".article-text script").count() == 0
    assert "<script>alert('xss')</script>" in page.inner_text(".article-text")
    assert page.evaluate("typeof window.alert") == "function"  # nothing replaced it, no dialog


def test_api_docs_are_served_offline(server: str, page) -> None:
    requested: list[str] = []
    page.on("request", lambda req: requested.append(req.url))
    page.goto(f"{server}/docs")
    assert page.locator("section.endpoint").count() >= 8
    assert page.locator("h2 code").get_by_text("GET /events", exact=True).count() == 1
    assert all(url.startswith(server) for url in requested), requested
    _shot(page, "api")


@pytest.fixture(scope="module")
def writable_server(web_db, tmp_path_factory) -> Iterator[str]:
    """A writable server on a copy of the fixture store (watches are created through it)."""
    from thoisu.api import create_app

    copy = tmp_path_factory.mktemp("writable") / "web.db"
    shutil.copy(web_db, copy)
    with _serving(create_app(copy, writable=True)) as url:
        yield url


def test_a_watch_made_from_the_explorer_is_a_feed(writable_server: str, page) -> None:
    from urllib.request import urlopen

    import feedparser

    page.goto(f"{writable_server}/ui/events?actor=USA")
    page.fill("form.watch-create input[name=name]", "usa-watch")
    page.locator("form.watch-create button").click()
    page.wait_for_url("**/ui/watches/usa-watch")
    assert page.locator("table.events tbody tr").count() >= 1
    feed_link = page.locator("a[type='application/atom+xml']").first.get_attribute("href")
    _shot(page, "watch")
    with urlopen(f"{writable_server}{feed_link}") as response:
        parsed = feedparser.parse(response.read())
    assert not parsed.bozo and parsed.feed.title == "thoisu watch usa-watch"
    assert len(parsed.entries) == page.locator("table.events tbody tr").count()
    assert all(e.link.startswith(f"{writable_server}/ui/articles/") for e in parsed.entries)
    page.goto(f"{writable_server}/ui/watches")
    assert page.locator("table.watches a", has_text="usa-watch").count() == 1


def test_a_dyad_chart_and_the_english_switch(server: str, page) -> None:
    import json
    from urllib.parse import quote
    from urllib.request import urlopen

    entity = _most_connected_entity(server)
    with urlopen(f"{server}/entities/{quote(entity, safe='')}") as response:
        other = json.load(response)["counterparts"][0]["entity"]
    page.goto(f"{server}/ui/entities/{entity}")
    page.locator("a.dyad").first.click()
    page.wait_for_selector("svg.chart.lines")
    assert page.locator("section.dyad-direction svg.chart.stacked").count() == 2
    assert page.locator("section.dyad-direction rect.seg").count() >= 1
    assert page.locator("svg.chart.lines circle").count() >= 1
    assert other in page.url or quote(other, safe="") in page.url
    _shot(page, "dyad")
    page.locator("span.lang a", has_text="English").click()
    page.wait_for_selector("html[lang=en]")
    assert page.locator("nav a", has_text="Watches").count() == 1
    lines = page.locator("table.events td.en").all_inner_texts()
    assert lines and all(line.strip() for line in lines)
    _shot(page, "dyad-en")
