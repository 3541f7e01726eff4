"""Actor codes: the agent dictionary, organisations named by their head noun, and named
actors coded from PETRARCH2's dictionaries by date."""

from __future__ import annotations

from thoisu.entities.actor_codes import code_organisations, dictionary_code, name_key
from thoisu.entities.agents import agent_head, load_agents
from thoisu.records import Entity, Mention


def _entity(eid: str, name: str, kind_type: str, kind: str, start: int, code=None, country=None):
    mention = Mention(name, 0, start, start + len(name))
    return Entity(eid, name, name, kind_type, code, None, [mention], kind=kind, country=country)


def test_agent_dictionary_longest_head_and_vietnamese_institutions() -> None:
    assert len(load_agents()) > 1000
    agent, n = agent_head("viện kiểm sát nhân dân tỉnh nghệ an")
    assert (agent.type, agent.vietnamese) == ("JUD", True) and n >= 3
    assert agent_head("cảnh sát thái lan")[0].type == "COP"
    assert not agent_head("cảnh sát thái lan")[0].vietnamese
    assert agent_head("ubnd tp. hà nội")[0] == agent_head("ủy ban nhân dân huyện")[0]
    assert agent_head("hôm nay trời đẹp") is None


def test_organisations_named_by_their_head_noun_are_coded() -> None:
    text = "Công an huyện Gia Lâm và TAND TP. Đà Nẵng, Viện KSND tỉnh Nghệ An, cảnh sát Thái Lan"
    entities = [
        _entity("org:ca", "Công an huyện Gia Lâm", "ORG", "org", 0),
        _entity("org:tand", "TAND TP. Đà Nẵng", "ORG", "org", text.index("TAND")),
        _entity("province:dn", "Đà Nẵng", "LOC", "province", text.index("Đà Nẵng"),
                code="VNM", country="VNM"),
        # the rules read "Viện" as an institute (EDU): the longer head "viện ksnd" corrects it
        _entity("org:vks", "Viện KSND tỉnh Nghệ An", "ORG", "org", text.index("Viện"),
                code="VNMEDU"),
        _entity("org:th", "cảnh sát Thái Lan", "ORG", "org", text.index("cảnh sát")),
        _entity("country:THA", "Thái Lan", "LOC", "country", text.index("Thái Lan"),
                code="THA", country="THA"),
    ]  # fmt: skip
    code_organisations(entities)
    codes = {e.id: e.code for e in entities}
    assert codes["org:ca"] == "VNMCOP"  # a Vietnamese institution: Vietnam by default
    assert codes["org:tand"] == "VNMJUD"
    assert codes["org:vks"] == "VNMJUD"
    assert codes["org:th"] == "THACOP"  # the country named inside it


def test_named_actors_by_date() -> None:
    assert name_key("Nicolas  Maduro-Moros") == "NICOLAS MADURO MOROS"
    assert dictionary_code("Nicolas Maduro", "2019-01-10") == "VENGOV"
    assert dictionary_code("George W. Bush", "2005-06-01") == "USAGOV"
    assert dictionary_code("George W. Bush", "1990-06-01") == "USAELI"
    assert dictionary_code("George W. Bush", None) == "USAGOV"  # undated: the latest period
    assert dictionary_code("Nguyễn Tấn Dũng", "2010-01-01") is None  # Vietnamese: by title
    assert dictionary_code("Không Ai Cả", None) is None
