"""The CAMEO dyad corpus (data/dyads): every annotation checked as the guidelines demand,
the built corpus consistent with it, and no article shared with an evaluation set."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import dyads  # noqa: E402

from thoisu.evaluation import gold_article_ids  # noqa: E402

ANNOTATIONS = sorted(dyads.ANNOTATIONS.glob("batch-*.json"))


def _corpus() -> list[dict]:
    return [json.loads(line) for line in dyads.CORPUS.read_text("utf-8").splitlines() if line]


@pytest.mark.parametrize("path", ANNOTATIONS, ids=lambda p: p.name)
def test_every_quote_is_found_and_every_code_exists(path: Path) -> None:
    if not dyads.CODES.exists():
        pytest.skip(f"no code tables at {dyads.CODES}")
    assert dyads.check_file(path) == []


def test_the_built_corpus_quotes_its_text_and_has_every_batch() -> None:
    rows = _corpus()
    assert len(rows) == 462 and len({r["id"] for r in rows}) == 462
    assert {r["batch"] for r in rows} == {p.stem for p in dyads.BATCHES.glob("batch-*.json")}
    for row in rows:
        text = row["text"]
        for event in row["events"]:
            for key in ("trigger", "source", "target", "location"):
                value = event[key]
                if value and value["start"] is not None:
                    assert text[value["start"] : value["end"]] == value["text"], (row["id"], key)
            assert event["cameo"][:2] == event["cameo_root"]
        for item in row["non_events"]:
            assert text[item["start"] : item["end"]] == item["text"]


def test_no_article_of_an_evaluation_set() -> None:
    ids = {r["id"] for r in _corpus()}
    assert not ids & gold_article_ids()  # the event audit, certainty and name gold


def test_the_double_annotated_batches_agree() -> None:
    """A regression guard on the agreement reported in data/dyads/README.md."""

    class Args:
        batches = ["batch-02", "batch-03", "batch-04"]

    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        dyads.agreement(Args())
    scores = json.loads(out.getvalue())
    assert scores["trigger_f1"] == 96.0 and scores["root_agree_of_matched"] == 97.1
