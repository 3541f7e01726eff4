"""The certainty/attribution gold file, the scorer, and a quality floor for thoisu."""

from __future__ import annotations

import json
import unicodedata

import pytest

from thoisu.evaluation.certainty import (
    CERTAINTIES,
    GOLD_PATH,
    GoldItem,
    Prediction,
    baseline,
    gold_problems,
    load_articles,
    load_gold,
    score,
    speaker_match,
)

from .conftest import VNTC, need

# Measured on the gold file (bench/eval_certainty.py, 0.6.0): certainty 83.1%, speaker 84.6%,
# over the 65 of 81 sentences where thoisu finds an event. Floors: measured - 5 points.
CERTAINTY_FLOOR = 0.831 - 0.05
SPEAKER_FLOOR = 0.846 - 0.05
COVERAGE_FLOOR = 0.802 - 0.05


def _records() -> list[dict]:
    with open(GOLD_PATH, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def test_gold_file_is_well_formed() -> None:
    records = _records()
    assert len(records) >= 60
    for n, obj in enumerate(records, 1):
        assert gold_problems(obj) == [], (n, obj)
    assert len(load_gold()) == len(records)
    keys = [(r["article_id"], r["sentence"]) for r in records]
    assert len(set(keys)) == len(keys), "duplicate sentences"
    # Every certainty value and attributed as well as unattributed sentences are present.
    assert {r["certainty"] for r in records} == set(CERTAINTIES)
    assert any(r["speaker"] for r in records) and any(r["speaker"] is None for r in records)
    assert any(r["via"] for r in records)
    assert all(r["article_id"].split("-")[-2].split("_")[0].endswith(("TG", "XH")) for r in records)


def test_gold_sentences_are_verbatim_in_their_articles() -> None:
    records = _records()
    articles = load_articles({r["article_id"] for r in records}, need(VNTC))
    for r in records:
        art = articles.get(r["article_id"])
        assert art is not None, r["article_id"]
        assert art["category"] in ("Thế giới", "Chính trị - Xã hội")
        text = unicodedata.normalize("NFC", f"{art['title'] or ''}\n{art['body']}")
        assert r["sentence"] in text, r["sentence"]


def test_gold_problems_reports_errors() -> None:
    good = {
        "article_id": "a",
        "sentence": "Nga tấn công Ukraina.",
        "trigger": "tấn công",
        "certainty": "asserted",
        "speaker": None,
        "via": None,
    }
    assert gold_problems(good) == []
    assert gold_problems({**good, "certainty": "sure"})
    assert gold_problems({**good, "trigger": "ký"})
    assert gold_problems({**good, "via": "Reuters"})  # via without speaker
    assert gold_problems({k: v for k, v in good.items() if k != "speaker"})
    assert gold_problems({**good, "speaker": ""})
    assert gold_problems([good])


def test_speaker_match() -> None:
    assert speaker_match(None, None)
    assert not speaker_match(None, "Reuters")
    assert not speaker_match("Reuters", None)
    assert speaker_match("Jens Stoltenberg", "ông Jens Stoltenberg")
    assert speaker_match("Jens Stoltenberg", "Stoltenberg")
    assert speaker_match("thuỷ thủ", "Thủy thủ")  # tone placement and case
    assert speaker_match("nhân chứng", "nhân chứng,")
    # Containment counts only for named speakers, and only as whole words.
    assert not speaker_match("nhân chứng", "Hôm 13/5, nhân chứng")
    assert not speaker_match("Bush", "Bushehr")
    assert not speaker_match("nhà ngoại giao", '"')


def _item(certainty: str, speaker: str | None = None) -> GoldItem:
    return GoldItem("a", "s", "t", certainty, speaker, None)


def test_score_and_baseline() -> None:
    preds = [
        Prediction(_item("asserted"), True, "asserted"),
        Prediction(_item("reported", "nguồn tin"), True, "asserted", "nguồn tin"),
        Prediction(_item("negated"), True, "negated", "Reuters"),
        Prediction(_item("question"), False),
    ]
    s = score(preds)
    assert (s.total, s.covered) == (4, 3)
    assert s.coverage == 0.75
    assert s.certainty_accuracy == pytest.approx(2 / 3)
    assert s.speaker_accuracy == pytest.approx(2 / 3)
    assert s.speaker_accuracy_all == pytest.approx(3 / 4)  # the missing event has no speaker
    assert s.via_accuracy == 1.0
    assert s.confusion[("reported", "asserted")] == 1
    assert sum(s.confusion.values()) == 3
    b = score(baseline(preds))
    assert b.covered == 3
    assert b.certainty_accuracy == pytest.approx(1 / 3)
    assert b.speaker_accuracy == pytest.approx(2 / 3)


def test_quality_floor() -> None:
    from thoisu.evaluation.certainty import evaluate

    need(VNTC)
    _, system, base = evaluate()
    assert system.coverage >= COVERAGE_FLOOR
    assert system.certainty_accuracy >= CERTAINTY_FLOOR
    assert system.speaker_accuracy >= SPEAKER_FLOOR
    assert system.certainty_accuracy > base.certainty_accuracy
    assert system.speaker_accuracy > base.speaker_accuracy
