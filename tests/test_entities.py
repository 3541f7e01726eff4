"""Entity recognition and linking on sentences written for the tests."""

from __future__ import annotations

from thoisu import analyze
from thoisu.entities import fold, slugify


def _entities(text):
    return {e.id: e for e in analyze(text).entities}


def test_fold_and_slug():
    assert fold("Đàm phán Hà Nội") == "dam phan ha noi"
    assert slugify("Nguyễn Tấn Dũng") == "nguyen-tan-dung"


def test_person_with_title_and_country_gets_actor_code():
    ents = _entities(
        "Tin thế giới\n\nTổng thống Nga Vladimir Putin hôm nay tiếp Thủ tướng Ấn Độ Narendra Modi."
    )
    assert ents["person:vladimir-putin"].code == "RUSGOV"
    assert ents["person:vladimir-putin"].role == "Tổng thống"
    assert ents["person:narendra-modi"].code == "INDGOV"
    assert "country:RUS" in ents and "country:IND" in ents


def test_given_names_are_not_countries():
    ents = _entities("Chuyện nhà\n\nChị Nga và anh Đức đến thăm bà Lê Thị Nga ở Hà Nội.")
    assert "country:RUS" not in ents
    assert "country:DEU" not in ents
    people = {e.name for e in ents.values() if e.type == "PER"}
    assert "Lê Thị Nga" in people


def test_short_reference_links_to_full_name():
    ents = _entities("Tin\n\nÔng Barack Obama đến Hà Nội. Ông Obama nói rằng Mỹ muốn hợp tác.")
    obama = ents["person:barack-obama"]
    assert {m.text for m in obama.mentions} >= {"Barack Obama", "Obama"}
    assert "person:obama" not in ents


def test_organisation_with_country_is_a_sector_actor():
    ents = _entities(
        "Tin\n\nBộ Ngoại giao Trung Quốc cho biết quân đội Nhật Bản đã rút khỏi khu vực."
    )
    codes = {e.code for e in ents.values()}
    assert "CHNGOV" in codes
    assert "JPNMIL" in codes


def test_entity_ids_are_stable_across_articles():
    a = _entities("Tin một\n\nHoa Kỳ và Liên Hợp Quốc ra tuyên bố chung.")
    b = _entities("Tin hai\n\nMỹ cùng LHQ kêu gọi ngừng bắn.")
    assert "country:USA" in a and "country:USA" in b
    un_a = [k for k, e in a.items() if e.type == "ORG"]
    un_b = [k for k, e in b.items() if e.type == "ORG"]
    assert un_a and un_a == un_b
