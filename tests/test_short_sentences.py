"""Short, unambiguous sentences (tests/gold/short_sentences.jsonl): the set itself is sound,
and thoisu gets root, source and target right on the held-out half above a floor."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from thoisu.evaluation.short import judge, load_short

CODES = Path(__file__).resolve().parents[2] / "shared" / "data" / "codes"
CONSTRUCTIONS = {"active", "passive", "addressee", "ditransitive", "with", "long_subject",
                 "title_name", "vn_institution", "coordinated", "decline_comment", "non_event"}  # fmt: skip
# right of the held-out (even) half, measured with the shipped models (docs/quality.md);
# the floor leaves room for a few sentences, not for a regression
FLOOR = 116


def _codes(name: str) -> set[str]:
    lines = (CODES / name).read_text(encoding="utf-8").splitlines()[1:]
    return {line.split("\t")[0].strip() for line in lines if line.strip()}


def test_the_set_is_sound() -> None:
    if not CODES.exists():
        pytest.skip(f"no code tables at {CODES}")
    rows = load_short()
    events = _codes("CAMEO.eventcodes.txt")
    blocks = _codes("CAMEO.country.txt") | _codes("CAMEO.type.txt") | _codes("CAMEO.knowngroup.txt")
    assert len(rows) == 320 and len({r["id"] for r in rows}) == 320
    assert len(load_short("dev")) == len(load_short("test")) == 160
    for row in rows:
        assert row["construction"] in CONSTRUCTIONS
        assert unicodedata.normalize("NFC", row["text"]) == row["text"]
        if row["construction"] == "non_event":
            assert row["cameo"] is None and row["source"] is None and row["target"] is None
            continue
        assert row["cameo"] in events, row["id"]
        for role in ("source", "target"):
            actor = row[role]
            if actor is None:
                continue
            assert actor["text"] in row["text"], (row["id"], role)
            code = actor["code"]
            if code:
                assert all(code[i : i + 3] in blocks for i in range(0, len(code), 3)), code
                assert re.fullmatch(r"(?:[A-Z]{3})+", code)


def test_judging_reads_roots_actors_and_reversals() -> None:
    row = {"text": "Mỹ chỉ trích Nga.", "cameo": "111",
           "source": {"text": "Mỹ", "code": "USAGOV"}, "target": {"text": "Nga", "code": "RUSGOV"}}  # fmt: skip

    def event(cameo, source, target):
        return {"cameo": cameo, "certainty": "asserted",
                "source": source and {"code": source[0], "start": source[1], "end": source[2]},
                "target": target and {"code": target[0], "start": target[1], "end": target[2]}}  # fmt: skip

    assert judge(row, [event("111", ("USA", 0, 2), ("RUS", 13, 16))])["right"]
    assert judge(row, [event("040", ("USA", 0, 2), ("RUS", 13, 16))])["error"] == "root"
    assert judge(row, [event("111", ("RUS", 13, 16), ("USA", 0, 2))])["error"] == "reversed"
    assert judge(row, [event("111", ("USA", 0, 2), None)])["error"] == "target"
    look_alike = {"text": "Giá xăng tăng.", "cameo": None, "source": None, "target": None}
    assert judge(look_alike, [])["right"]
    assert not judge(look_alike, [event("154", None, None)])["right"]


def test_held_out_half_above_the_floor() -> None:
    from thoisu.evaluation.short import score_short

    result = score_short("test")
    assert result["right"] >= FLOOR, result["errors"]
