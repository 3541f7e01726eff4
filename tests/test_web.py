"""Dashboard pages rendered in-process: content, escaping, links from facts to sentences."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from thoisu.api import create_app
from thoisu.api.charts import ego_network, stacked_bars
from thoisu.api.render import highlight_article


@pytest.fixture(scope="module")
def client(web_db) -> TestClient:
    with TestClient(create_app(web_db)) as c:
        yield c


class _Tags(HTMLParser):
    """Checks that every element opened is closed in order (well-nested markup)."""

    VOID = {"meta", "link", "input", "br", "img", "hr", "path", "rect", "line", "circle"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts += 1
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()


def _check_html(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    assert not parser.errors, parser.errors[:5]
    assert not parser.stack, parser.stack
    return parser


def _article_id(client: TestClient, query: str) -> str:
    return client.get("/articles", params={"q": query}).json()["items"][0]["id"]


def test_search_page_finds_without_diacritics_and_highlights(client: TestClient) -> None:
    page = client.get("/ui/", params={"q": "dam phan"})
    assert page.status_code == 200
    _check_html(page.text)
    assert page.text.count('class="hit"') >= 1
    assert re.search(r"<mark>[^<]*</mark>", page.text)
    assert "Báo" in page.text and "Chuyên mục" in page.text  # facets


def test_search_facet_filters(client: TestClient) -> None:
    page = client.get("/ui/", params={"q": "Mỹ", "publisher": "VnExpress"}).text
    assert 'class="on"' in page
    titles = re.findall(r'class="meta">([^<·]+)', page)
    assert titles and all(t.strip() == "VnExpress" for t in titles if t.strip() != "Kết quả cho")


def test_article_page_marks_entities_and_triggers(client: TestClient) -> None:
    page = client.get(f"/ui/articles/{_article_id(client, 'Bộ Ngoại giao Mỹ')}").text
    _check_html(page)
    assert 'class="trg"' in page and "ent ent-" in page
    assert 'data-tip="CAMEO' in page or 'data-tip="ACE' in page
    # every event row links to the sentence it came from, and that sentence is on the page
    for sentence in re.findall(r'href="#s(\d+)"', page):
        assert f'id="s{sentence}"' in page
    # each event says how sure thoisu is of it
    confidences = [float(x) for x in re.findall(r'class="conf"[^>]*>([0-9.]+)<', page)]
    assert confidences and all(0 < c <= 1 for c in confidences)


def test_article_text_is_escaped(client: TestClient) -> None:
    hits = client.get("/articles", params={"q": "script"}).json()["items"]
    page = client.get(f"/ui/articles/{hits[0]['id']}").text
    parsed = _check_html(page)
    assert parsed.scripts == 0
    assert "&lt;script&gt;alert(" in page and "<script>alert(" not in page
    assert "&lt;b&gt;ngừng&lt;/b&gt;" in page
    search = client.get("/ui/", params={"q": "script"}).text
    assert "<script>" not in search and _check_html(search).scripts == 0


def test_events_explorer_draws_a_timeline(client: TestClient) -> None:
    page = client.get("/ui/events", params={"actor": "USA"}).text
    _check_html(page)
    assert page.count('class="seg"') >= 1 and "<svg" in page
    assert "/events?format=csv" in page
    by_plover = client.get("/ui/events", params={"actor": "USA", "by": "plover"}).text
    assert re.search(r'data-key="[A-Z]+"', by_plover)


def test_events_explorer_bad_filter_is_a_message(client: TestClient) -> None:
    page = client.get("/ui/events", params={"since": "2024-13"})
    assert page.status_code == 400
    assert 'class="error"' in page.text and "since must be a date" in page.text


def test_entity_page_has_timeline_network_and_articles(client: TestClient) -> None:
    page = client.get("/ui/entities/country:USA")
    assert page.status_code == 200
    _check_html(page.text)
    assert 'class="chart network"' in page.text and 'class="chart stacked"' in page.text
    assert page.text.count('href="/ui/articles/') >= 2
    assert client.get("/ui/entities/person:nobody").status_code == 404


def test_entities_list(client: TestClient) -> None:
    page = client.get("/ui/entities", params={"q": "hoa ky"}).text
    assert 'href="/ui/entities/country:USA"' in page


def test_root_redirects_and_assets_are_local(client: TestClient) -> None:
    assert client.get("/", follow_redirects=False).headers["location"] == "/ui/"
    page = client.get("/ui/").text
    assets = re.findall(r'(?:href|src)="([^"#]+)"', page)
    assert assets and not [a for a in assets if a.startswith(("http:", "https:", "//"))]
    assert client.get("/static/app.css").status_code == 200


def test_highlighter_nests_and_escapes() -> None:
    text = "Mỹ <b>tấn công</b> Iraq."
    record = {
        "article": {"text": text},
        "sentences": [{"index": 0, "start": 0, "end": len(text), "text": text}],
        "entities": [
            {
                "id": "country:USA",
                "name": "United States",
                "type": "LOC",
                "code": "USA",
                "mentions": [{"start": 0, "end": 2, "text": "Mỹ"}],
            },
            {
                "id": "country:IRQ",
                "name": "Iraq",
                "type": "LOC",
                "code": "IRQ",
                "mentions": [{"start": 20, "end": 24, "text": "Iraq"}],
            },
            # a mention crossing the trigger loses to it
            {
                "id": "x",
                "name": "x",
                "type": "MISC",
                "mentions": [{"start": 5, "end": 12, "text": "x"}],
            },
        ],  # fmt: skip
        "events": [
            {
                "id": "e1",
                "trigger": {"start": 6, "end": 15, "text": "tấn công"},
                "cameo": "190",
                "cameo_label": "Use conventional military force",
                "type": "Attack",
                "source": {"text": "Mỹ", "code": "USA"},
                "certainty": "asserted",
            }
        ],  # fmt: skip
    }
    html = str(highlight_article(record))
    _check_html(html)
    assert html.startswith('<span class="sent" id="s0">')
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert html.count('class="trg"') == 1 and 'href="/ui/entities/x"' not in html
    assert 'href="/ui/entities/country:USA"' in html and 'href="/ui/entities/country:IRQ"' in html
    assert "CAMEO 190" in html and "nguồn: Mỹ [USA]" in html


def test_charts_escape_and_handle_empty_data() -> None:
    svg = str(
        stacked_bars(
            ["2020-01", "2020-02"], {"<x>": [1, 2], "19": [0, 3]}, labels={"19": "19 FIGHT"}
        )
    )
    assert "&lt;x&gt;" in svg and "<x>" not in svg
    assert svg.count('class="seg"') == 3 and "19 FIGHT: 3" in svg
    assert "Không có sự kiện" in str(stacked_bars([], {}))
    graph = str(
        ego_network(
            {"id": "a", "name": "A"},
            [
                {
                    "entity": "b",
                    "name": "<B>",
                    "as_target": 2,
                    "as_source": 1,
                    "total": 3,
                    "type": "LOC",
                }
            ],
        )
    )
    assert "&lt;B&gt;" in graph and graph.count('class="edge') == 2
    assert "Chưa có sự kiện" in str(ego_network({"id": "a", "name": "A"}, []))


def test_api_reference_page_lists_every_route(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    _check_html(page.text)
    for route in ("POST /analyze", "POST /articles", "GET /events", "GET /entities/{entity_id}"):
        assert f"<code>{route}</code>" in page.text
    assert "<code>ArticlesIn</code> hoặc <code>ArticleIn</code>" in page.text


# The Vietnamese labels of the pages below: none is left on the English pages.
_VIETNAMESE_LABELS = ("Tìm kiếm", "Chuyên mục", "(không tiêu đề)", "Mức chắc chắn", "Theo ai",
                      "Đối tác hàng đầu", "Số bài", "lần nhắc", "mọi loại", "bài phù hợp",
                      "Bản ghi JSON", "bị tác động", "Số bài báo theo thời gian",
                      "Kiểm tra lần cuối", "mọi trạng thái")  # fmt: skip


@pytest.mark.parametrize("page", ["search", "article", "entities", "entity", "feeds"])
def test_pages_in_english_keep_no_vietnamese_label(client: TestClient, page: str) -> None:
    path = {
        "search": "/ui/?q=dam+phan",
        "article": f"/ui/articles/{_article_id(client, 'Bộ Ngoại giao Mỹ')}",
        "entities": "/ui/entities?type=LOC",
        "entity": "/ui/entities/country:USA",
        "feeds": "/ui/feeds",
    }[page]
    english = client.get(path, params={"lang": "en"}).text
    vietnamese = client.get(path).text
    _check_html(english)
    # the articles' own words (text, snippets) stay Vietnamese
    own_words = r'<div class="article-text">.*?</div>|class="snippet">.*?</p>'
    chrome = re.sub(own_words, "", english, flags=re.S)
    left = [label for label in _VIETNAMESE_LABELS if label in chrome]
    assert not left, left
    assert any(label in vietnamese for label in _VIETNAMESE_LABELS)  # the list is not stale
    if page == "article":
        assert 'class="en"' in english and 'class="en"' not in vietnamese  # English lines
