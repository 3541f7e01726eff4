"""Shared fixtures: the reference article and the data beside the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REFERENCE = SHARED / "examples" / "soha-nato-iraq.txt"
VNTC = SHARED / "data" / "vntc" / "vntc_sample.jsonl.gz"
SAMPLE = REPO / "samples" / "vntc-world-politics.jsonl.gz"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path


@pytest.fixture(scope="session")
def reference_analysis():
    from thoisu import analyze

    return analyze(need(REFERENCE).read_text(encoding="utf-8"), source=str(REFERENCE))


# Publication dates given to the sample articles of the web fixture, for its timelines only:
# VNTC carries no dates, so these are test data, not facts about the articles.
FIXTURE_DATES = [f"2007-{1 + i % 6:02d}-{1 + (i * 7) % 28:02d}" for i in range(30)]
# An article whose text tries to inject markup: the dashboard must show it as text.
HOSTILE_TEXT = (
    "Cảnh báo <script>alert('xss')</script> về tin giả\n\n"
    "Bộ Ngoại giao Mỹ hôm 5/3/2007 kêu gọi Iran <b>ngừng</b> làm giàu urani."
)


def fixture_articles() -> list[dict]:
    """The web fixture's articles: 30 real sample articles (with FIXTURE_DATES), the
    reference article when ../shared is present, and one hostile article."""
    import gzip
    import json
    from itertools import islice

    items = []
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as fh:
        for line, published in zip(islice(fh, 30), FIXTURE_DATES, strict=False):
            d = json.loads(line)
            items.append(
                {"title": d["title"], "body": d["body"], "publisher": d["publisher"],
                 "category": d["category"], "published": published}
            )  # fmt: skip
    if REFERENCE.exists():
        items.append({"text": REFERENCE.read_text(encoding="utf-8"), "published": "2020-01-10"})
    items.append({"text": HOSTILE_TEXT, "published": "2007-03-06", "publisher": "Test"})
    return items


@pytest.fixture(scope="session")
def web_db(tmp_path_factory) -> Path:
    """A store built through the API's own POST /articles from fixture_articles()."""
    from fastapi.testclient import TestClient

    from thoisu.api import create_app

    path = tmp_path_factory.mktemp("web") / "thoisu.db"
    with TestClient(create_app(path, writable=True)) as client:
        response = client.post("/articles", json={"articles": fixture_articles()})
        assert response.status_code == 200, response.text
        assert response.json()["failed"] == 0
    return path
