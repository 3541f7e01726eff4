"""Event coding on sentences written for the tests (not from the reference article)."""

from __future__ import annotations

import pytest

from thoisu import analyze
from thoisu.events.codes import cameo, quad_class
from thoisu.events.dates import find_dates
from thoisu.events.quantities import parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [("2.000", 2000), ("2,5", 2.5), ("1.500.000", 1500000), ("500", 500), ("12,75", 12.75)],
)
def test_vietnamese_numbers(text, value):
    assert parse_number(text) == value


def test_dates_day_first_and_partial():
    found = find_dates("Ông đến Hà Nội ngày 3/1 và họp ngày 12 tháng 2.", None)
    assert [iso for _, _, iso in found] == ["--01-03", "--02-12"]


def test_dates_resolved_against_publication():
    found = find_dates("hôm qua và ngày 28/12", "2020-01-02")
    assert [iso for _, _, iso in found] == ["2020-01-01", "2019-12-28"]
    assert find_dates("tháng 5/2008", None)[0][2] == "2008-05"


def test_cameo_tables():
    assert cameo("186").label == "Assassinate"
    assert cameo("186").plover == "ASSAULT"
    assert cameo("046").goldstein == 7.0
    assert [quad_class(c) for c in ("010", "062", "112", "190")] == [1, 2, 3, 4]


def _events(text, **kw):
    return analyze(text, **kw).events


def test_attack_with_source_target_location_and_quantity():
    events = _events(
        "Israel không kích Gaza\n\nQuân đội Israel hôm qua đã không kích nhóm Hamas ở Gaza, "
        "làm 15 người thiệt mạng.",
        published="2008-12-28",
    )
    strike = [e for e in events if e.cameo == "195" and e.sentence == 1]
    assert strike, [(e.trigger.text, e.cameo) for e in events]
    ev = strike[0]
    assert ev.source.code == "ISRMIL"
    assert ev.location is not None and "Gaza" in ev.location.text
    assert ev.date == "2008-12-27"
    assert ev.certainty == "asserted"
    assert any(q.value == 15 and q.unit == "người" for e in events for q in e.quantities)


def test_negation_and_hedges():
    events = _events(
        "Tin thế giới\n\nNga không ủng hộ lệnh trừng phạt. Trung Quốc có thể trừng phạt Nhật Bản. "
        "Iran được cho là đã bắt giữ 8 thủy thủ Anh."
    )
    by_trigger = {(e.sentence, e.trigger.text): e for e in events}
    assert by_trigger[(1, "ủng hộ")].certainty == "negated"
    assert by_trigger[(2, "trừng phạt")].certainty == "possible"
    arrest = by_trigger[(3, "bắt giữ")]
    assert arrest.certainty == "reported"
    assert arrest.cameo == "173" and arrest.type == "Arrest-jail"
    assert arrest.source.code == "IRN"


def test_headline_question():
    events = _events("Mỹ sẽ tấn công Iran?\n\nNội dung bài viết ngắn về tình hình.")
    assert events and events[0].certainty == "question"


def test_attribution_speaker_and_via():
    events = _events(
        "Tin thế giới\n\nNgười phát ngôn Bộ Ngoại giao Trung Quốc Tần Cương nói với Tân Hoa Xã "
        "rằng Bắc Kinh phản đối việc Mỹ bán vũ khí cho Đài Loan."
    )
    protest = [e for e in events if e.cameo and e.cameo.startswith("11")]
    assert protest
    att = protest[0].attribution
    assert att is not None and att.speaker is not None and att.speaker.text == "Tần Cương"
    assert att.via is not None and att.via.entity and "xinhua" in att.via.entity


def test_outlet_quoting_a_source_is_the_channel():
    events = _events(
        "Tin\n\nTân Hoa Xã dẫn lời Ngoại trưởng Trung Quốc Vương Nghị nói rằng Bắc Kinh phản đối "
        "lệnh trừng phạt."
    )
    att = next(e for e in events if e.cameo and e.cameo.startswith("11")).attribution
    assert att.speaker.text == "Vương Nghị" and att.speaker.code == "CHNGOV"
    assert att.via is not None and att.via.code == "CHNMED"
    anonymous = _events(
        "Tin\n\nReuters dẫn lời một quan chức giấu tên cho biết Nga đã ký hợp đồng với Ấn Độ."
    )
    signed = next(e for e in anonymous if e.cameo == "057")
    assert signed.certainty == "reported"
    assert signed.attribution.via.entity == "agency:reuters"
