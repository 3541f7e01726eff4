"""CAMEO codes for the actors the title rules leave uncoded.

People named with an agent noun before their name or in an apposition after it ("bị can
Nguyễn Văn A", "Nguyễn Văn B, giám đốc sở ...") take its type; a person with a Vietnamese name
is Vietnamese, and one named with no role at all (the parties of a court case, the victims of
a crime, the people an article quotes) a civilian: VNMCVL, as the audit guidelines code them.

Organisations named by a head noun ("Công an huyện Gia Lâm", "TAND TP. Đà Nẵng", "Viện KSND
tỉnh Nghệ An", "UBND TP. Hà Nội") take the type of that noun from the agent dictionary
(:mod:`.agents`: COP, JUD, GOV) and the country of a place named inside them, else Vietnam for
an institution of Vietnam's system.

When an article names someone without saying what they are ("Maduro cáo buộc Mỹ ...", with
no "Tổng thống Venezuela" anywhere), the title rules give no code. PETRARCH2's actor
dictionaries (about 18,000 people and groups, with their codes by date: ``NICOLAS_MADURO
[VENGOV >060901]``) do, up to about 2015. ``data/named_actors.tsv`` is built from them by
``scripts/build_actor_dictionary.py``; a name is looked up folded (no diacritics, upper
case), and the code valid on the article's date is taken (the latest one for an undated
article). Names written with Vietnamese letters are not looked up: the dictionaries hold few
Vietnamese officials, and a namesake in a local crime report must not become a minister;
Vietnamese officials are coded by their titles, which the press nearly always gives.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from ..records import Entity
from ..text import fold
from .agents import agent_head

__all__ = [
    "code_named_actors",
    "code_organisations",
    "code_people",
    "dictionary_code",
    "name_key",
]

_VIETNAMESE_LETTERS = re.compile(
    r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE
)
_NON_WORD = re.compile(r"[^A-Z0-9]+")


def name_key(name: str) -> str:
    """A name as the dictionary is keyed: folded, upper case, words joined by one space."""
    return _NON_WORD.sub(" ", fold(name).upper()).strip()


@cache
def _table() -> dict[str, tuple[tuple[str, str, str], ...]]:
    text = (
        resources.files("thoisu.entities").joinpath("data", "named_actors.tsv").read_text("utf-8")
    )
    table = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        key, value = line.split("\t", 1)
        table[key] = tuple(tuple(part.split("@")) for part in value.split(";"))  # type: ignore[misc]
    return table


def dictionary_code(name: str, date: str | None) -> str | None:
    """The code of a named actor on ``date`` (ISO; None: the latest code), or None."""
    if _VIETNAMESE_LETTERS.search(name):
        return None
    codes = _table().get(name_key(name))
    if not codes:
        return None
    day = (date or "")[:10]
    if day:
        current = [c for c, start, end in codes if (start or end)
                   and (not start or start <= day) and (not end or day <= end)]  # fmt: skip
        if current:
            return current[-1]
        undated = [c for c, start, end in codes if not start and not end]
        return undated[-1] if undated else None
    # undated article: the code of the latest period (an open one first)
    return max(codes, key=lambda c: (c[1] or "0000", not c[2]))[0]


def code_named_actors(entities: list[Entity], published: str | None) -> None:
    """Give a dictionary code to each person or organisation the article left uncoded."""
    for entity in entities:
        if entity.code or entity.type not in ("PER", "ORG"):
            continue
        code = dictionary_code(entity.name, published)
        if code:
            entity.code = code


def _place_countries(entities: list[Entity]) -> list[tuple[int, int, str | None]]:
    """(start, end, country) of every place mention: a title or a name holding one is that
    country's."""
    return [
        (m.start, m.end, e.country or (e.code or "")[:3] or None)
        for e in entities if e.type == "LOC" for m in e.mentions
    ]  # fmt: skip


def code_organisations(entities: list[Entity]) -> None:
    """Code organisations named by an agent noun ("Công an huyện Gia Lâm": VNMCOP). A head
    of two syllables or more ("viện kiểm sát") also corrects a code the rules took from a
    shorter one ("viện", an institute: EDU)."""
    places = _place_countries(entities)
    for entity in entities:
        if entity.type != "ORG" or entity.kind != "org":
            continue
        head = agent_head(entity.name.lower())
        if head is None or (entity.code and head[1] < 2):
            continue
        agent = head[0]
        inside = [c for m in entity.mentions for a, b, c in places
                  if c and m.start <= a and b <= m.end]  # fmt: skip
        country = inside[0] if inside else ("VNM" if agent.vietnamese else None)
        if country is None and entity.code and len(entity.code) >= 6:
            country = entity.code[:3]
        entity.code = (country or "") + agent.type
        entity.country = entity.country or country


_CIVIL = frozenset({"ông", "bà", "anh", "chị", "em", "cháu", "cụ", "bé", "cô", "chú", "bác"})
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _role_near(text: str, start: int, end: int) -> tuple[str, int] | None:
    """The CAMEO type an agent noun right before a mention (or in an apposition after it)
    gives, and where that title starts: "bị can Nguyễn Văn A" CRM, "Chánh án Tòa án tối cao
    Afghanistan Fazl Hadi Shinwari" JUD (a title, then names, then the person), "Nguyễn Văn
    B, giám đốc sở ..." GOV, "anh C" CVL."""
    window = max(0, start - 80)
    before = list(_WORD.finditer(text[window:start]))
    words = [w.group().lower() for w in before]
    for n in range(min(6, len(words)), 0, -1):
        head = agent_head(" ".join(words[-n:]))
        if head is not None and head[1] == n:
            return head[0].type, window + before[-n].start()
    if words and words[-1] in _CIVIL:
        return "CVL", window + before[-1].start()
    # a title whose complement is a name: the words between are capitalised, unbroken
    for i in range(max(0, len(words) - 8), len(words) - 1):
        head = agent_head(" ".join(words[i:]))
        if head is None or head[1] >= len(words) - i:
            continue
        rest = before[i + head[1] :]
        between = text[window + before[i].start() : start]
        if not rest[0].group()[0].isupper() or re.search(r"[,.;:()]", between):
            continue
        # the complement names the body ("Thứ trưởng Bộ Thương mại", "Cục trưởng Cục Cảnh
        # sát hình sự": its type is the finer one) or is a name ("Bộ trưởng Quốc phòng Mỹ")
        body = agent_head(" ".join(words[i + head[1] :]))
        if body is not None and len(rest) <= 7:
            return body[0].type, window + before[i].start()
        if len(rest) <= 5 and all(w.group()[0].isupper() for w in rest):
            return head[0].type, window + before[i].start()
    after = text[end : end + 80]
    if after.startswith(", "):
        head = agent_head(" ".join(w.lower() for w in _WORD.findall(after[2:])[:6]))
        if head is not None:
            return head[0].type, end
    return None


def _vietnamese_name(name: str) -> bool:
    """Written as Vietnamese names are: a Vietnamese letter ("ư", "ơ", "đ", a tone mark on a
    vowel), and no letter Vietnamese lacks (f, j, w, z)."""
    lowered = name.lower()
    marked = any(not c.isascii() for c in lowered if c.isalpha())
    return (
        marked
        and not set(lowered) & set("fjwz")
        and all(c.isascii() or fold(c) in "aeiouyd" for c in lowered if c.isalpha())
    )


def code_people(entities: list[Entity], text: str) -> None:
    """Code the people the article names without a title (``text``: the article's). A
    foreign person's country is that of a place named in their title ("Bộ trưởng Quốc phòng
    Mỹ X": USA)."""
    places = _place_countries(entities)
    for entity in entities:
        if entity.code or entity.type != "PER":
            continue
        found = next((r + (m.start,) for m in entity.mentions if m.kind == "name"
                      for r in [_role_near(text, m.start, m.end)] if r), None)  # fmt: skip
        country = entity.country
        if found and country is None:
            _, title_start, name_start = found
            country = next(
                (c for a, b, c in places if c and title_start <= a and b <= name_start), None
            )
        if _vietnamese_name(entity.name):
            # Sino-Vietnamese readings of Chinese names look Vietnamese: a country named in
            # the title ("Ngoại trưởng Trung Quốc Vương Nghị") says otherwise
            country = country or "VNM"
            entity.code = country + (found[0] if found else "CVL")
            entity.country = country
        elif found:
            entity.code = (country or "") + found[0]
            entity.country = country
