"""Entity scoring: the scorer on hand-made bags, and thoisu's quality floor on the VNTC gold."""

from __future__ import annotations

import pytest

from thoisu.evaluation.certainty import load_gold as load_certainty_gold
from thoisu.evaluation.entities import (
    BATCH_SEEDS,
    NAME_TYPER_VNTC_ARTICLES,
    VNTC_PATH,
    draw_exclusions,
    evaluate_articles,
    load_gold,
    normalise,
    score_bags,
    score_spans,
    select_articles,
    thoisu_bag,
)


def test_normalise() -> None:
    assert normalise("  Trịnh  Thanh\nThuỷ ") == "Trịnh Thanh Thủy"
    assert normalise("(Hà Lan") == "Hà Lan"


def test_score_bags_counts_per_article_and_type() -> None:
    gold = [[("PER", "Putin"), ("LOC", "Nga")], [("LOC", "Nga"), ("ORG", "OPEC")]]
    pred = [[("PER", "Putin"), ("LOC", "Nga"), ("LOC", "Nga")], [("PER", "OPEC"), ("LOC", "Nga")]]
    s = score_bags(gold, pred)
    assert (s["all"]["tp"], s["all"]["pred"], s["all"]["gold"]) == (3, 4, 4)
    assert s["all"]["f1"] == pytest.approx(75.0)
    assert s["ORG"]["r"] == 0.0 and s["PER"]["p"] == pytest.approx(50.0)


def test_score_bags_ignores_misc_and_normalises() -> None:
    s = score_bags([[("PER", "Rod  Stewart")]], [[("PER", "Rod Stewart"), ("MISC", "Blue")]])
    assert s["all"]["p"] == s["all"]["r"] == 100.0


def test_score_spans_exact() -> None:
    gold = [("d", 0, 5, "PER"), ("d", 10, 13, "LOC")]
    pred = [("d", 0, 5, "PER"), ("d", 10, 14, "LOC"), ("d", 20, 22, "ORG")]
    s = score_spans(gold, pred)
    assert (s["all"]["tp"], s["all"]["pred"], s["all"]["gold"]) == (1, 3, 2)


def test_gold_is_well_formed() -> None:
    rows = load_gold()
    assert len(rows) == 120 and len({r["id"] for r in rows}) == 120
    for batch in BATCH_SEEDS:
        part = load_gold(batch=batch)
        assert len(part) == 40 and sum(r["split"] == "dev" for r in part) == 20
    assert all(t in ("PER", "LOC", "ORG") and s for r in rows for t, s in r["entities"])


@pytest.mark.skipif(not VNTC_PATH.exists(), reason="VNTC sample not available")
def test_gold_batches_are_the_documented_draws() -> None:
    for batch, seed in BATCH_SEEDS.items():
        drawn = select_articles(seed=seed, exclude=draw_exclusions(batch))
        assert [d["id"] for d in drawn] == [r["id"] for r in load_gold(batch=batch)]


@pytest.mark.skipif(not VNTC_PATH.exists(), reason="VNTC sample not available")
def test_later_batches_leave_out_what_the_name_typer_read() -> None:
    exclusions = draw_exclusions(3)
    earlier = {r["id"] for r in load_gold() if r["batch"] < 3}
    certainty = {r.article_id for r in load_certainty_gold()}
    assert earlier | certainty <= exclusions
    assert len(exclusions - earlier - certainty) == NAME_TYPER_VNTC_ARTICLES
    assert not exclusions & {r["id"] for r in load_gold(batch=3)}


@pytest.mark.skipif(not VNTC_PATH.exists(), reason="VNTC sample not available")
def test_thoisu_quality_floor_on_dev_gold() -> None:
    # A regression guard. This gold was written to the rules' own conventions (a unit word
    # outside the place's span, "Sân bay" outside the airport's), which the recogniser, learned
    # from VLSP, no longer follows: 0.4.0's rules, tuned on these articles, scored 92.5; the
    # recogniser 77.7 (ORG 66.7), underthesea's ner() 36.4. The standard's measure is
    # tests/test_recognition.py and bench/eval_vlsp.py.
    res = evaluate_articles(split="dev")
    assert res["thoisu"]["all"]["f1"] >= 73.0
    assert res["thoisu"]["all"]["f1"] >= res["underthesea"]["all"]["f1"] + 30


@pytest.mark.skipif(not VNTC_PATH.exists(), reason="VNTC sample not available")
def test_thoisu_quality_floor_on_held_out_gold() -> None:
    # A regression guard, not a target to tune on: measured 74.1 (P 73.2, R 75.2) on the 60
    # held-out test articles with the learned recogniser (0.5.0), 76.4 with 0.4.0's rules,
    # 70.8 with 0.3.0's; the gold follows the rules' conventions (see above).
    res = evaluate_articles(split="test", systems={"thoisu": thoisu_bag})
    assert res["articles"] == 60
    assert res["thoisu"]["all"]["f1"] >= 72.0
