"""English event lines (thoisu.events.english), the agents' English names and the GDELT
export's English actor names. Hand-built records only: no model is loaded."""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

import pytest

from thoisu.entities.agents import agent_head, english_name, load_agents
from thoisu.events.codes import cameo_codes
from thoisu.events.english import VERBS, actor_english_name, english_line
from thoisu.records import Event, Span
from thoisu.store.export import GDELT_COLUMNS, gdelt_line

# -- the agent dictionary ----------------------------------------------------------------

_EN = re.compile(r"[A-Z0-9][A-Z0-9 ,'&-]*[A-Z0-9]")


def test_every_agent_row_has_an_english_name_in_capitals() -> None:
    text = resources.files("thoisu.entities").joinpath("data", "agents.tsv").read_text("utf-8")
    rows = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert len(rows) > 1000
    for row in rows:
        cells = row.split("\t")
        assert len(cells) == 5, row
        en = cells[4]
        assert en.isascii() and en == en.upper() and _EN.fullmatch(en), row
        # Phoenix's stems and separators cleaned away: "!MINIST!", "AUTHORIT", "_"
        assert not re.search(r"  |_|\bMINIST\b|\bAUTHORIT\b|\bCOMPAN\b", en), row
    assert all(agent.english for agent in load_agents().values())


def test_english_name_of_the_agent_opening_an_actor_text() -> None:
    assert english_name("công an") == "POLICE"
    assert english_name("các binh lính Mỹ") == "SOLDIERS"  # quantifier skipped
    assert english_name("nhóm người biểu tình") == "PROTESTERS"  # group word skipped
    assert english_name("hàng trăm người biểu tình") == "PROTESTERS"
    assert english_name("toàn bộ binh sĩ") == "SOLDIERS"  # not "bộ binh", infantry
    assert english_name("công an tỉnh Nghệ An") == "PROVINCIAL POLICE"  # longest match
    assert english_name("Bộ Ngoại giao Mỹ") == "FOREIGN MINISTRY"
    assert english_name("UBND TP. Hà Nội") == "PEOPLE'S COMMITTEE"
    assert english_name("hôm nay trời đẹp") is None
    assert english_name("các") is None and english_name("") is None
    # the English name takes no part in an agent's identity
    assert agent_head("ubnd tp. hà nội")[0] == agent_head("ủy ban nhân dân huyện")[0]


# -- the verb table ---------------------------------------------------------------------


def test_verb_table_codes_are_cameo_codes() -> None:
    codes = set(cameo_codes())
    assert [code for code in VERBS if code not in codes] == []
    roots = {code for code in codes if len(code) == 2}
    assert roots <= set(VERBS)  # every root has a phrase: the last fallback
    for entry in VERBS.values():
        parts = entry if isinstance(entry, tuple) else (entry,)
        assert all(p.count("[") == p.count("]") <= 1 for p in parts), entry
        if isinstance(entry, tuple):
            assert "{t}" in entry[0] and "{t}" not in entry[1], entry
        else:
            assert entry.count("{t}") <= 1 and ("{t}" not in entry or "[" in entry), entry


# -- english_line -----------------------------------------------------------------------


def _actor(entity: str | None, text: str, code: str | None = None) -> dict[str, Any]:
    return {"entity": entity, "text": text, "code": code}


def _event(cameo: str | None, source=None, target=None, **fields: Any) -> dict[str, Any]:
    event = {"cameo": cameo, "source": source, "target": target, "location": None,
             "attribution": None, "certainty": "asserted", "realis": "actual"}  # fmt: skip
    event.update(fields)
    return event


NAMES = {
    "actor:USAGOV": "United States Government",
    "country:CHN": "China",
    "country:IRQ": "Iraq",
    "org:nato": "NATO",
    "person:ho-xuan-huy": "Hồ Xuân Huy",
    "province:da-nang": "Da Nang",
    "loc:gia-lam": "Gia Lâm",
    "org:cong-an-huyen-gia-lam": "Công an huyện Gia Lâm",
    "person:quan": "Quân",
}
USA_GOV = _actor("actor:USAGOV", "Chính phủ Mỹ", "USAGOV")
CHINA = _actor("country:CHN", "Trung Quốc", "CHN")
IRAQ = _actor("country:IRQ", "Iraq", "IRQ")
HUY = _actor("person:ho-xuan-huy", "Hồ Xuân Huy", "VNM")
POLICE = _actor(None, "công an", "VNMCOP")


def test_entity_names_and_asserted_past() -> None:
    assert english_line(_event("112", USA_GOV, CHINA), NAMES) == (
        "The United States Government accused China."
    )
    assert english_line(_event("1121", USA_GOV, CHINA), NAMES) == (
        "The United States Government accused China of crime or corruption."
    )
    assert english_line(_event("046", CHINA, IRAQ), NAMES) == "China negotiated with Iraq."


def test_agent_names_with_the_country_of_the_code_and_a_place() -> None:
    place = _actor("province:da-nang", "Đà Nẵng")
    line = english_line(_event("173", POLICE, HUY, location=place), NAMES)
    assert line == "The police of Vietnam arrested Ho Xuan Huy in Da Nang."
    place = _actor("region:middle-east", "Trung Đông")
    names = {**NAMES, "region:middle-east": "Middle East"}
    line = english_line(_event("010", CHINA, location=place), names)
    assert line == "China made a statement in the Middle East."
    soldiers = _actor(None, "hai binh lính Mỹ", "USAMIL")
    assert english_line(_event("190", soldiers, IRAQ), NAMES) == (
        "The soldiers of the United States used military force against Iraq."
    )
    # no code: the agent alone; no entity for the place: its words, without the unit word
    police = _actor(None, "cảnh sát", None)
    place = _actor(None, "tỉnh Quảng Ninh")
    assert english_line(_event("173", police, HUY, location=place), NAMES) == (
        "The police arrested Ho Xuan Huy in Quang Ninh."
    )


def test_vietnamese_entity_names() -> None:
    police = _actor("org:cong-an-huyen-gia-lam", "Công an huyện Gia Lâm", "VNMCOP")
    assert english_line(_event("173", police, HUY), NAMES) == (
        "District Police of Gia Lam arrested Ho Xuan Huy."
    )
    # a person's name stays a name even where it is also an agent noun ("quân": troops)
    assert actor_english_name(_actor("person:quan", "Quân"), NAMES) == "Quan"
    # an entity the caller has no name for: its words, when they are a name
    assert actor_english_name(_actor("person:x", "Nguyễn Văn A"), {}) == "Nguyen Van A"


def test_code_only_and_unknown_actors() -> None:
    assert english_line(_event("111", _actor(None, "Washington", "USAGOV"), None)) == (
        "The government of the United States voiced criticism."
    )
    assert english_line(_event("042", _actor(None, "phía này", None), IRAQ), NAMES) == (
        "Someone visited Iraq."
    )
    assert english_line(_event("18", None, None)) == "Someone carried out an attack."
    assert actor_english_name(None, NAMES) is None
    assert actor_english_name(_actor(None, "họ", None), NAMES) is None


def test_missing_target_drops_its_part_of_the_phrase() -> None:
    assert english_line(_event("020", CHINA), NAMES) == "China made an appeal."
    assert english_line(_event("020", CHINA, IRAQ), NAMES) == "China made an appeal to Iraq."
    assert english_line(_event("0233", CHINA), NAMES) == "China appealed for humanitarian aid."
    assert english_line(_event("0233", CHINA, IRAQ), NAMES) == (
        "China appealed to Iraq for humanitarian aid."
    )
    assert english_line(_event("173", POLICE), NAMES) == "The police of Vietnam made arrests."


@pytest.mark.parametrize(
    ("certainty", "realis", "expected"),
    [
        ("asserted", "actual", "China attacked Iraq."),
        ("reported", "actual", "China reportedly attacked Iraq."),
        ("possible", "actual", "China may attack Iraq."),
        ("negated", "actual", "China did not attack Iraq."),
        ("asserted", "negated", "China did not attack Iraq."),
        ("question", "actual", "Did China attack Iraq?"),
        ("asserted", "future", "China will attack Iraq."),
        ("reported", "future", "China will reportedly attack Iraq."),
        ("negated", "future", "China will not attack Iraq."),
        ("question", "future", "Will China attack Iraq?"),
        ("asserted", "hypothetical", "China could attack Iraq."),
        ("asserted", None, "China attacked Iraq."),
    ],
)
def test_certainty_and_realis(certainty: str, realis: str | None, expected: str) -> None:
    event = _event("18", CHINA, IRAQ, certainty=certainty, realis=realis)
    assert english_line(event, NAMES) == expected


def test_attribution_names_the_speaker() -> None:
    speaker = _actor(None, "người phát ngôn Bộ Ngoại giao", "USAGOV")
    attribution = {"speaker": speaker, "via": None, "text": "theo người phát ngôn"}
    event = _event("1123", CHINA, IRAQ, certainty="reported", attribution=attribution)
    assert english_line(event, NAMES) == (
        "China accused Iraq of aggression, according to the spokesperson of the United States."
    )
    # a statement's speaker is its source: not said twice
    own = {"speaker": CHINA, "via": None, "text": ""}
    assert english_line(_event("010", CHINA, attribution=own), NAMES) == ("China made a statement.")


def test_code_fallbacks() -> None:
    # a 4-digit code without a phrase of its own: its 3-digit code's, then its root's
    assert english_line(_event("1834", CHINA, IRAQ), NAMES) == (
        "China carried out a bombing against Iraq."
    )
    assert english_line(_event("1245", CHINA, IRAQ), NAMES) == "China refused to yield to Iraq."
    assert english_line(_event("099", CHINA, IRAQ), NAMES) == "China investigated Iraq."
    # not a CAMEO root at all: the record's label, said as such
    line = english_line(_event("99", CHINA, cameo_label="Something else"), NAMES)
    assert line == "China took part in an event coded Something else."
    assert english_line(_event(None, CHINA, IRAQ), NAMES) is None
    assert english_line(_event("", CHINA, IRAQ), NAMES) is None


def test_event_record_carries_en() -> None:
    event = Event("e1", 0, Span("x", 0, 1), None, "18", None)
    assert event.to_dict()["en"] is None
    event.en = english_line(event.to_dict())
    assert event.to_dict()["en"] == "Someone carried out an attack."


# -- GDELT rows ---------------------------------------------------------------------------


def _row(source: tuple, target: tuple, cameo: str = "173") -> dict[str, Any]:
    """An event row as the store's export query gives it (the columns gdelt_line reads)."""
    row: dict[str, Any] = {
        "id": "0a1b2c3d4e5f60718293", "article_id": "a1", "effective_date": "2024-02-11",
        "published": "2024-02-12", "is_root": 1, "cameo": cameo,
        "record": json.dumps({"quad_class": 4, "goldstein": -5.0}),
        "group_mentions": None, "group_sources": None, "group_articles": None,
        "location_text": None, "location_entity": None, "location_kind": None,
        "location_code": None, "location_name": None,
        "added_at": "2024-02-12T01:02:03Z", "url": "https://soha.vn/a1.htm",
        "article_source": None,
    }  # fmt: skip
    for role, (entity, text, code, name) in (("source", source), ("target", target)):
        row.update({f"{role}_entity": entity, f"{role}_text": text, f"{role}_code": code,
                    f"{role}_name": name})  # fmt: skip
    return row


NONE = (None, None, None, None)


def test_gdelt_actor_names_are_english_capitals() -> None:
    row = _row(("country:USA", "Mỹ", "USA", "United States"), (None, "binh lính", "IRQMIL", None))
    f = gdelt_line(row).split("\t")
    assert len(f) == GDELT_COLUMNS
    assert f[5:8] == ["USA", "UNITED STATES", "USA"]
    assert (f[15], f[16], f[17], f[22]) == ("IRQMIL", "SOLDIERS", "IRQ", "MIL")
    assert f[26] == "173" and f[60] == "https://soha.vn/a1.htm"
    # a Vietnamese entity name: without diacritics; an organisation's: its agent in English
    row = _row(("org:x", "Công an huyện Gia Lâm", "VNMCOP", "Công an huyện Gia Lâm"),
               ("person:ho-xuan-huy", "Hồ Xuân Huy", None, "Hồ Xuân Huy"))  # fmt: skip
    f = gdelt_line(row).split("\t")
    assert (f[6], f[16]) == ("DISTRICT POLICE OF GIA LAM", "HO XUAN HUY")
    # a phrase that is no name and no agent: no name (the code still says who)
    f = gdelt_line(_row((None, "phía này", "CHN", None), NONE)).split("\t")
    assert f[5:8] == ["CHN", "", "CHN"] and f[15:25] == [""] * 10


def test_gdelt_skips_rows_with_no_actor_code_or_name() -> None:
    assert gdelt_line(_row((None, "phía này", None, None), NONE)) is None
    assert gdelt_line(_row(NONE, NONE)) is None
    assert gdelt_line(_row(NONE, (None, "người biểu tình", None, None))) is not None
    assert gdelt_line(_row(NONE, (None, "họ", "VNM", None))) is not None


def test_gdelt_action_geo_is_an_english_place_name_or_nothing() -> None:
    usa = ("country:USA", "Mỹ", "USA", "United States")
    row = _row(usa, usa)
    row.update(location_entity="city:ha-noi", location_text="Hà Nội", location_name="Hanoi",
               location_kind="city")  # fmt: skip
    f = gdelt_line(row).split("\t")
    assert (f[51], f[52]) == ("4", "Hanoi")
    row.update(location_entity=None, location_name=None, location_kind=None,
               location_text="Ô-man", location_code="OMN")  # fmt: skip
    assert gdelt_line(row).split("\t")[52] == "Oman"  # a country by its code
    row.update(location_text="khu vực", location_code=None)  # a phrase, no place
    assert gdelt_line(row).split("\t")[51:53] == ["", ""]


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("các nhà nghiên cứu Mỹ", "RESEARCHERS"),
        ("nhà nghiên cứu", "RESEARCHER"),
        ("5 nghi phạm", "SUSPECTS"),
        ("1 nghi phạm", "SUSPECT"),
        ("một nghi phạm", "SUSPECT"),
        ("tất cả quan chức", "OFFICIALS"),
        ("các bộ", "MINISTRIES"),
        ("hàng trăm cảnh sát", "POLICE"),  # uncounted in English
        ("những người biểu tình", "PROTESTERS"),  # plural already
    ],
)
def test_agents_counted_or_grouped_are_plural_in_english(text: str, english: str) -> None:
    from thoisu.entities.agents import english_name

    assert english_name(text) == english
