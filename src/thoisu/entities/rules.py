"""The entity rules: what the gazetteer, titles, organisation heads and unit words tell
about the names of a sentence.

With the learned recogniser (:mod:`.recognition`) deciding where the names are and their
type, these rules say what each name *is*: the gazetteer entry it names (a country, a city,
an IGO), the CAMEO code of an organisation built from its head word and the country inside
it ("Bộ Ngoại giao Mỹ" -> USAGOV), the title before a person ("Tổng thống Mỹ Donald Trump"
-> USAGOV), and the nominal actors that are no names ("quân đội Iraq" -> IRQMIL). Without the
recogniser's model they also find the names themselves, as thoisu did before it:

1. the gazetteer (countries, cities, provinces, regions, IGOs, agencies, government
   bodies), longest match first, case-sensitive on the surface form;
2. organisation names opened by a head word ("Bộ Ngoại giao Mỹ", "quân đội Iraq"),
   which take a CAMEO code from the country they name and the head's actor type;
3. runs of capitalised syllables (person names and other proper names), typed by the
   title or kinship word before them ("Tổng thống Mỹ Donald Trump", "ông Trump").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from ..records import Article, Sentence
from .gazetteer import (
    GazetteerEntry,
    Title,
    _data_lines,
    load_gazetteer,
    load_kinship,
    load_org_heads,
    load_titles,
)

_SYLLABLE = re.compile(r"\w+(?:[-‐'’.]\w+)*")
# Connectors inside foreign names: "bin Laden", "al-Assad", "de Gaulle".
_NAME_CONNECTORS = frozenset(
    {"bin", "al", "de", "van", "von", "der", "la", "le", "da", "dos", "ibn", "du"}
)
# "al-Faisal", "el-Sisi", "bin-Laden": a lower-case connector glued to a capitalised name.
_HYPHENATED_CONNECTOR = re.compile(r"(?:al|el|ad|as|ash|ibn|bin|abu|abd)[-‐‑][^\W\d_]\w*")
# Articles opening foreign titles and brand names, never a person's name.
_ARTICLES = frozenset({"The", "Le", "La", "Les", "El", "Los", "Las", "Der", "Die", "Das", "Il"})
# Words that introduce a location.
_LOCATION_PREPS = frozenset(
    {
        "tại",
        "ở",
        "đến",
        "tới",
        "từ",
        "thủ",
        "thành",
        "tỉnh",
        "bang",
        "vùng",
        "miền",
        "huyện",
        "xã",
        "quận",
        "thị",
        "phường",
        "thôn",
        "ấp",
        "làng",
        "khóm",
    }
)
# Prepositions of motion: "từ", "đến" introduce people as well as places.
_MOTION_PREPS = frozenset({"từ", "đến", "tới"})
_UNIT_ABBREVIATIONS = {"P.": "phường", "Q.": "quận", "H.": "huyện", "X.": "xã"}
# "quận 6", "phường 9", "Q.7": Ho Chi Minh City's numbered districts and wards are names.
_NUMBERED_UNITS = frozenset({"quận", "phường"})
_NUMBERED_UNIT_SHORT = re.compile(r"[QP]\.\d{1,2}")
# Words allowed between a title and the name it introduces, besides an affiliation.
_TITLE_GAP_WORDS = frozenset({"tại", "của", "ở", "kiêm", "mới", "đương", "nhiệm"})
# Vietnamese letters that never occur in plain Latin-script foreign names.
_VIETNAMESE_ONLY = re.compile(
    r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE
)
_PRONOUN_PERSON = frozenset({"ông", "bà"})
# Punctuation after which a capital marks the start of a sentence, not a name.
_SENTENCE_OPENERS = frozenset({'"', "“", "-", "–"})
# English words that end the names of companies, media and clubs: "Vietnam Airlines",
# "Deutsche Bank", "Manchester United" are organisations, whatever place they start with.
_ORG_SUFFIXES = frozenset(
    {
        "Airlines",
        "Airways",
        "Bank",
        "Group",
        "Holdings",
        "Corporation",
        "Corp",
        "Inc",
        "Telecom",
        "Motors",
        "Times",
        "Post",
        "United",
        "FC",
        "University",
        "Foundation",
    }
)
_KIND_OF_TYPE = {"PER": "person", "LOC": "place", "ORG": "org"}
# Words after a sentence-initial "Anh" that make it the pronoun, not Britain.
_PRONOUN_FOLLOWERS = frozenset({"ấy", "ta"})


_PLURALS = frozenset({"các", "những", "nhiều", "mọi", "vài", "số"})
_PLACE_KINDS = frozenset(
    {"country", "igo", "province", "city", "region", "former_country", "former_province", "island"}
)
# Administrative units written before a place name inside an organisation name.
_ADMIN_UNITS = frozenset(
    {
        "tỉnh",
        "huyện",
        "quận",
        "thành phố",
        "TP",
        "TP.",
        "tp",
        "thị xã",
        "xã",
        "phường",
        "thị trấn",
    }
)
_MAX_LOWER = 6  # lower-case syllables an organisation name may run over
_MAX_LOWER_ABOUT = 14  # ... when it names the field of a police unit ("tội phạm về ...")
# Lower-case nouns that end an organisation name: time, deixis, people and roles.
_NAME_STOP = frozenset(
    {
        "hôm",
        "ngày",
        "tháng",
        "năm",
        "tuần",
        "sáng",
        "chiều",
        "tối",
        "trưa",
        "đêm",
        "hôm nay",
        "hôm qua",
        "hiện nay",
        "lúc",
        "khi",
        "người",
        "việc",
        "vụ",
        "phía",
        "đại diện",
        "lãnh đạo",
        "cán bộ",
        "nhân viên",
        "trụ sở",
        "nhà",
        "này",
        "đó",
        "kia",
        "nay",
        "mới",
        "cũ",
        "trên",
        "dưới",
        "trong",
        "ngoài",
        "sau",
        "trước",
        "số",
        "cùng",
        "các",
        "những",
        "nhiều",
        "đều",
        "cũng",
        "theo",
    }
)


@cache
def _lower_org_heads() -> frozenset[str]:
    return frozenset(w.strip().lower() for w in _data_lines("lexicon", "org_heads_lower.txt"))


@cache
def _org_name_words() -> frozenset[str]:
    return frozenset(w.strip().lower() for w in _data_lines("lexicon", "org_name_words.txt"))


@cache
def _facility_heads() -> frozenset[str]:
    return frozenset(w.strip().lower() for w in _data_lines("lexicon", "facility_heads.txt"))


@cache
def _surnames() -> frozenset[str]:
    return frozenset(_data_lines("lexicon", "surnames.txt"))


@cache
def _not_names() -> frozenset[str]:
    return frozenset(_data_lines("lexicon", "not_names.tsv"))


# An acronym standing alone ("TTXVN", "NLĐ", "C15", "KDC"): in news, mostly an organisation.
_ACRONYM = re.compile(r"[A-ZĐ][A-ZĐ0-9]{1,5}")


@cache
def _cameo_type_labels() -> dict[str, str]:
    return dict(line.split("\t", 1) for line in _data_lines("lexicon", "cameo_types.tsv"))


@dataclass(slots=True)
class _Syllable:
    text: str
    start: int
    end: int
    pos: str = ""
    token: int = -1  # index of the underthesea token covering it

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()


def apply_title(f: Found, title: Title, affiliation: Found | None) -> None:
    """A person's role and code from the title before the name and the country or IGO
    between them ("Tổng thống Mỹ" -> USAGOV, "Tổng thư ký NATO" -> NATO)."""
    f.role = title.text
    if affiliation is None or not affiliation.code:
        return
    f.country = affiliation.code[:3] if affiliation.kind == "country" else None
    if title.cameo_type == "IGO" or affiliation.kind == "igo":
        f.code = affiliation.code
    elif title.cameo_type:
        f.code = affiliation.code[:3] + title.cameo_type
    else:
        f.code = affiliation.code[:3]


@dataclass(slots=True)
class Found:
    """A mention before linking."""

    first: int  # syllable indices, end exclusive
    last: int
    entry: GazetteerEntry | None = None
    type: str = "MISC"
    kind: str | None = None
    code: str | None = None
    country: str | None = None
    role: str | None = None
    nested: list[Found] = field(default_factory=list)
    dropped: bool = False  # no name after all (the learned recogniser says so)
    mention_kind: str = "name"  # or "nominal": "quân đội Iraq" names no one, but an actor
    link_nested: bool = True  # link the names in ``nested`` too (the rules found only these)
    by_shape: bool = False  # typed from the look of the name alone (no title, word or place)


def _syllables(sentence: Sentence) -> list[_Syllable]:
    out = []
    tokens = sentence.tokens
    t = 0
    for m in _SYLLABLE.finditer(sentence.text):
        start, end = sentence.start + m.start(), sentence.start + m.end()
        while t < len(tokens) and tokens[t].end <= start:
            t += 1
        covering = t if t < len(tokens) and tokens[t].start <= start else -1
        pos = tokens[covering].pos if covering >= 0 else ""
        text = m.group()
        unit = _UNIT_ABBREVIATIONS.get(text[:2]) if len(text) > 2 and text[2].isupper() else None
        if unit and not (out and out[-1].text.lower() in load_kinship()):
            # ("ông H.Trung": an initial, not a district)
            # "P.Tân Thuận Đông", "Q.Bình Tân": the abbreviated unit word reads as the word
            # itself, and the name after it is a name of its own.
            out.append(_Syllable(unit, start, start + 2, pos, covering))
            start, text = start + 2, text[2:]
        out.append(_Syllable(text, start, end, pos, covering))
    return out


class SentenceRules:
    """The rules run over one sentence (its syllables, and the article text offsets index)."""

    def __init__(self, sentence: Sentence, text: str) -> None:
        self.sentence = sentence
        self.text = text  # the article text: offsets index it
        self.syl = _syllables(sentence)
        self.gaz = load_gazetteer()
        self.taken = [False] * len(self.syl)

    def adjacent(self, j: int) -> bool:
        """Only spaces between syllable ``j - 1`` and ``j``: names never cross punctuation.
        (Nothing between them: an abbreviated unit word and its name, "Q.Bình Tân".)"""
        gap = self.text[self.syl[j - 1].end : self.syl[j].start]
        return not gap or gap.isspace()

    def surface(self, first: int, last: int) -> str:
        return self.text[self.syl[first].start : self.syl[last - 1].end]

    def run(self) -> list[Found]:
        found = self._gazetteer_mentions()
        for f in found:
            self._take(f)
        orgs = self._organisations(found)
        for org in orgs:
            self._take(org)
        orgs += self._abbreviations(orgs)
        found = [f for f in found if not any(o.first <= f.first and f.last <= o.last for o in orgs)]
        units = self._numbered_units()
        names = self._names(found)
        return sorted(found + orgs + units + names, key=lambda f: f.first)

    def _numbered_units(self) -> list[Found]:
        """ "quận 6", "phường 9", "Q.7": numbered districts and wards, unit word included."""
        out = []
        for i, s in enumerate(self.syl):
            if self.taken[i]:
                continue
            if _NUMBERED_UNIT_SHORT.fullmatch(s.text):
                out.append(Found(i, i + 1, type="LOC", kind="place"))
            elif (
                s.text.lower() in _NUMBERED_UNITS
                and i + 1 < len(self.syl)
                and self.syl[i + 1].text.isdigit()
                and len(self.syl[i + 1].text) <= 2
                and self.adjacent(i + 1)
                and not self.taken[i + 1]
            ):
                out.append(Found(i, i + 2, type="LOC", kind="place"))
        for f in out:
            self._take(f)
        return out

    def _take(self, f: Found) -> None:
        for i in range(f.first, f.last):
            self.taken[i] = True

    # -- 1. gazetteer -------------------------------------------------------------
    def _gazetteer_mentions(self) -> list[Found]:
        out: list[Found] = []
        n = len(self.syl)
        caps = [s.capitalised for s in self.syl]
        # run_end[i]: end of the stretch from i that punctuation does not break.
        run_end = [n] * n
        for k in range(n - 1, 0, -1):
            run_end[k - 1] = run_end[k] if self.adjacent(k) else k
        i = 0
        while i < n:
            match = None
            for j in range(min(run_end[i], i + self.gaz.max_syllables), i, -1):
                if not caps[i] and not caps[j - 1]:
                    continue  # aliases are proper names: at least one capitalised syllable
                surface = " ".join(self.surface(i, j).split())
                entry = self.gaz.lookup(surface)
                if entry and self._defers_to_org(surface, j, entry):
                    continue
                if entry and self._accept_gazetteer(i, j):
                    first = self._unit_prefix_end(i, j, entry)
                    match = Found(
                        first, j, entry=entry, type=entry.type, kind=entry.kind, code=entry.code
                    )
                    break
            if match:
                out.append(match)
                i = match.last
            else:
                i += 1
        return out

    def _unit_prefix_end(self, i: int, j: int, entry: GazetteerEntry) -> int:
        """Where the name starts in a matched "TP Mỹ Tho": after the unit word when the rest
        is itself a name of the same place ("TP HCM" stays whole: "HCM" is not)."""
        for k in range(i + 1, j):
            unit = " ".join(s.text for s in self.syl[i:k])
            rest = " ".join(s.text for s in self.syl[k:j])
            if (unit in _ADMIN_UNITS or unit.lower() in _ADMIN_UNITS) and self.gaz.lookup(
                rest
            ) is entry:
                return k
        return i

    def _defers_to_org(self, surface: str, j: int, entry: GazetteerEntry) -> bool:
        """ "Chính phủ" is Vietnam's government, but "Chính phủ Uzbekistan" is another one;
        so "Bộ Công an" is Vietnam's ministry, "Bộ Công an Trung Quốc" China's."""
        head = surface.lower() in load_org_heads()
        vietnamese_body = entry.kind == "gov" and entry.country == "VNM"
        if not (head or vietnamese_body) or j >= len(self.syl) or not self.adjacent(j):
            return False
        for k in range(min(len(self.syl), j + 4), j, -1):
            place = self.gaz.lookup(" ".join(s.text for s in self.syl[j:k]))
            if place is not None and place.kind in ("country", "province", "city"):
                return head or (place.country != "VNM" and place.code != "VNM")
        return False

    def _accept_gazetteer(self, i: int, j: int) -> bool:
        # "Vietnam Airlines", "Manchester United": a place opening an organisation's name.
        k = j
        while k < len(self.syl) and k < j + 3 and self.adjacent(k) and self.syl[k].capitalised:
            if self.syl[k].text in _ORG_SUFFIXES:
                return False
            k += 1
        if j - i > 1:
            # "miền Nam" is southern Vietnam, but "miền Nam Iraq" the south of Iraq.
            return not (
                self.syl[i].text.lower() == "miền"
                and j < len(self.syl)
                and self.adjacent(j)
                and self.syl[j].capitalised
            )
        # A one-syllable alias ("Anh", "Nga", "Đức", "Mỹ") is also a Vietnamese given name.
        prev = self.syl[i - 1] if i > 0 and self.adjacent(i) else None
        if prev is not None:
            if prev.text.lower() in load_kinship():
                return False
            if prev.capitalised and not self._ends_title(i):
                if self.gaz.lookup(prev.text) is None:
                    return False  # inside a name: "Lê Thị Nga", "Nguyễn Minh Đức"
                # "(Ông) Quách Đức Pháp": a surname two or more syllables before.
                k = i - 1
                while k > 0 and self.adjacent(k) and self.syl[k - 1].capitalised:
                    k -= 1
                if any(self.syl[p].text in _surnames() for p in range(k, i - 1)):
                    return False
        # ... and opens Vietnamese place names: "xã Mỹ Xá", "ngụ Đức Hòa" (but "Tổng thống
        # Nga Putin", "Việt kiều Mỹ Nguyễn Văn A").
        nxt = self.syl[j] if j < len(self.syl) and self.adjacent(j) else None
        if (
            nxt is not None
            and nxt.capitalised
            and nxt.text not in _surnames()
            and not self._ends_title(i)
            and (
                # underthesea reads one word ("Mỹ_Xá"), with a Vietnamese-looking syllable
                (nxt.token == self.syl[i].token >= 0 and not nxt.text.isascii())
                or (_VIETNAMESE_ONLY.search(nxt.text) and self.gaz.lookup(nxt.text) is None)
            )
        ):
            return False
        if (
            i == 0
            and self.syl[i].text == "Anh"
            and j < len(self.syl)
            and self.syl[j].text.lower() in _PRONOUN_FOLLOWERS
        ):
            return False
        return True

    def _ends_title(self, i: int) -> bool:
        """Is there a title ending right before syllable ``i``?"""
        titles = load_titles()
        for k in range(max(0, i - 5), i):
            if " ".join(s.text for s in self.syl[k:i]).lower() in titles:
                return True
        return False

    # -- 2. organisations ---------------------------------------------------------
    def _organisations(self, gaz: list[Found]) -> list[Found]:
        heads = load_org_heads()
        by_start = {f.first: f for f in gaz}
        out: list[Found] = []
        i, n = 0, len(self.syl)
        while i < n:
            head_len, head_type = 0, None
            for k in range(min(n, i + 4), i, -1):
                key = " ".join(s.text for s in self.syl[i:k]).lower()
                if (
                    key in heads
                    and not any(self.taken[i:k])
                    and self._starts_token(i)
                    and (k >= n or self._starts_token(k) or self.syl[k].capitalised)
                ):
                    head_len, head_type = k - i, heads[key]
                    break
            if not head_len:
                i += 1
                continue
            head_capitalised = self.syl[i].capitalised
            if not head_capitalised:
                key = " ".join(s.text for s in self.syl[i : i + head_len]).lower()
                if key not in _lower_org_heads() or self._generic_plural(i):
                    i += 1
                    continue
            j, nested = self._org_extent(i, i + head_len, by_start, head_type)
            named = j > i + head_len
            # A lower-case head counts only before a place: "quân đội Iraq", "chính phủ Mỹ".
            if not named or (not head_capitalised and not (nested and j == nested[-1].last)):
                i += 1
                continue
            if j - i == 1 and not nested:
                i += 1
                continue
            org = Found(i, j, type="ORG", kind="org", nested=nested)
            country = next((g for g in nested if g.code), None)
            if country is not None and country.code:
                org.country = country.code[:3] if country.kind != "igo" else None
                if country.kind == "igo":
                    org.code = country.code
                elif head_type:
                    org.code = country.code[:3] + head_type
                else:
                    org.code = country.code[:3]
            out.append(org)
            i = j
        return out

    def _abbreviations(self, orgs: list[Found]) -> list[Found]:
        """ "Hiệp hội cây điều Việt Nam (Vinacas)": one word in brackets right after an
        organisation is its short name."""
        out = []
        for org in orgs:
            k = org.last
            if k >= len(self.syl) or self.taken[k] or not self.syl[k].capitalised:
                continue
            before = self.text[self.syl[k - 1].end : self.syl[k].start]
            after = self.text[self.syl[k].end : self.syl[k].end + 1]
            if before.strip() == "(" and after == ")":
                f = Found(k, k + 1, type="ORG", kind="org")
                self._take(f)
                out.append(f)
        return out

    def _starts_token(self, i: int) -> bool:
        """Syllable ``i`` opens an underthesea word ("cầu" in "yêu cầu" does not)."""
        return i == 0 or self.syl[i].token < 0 or self.syl[i - 1].token != self.syl[i].token

    def _generic_plural(self, i: int) -> bool:
        """ "các công ty Đức", "những quân đội ...": many bodies, not one named."""
        return i > 0 and self.syl[i - 1].text.lower() in _PLURALS

    def _token_end(self, j: int) -> int:
        """End (syllable index) of the underthesea word starting at syllable ``j``."""
        k = j + 1
        while (
            k < len(self.syl) and self.syl[k].token == self.syl[j].token >= 0 and self.adjacent(k)
        ):
            k += 1
        return k

    def _place_after_unit(self, j: int, by_start: dict[int, Found]) -> Found | None:
        """ "tỉnh Đồng Nai", "huyện Chợ Lách", "TP Vinh": an administrative unit and its name
        (the name as a location) starting at syllable ``j``."""
        n = len(self.syl)
        for size in (2, 1):
            if j + size >= n or not all(self.adjacent(k) for k in range(j + 1, j + size + 1)):
                continue
            unit = " ".join(s.text for s in self.syl[j : j + size])
            if unit.lower() not in _ADMIN_UNITS and unit not in _ADMIN_UNITS:
                continue
            k = j + size
            if k in by_start:
                g = by_start[k]
                if g.kind in _PLACE_KINDS:
                    return g
                return None
            end = k
            while end < n and end - k < 4 and self.syl[end].capitalised and not self.taken[end]:
                if end > k and not self.adjacent(end):
                    break
                if not self.syl[end].text[:1].isalpha():
                    break
                end += 1
            if end > k:
                return Found(k, end, type="LOC", kind="place")
        return None

    def _org_extent(
        self, i: int, j: int, by_start: dict[int, Found], head_type: str | None
    ) -> tuple[int, list[Found]]:
        """How far the organisation opened by the head ``[i, j)`` runs, and the places (and
        bodies) named inside it. Capitalised words and places continue the name; after a
        capitalised head, lower-case nouns do too ("Hiệp hội cây điều Việt Nam", "Trung tâm
        giao dịch chứng khoán"), up to a verb, a preposition or punctuation."""
        n = len(self.syl)
        head_capitalised = self.syl[i].capitalised
        nested: list[Found] = []
        committed = j  # end of the name as accepted so far
        tail = 0  # lower-case syllables since the last capitalised word or place
        conjoined = False  # a "và" inside the name, since the last capitalised word
        lower_total = 0
        proper = False  # a proper name (Np, not a head word) has been read
        about = False  # inside "tội phạm về ...": the object of a police unit
        unit_nested = False
        while j < n and self.adjacent(j):
            if j in by_start:
                g = by_start[j]
                if nested and not unit_nested:
                    break
                if g.kind in _PLACE_KINDS:
                    nested.append(g)
                    j = committed = g.last
                    tail = 0
                    break
                if head_capitalised and (
                    g.kind == "gov"
                    or (not tail and g.kind in ("media", "agency") and head_type == "MED")
                ):
                    # "Thanh tra Chính phủ", "Văn phòng Quốc hội", "Vụ chính sách thuế Bộ Tài
                    # chính": a body inside the name.
                    nested.append(g)
                    j = committed = g.last
                    tail = 0
                    break
                break
            place = self._place_after_unit(j, by_start)
            if place is not None and not nested:
                nested.append(place)
                j = committed = place.last
                tail = 0
                unit_nested = True
                break
            s = self.syl[j]
            if s.capitalised and not self.taken[j]:
                if not s.text[:1].isalpha():
                    break
                k = self._token_end(j)
                word = " ".join(x.text for x in self.syl[j:k])
                if any(self.taken[j:k]):
                    break
                if s.pos == "Np" and word.lower() not in load_org_heads():
                    proper = True
                if not head_capitalised:
                    break
                j = committed = k
                tail = 0
                conjoined = False
                continue
            if not head_capitalised or self.taken[j] or s.capitalised:
                break
            k = self._token_end(j)
            word = " ".join(x.text for x in self.syl[j:k]).lower()
            if any(x.capitalised for x in self.syl[j:k]):
                break
            if (
                word == "về"
                and self.syl[j - 1].token >= 0
                and (" ".join(x.text for x in self.syl[max(i, j - 2) : j]).lower() == "tội phạm")
            ):
                about = True
            elif word == "và" and (about or self._and_in_name(j)):
                if not about:
                    # What follows "và" is kept only up to a capitalised word; what comes
                    # before it may end the name ("Hiệp hội Chủ tàu và doanh nghiệp").
                    if tail and not conjoined and self._lower_ending(i, j, proper):
                        committed = j
                    conjoined = True
            elif not self._name_word(j, word):
                break
            if lower_total + (k - j) > (_MAX_LOWER_ABOUT if about else _MAX_LOWER):
                break
            lower_total += k - j
            tail += k - j
            j = k
        if tail and j > committed and not conjoined and self._lower_ending(i, j, proper):
            committed = j
        return committed, nested

    def _lower_ending(self, i: int, j: int, proper: bool) -> bool:
        """May the organisation opened at ``i`` end on the lower-case word before ``j``? Only
        in mid-sentence (a capital opening a sentence does not mark a name), after no proper
        name, and on a noun."""
        last = self.syl[j - 1]
        opens_sentence = i == 0 or self.syl[i - 1].text in _SENTENCE_OPENERS | {"("}
        return (
            not opens_sentence
            and not proper
            and last.pos in ("N", "Nc")
            and last.text.lower() not in {"về", "và"}
        )

    def _and_in_name(self, j: int) -> bool:
        """Is "và" at syllable ``j`` inside a name ("Công ty Thương mại và Dịch vụ X", "Ngân
        hàng Đầu tư và Phát triển") rather than between two ("Vinamilk và Sabeco", "Bộ Y tế và
        Bộ Tài chính")? Both sides must be common words, the right one no head or title."""
        if j + 1 >= len(self.syl) or not self.adjacent(j + 1) or self.syl[j - 1].pos == "Np":
            return False
        nxt = self.syl[j + 1]
        word = self._token_text(j + 1).lower()
        return (
            nxt.pos in ("N", "V", "A")
            and word not in load_org_heads()
            and word not in load_titles()
            and word not in load_kinship()
            and word not in _PLURALS
        )

    def _name_word(self, j: int, word: str) -> bool:
        """May the lower-case word at syllable ``j`` continue an organisation name?"""
        if word in _NAME_STOP or word in load_titles() or word in load_kinship():
            return False
        if word in _ADMIN_UNITS:
            return False
        # "UBND cấp có thẩm quyền", "UBND cấp xã": a level of government, not a name
        # ("TAND cấp cao" is one).
        if word == "cấp" and (j + 1 >= len(self.syl) or self.syl[j + 1].text.lower() != "cao"):
            return False
        pos = self.syl[j].pos
        if pos in ("N", "Nc", "A"):
            return True
        return word in _org_name_words()

    # -- 3. capitalised names -----------------------------------------------------
    def _names(self, gaz: list[Found]) -> list[Found]:
        out: list[Found] = []
        n = len(self.syl)
        i = 0
        while i < n:
            if self.taken[i] or not self.syl[i].capitalised or not self.syl[i].text[:1].isalpha():
                i += 1
                continue
            j = i + 1
            while j < n and not self.taken[j] and self.adjacent(j):
                s = self.syl[j]
                if s.capitalised and s.text[:1].isalpha():
                    j += 1
                elif (
                    s.text.lower() in _NAME_CONNECTORS and j + 1 < n and self.syl[j + 1].capitalised
                ):
                    j += 1
                elif _HYPHENATED_CONNECTOR.fullmatch(s.text):
                    j += 1  # "Saud al-Faisal", "Ali al-Naimi"
                else:
                    break
            last = j
            # "Sân bay", "Liên hiệp": a capital opening a common word, not a name.
            if (
                last < n
                and self.syl[last].token == self.syl[last - 1].token >= 0
                and self._common_word(last)
            ):
                while last > i and self.syl[last - 1].token == self.syl[j].token:
                    last -= 1
            elif (
                last - i == 1
                and last < n
                and self.syl[last].token == self.syl[i].token >= 0
                and self.adjacent(last)
                and self._word_before(i) in _facility_heads()
            ):
                # A facility named by a capitalised word: "Quảng trường Chiến thắng" (but in
                # "Sân bay Quốc tế Pearson" the word belongs to the head).
                end = self._token_end(i)
                head = f"{self._word_before(i)} {self._token_text(i).lower()}"
                if head in _facility_heads():
                    i = end
                    continue
                f = Found(i, end, type="LOC", kind="place")
                self._take(f)
                out.append(f)
                i = f.last
                continue
            first = self._strip_leading(i, last)
            if first < last:
                out.append(self._classify(first, last, gaz))
            i = j
        return out

    def _token_text(self, j: int) -> str:
        """The underthesea word that covers syllable ``j`` (the syllable if none does)."""
        token = self.syl[j].token
        if token < 0:
            return self.syl[j].text
        k, end = j, j + 1
        while k > 0 and self.syl[k - 1].token == token:
            k -= 1
        while end < len(self.syl) and self.syl[end].token == token:
            end += 1
        return " ".join(s.text for s in self.syl[k:end])

    def _common_word(self, j: int) -> bool:
        """Is the underthesea word covering syllable ``j`` a known head or title ("Sân bay",
        "Hiệp hội", "Thanh tra")? Names glued to a verb ("Moss mở") are not."""
        word = self._token_text(j).lower()
        return word in load_org_heads() or word in _facility_heads() or word in load_titles()

    def _strip_leading(self, i: int, j: int) -> int:
        titles = load_titles()
        first = i
        # A title that starts before the run and covers its first words: "Bộ trưởng Quốc
        # phòng Mỹ" (the run "Quốc" is part of the title, not a name).
        for k in range(max(0, i - 4), i):
            if any(self.taken[k:i]):
                continue  # "Trung Quốc Vương Nghị": "Quốc" belongs to the country, not a title
            for e in range(min(len(self.syl), k + 6), i, -1):
                if " ".join(s.text for s in self.syl[k:e]).lower() in titles:
                    first = max(first, min(e, j))
                    break
        # A capitalised title that runs on in lower case ("Phó giám đốc Bưu điện"): no name.
        for k in range(min(len(self.syl), first + 6), j, -1):
            if " ".join(s.text for s in self.syl[first:k]).lower() in titles:
                return j
        # Titles written capitalised ("Tướng", "Tổng thống") are not part of the name.
        changed = True
        while changed and first < j:
            changed = False
            for k in range(j, first, -1):
                if " ".join(s.text for s in self.syl[first:k]).lower() in titles:
                    first, changed = k, True
                    break
        # "Ông Putin", "Bà Merkel" opening a sentence: the honorific is not part of the name.
        # After a street or place word it is part of the name: "đường Bà Hom", "chợ Bà Chiểu".
        if (
            first + 1 < j
            and self.syl[first].text.lower() in _PRONOUN_PERSON
            and not (first == i and self._word_before(i) in _facility_heads() | _LOCATION_PREPS)
        ):
            first += 1
        # Peoples and religions ("Do Thái", "Hồi giáo"), not names: the capitalised syllables
        # or the whole underthesea word they open.
        for size in (2, 1):
            if first + size <= j and " ".join(s.text for s in self.syl[first : first + size]) in (
                _not_names()
            ):
                first += size
                break
        else:
            if first < j and self._token_text(first) in _not_names():
                first = j
        # At the start of a sentence a capital only marks the sentence: keep proper nouns.
        if i == 0 or self.syl[i - 1].text in _SENTENCE_OPENERS:
            while first < j and self.syl[first].pos != "Np":
                first += 1
        return first

    def _classify(self, first: int, last: int, gaz: list[Found]) -> Found:
        f = Found(first, last)
        words = [s.text for s in self.syl[first:last]]
        # The word right before, unless punctuation separates it: in "quân cảnh hoàng gia Anh
        # (RMP)" the country "Anh" is no kinship word of "RMP".
        prev = self.syl[first - 1].text.lower() if first > 0 and self.adjacent(first) else ""
        title, affiliation = self._title_before(first, gaz)
        before = self._word_before(first)
        if before in _facility_heads():
            f.type, f.kind = "LOC", "place"
        elif self._named_by_org_head(first, gaz):
            # "tổ chức Wa Sunna", "hãng Boeing", "hãng hàng không Pháp Air France": the name
            # of the organisation the head opens.
            f.type, f.kind = "ORG", "org"
        elif len(words) >= 2 and words[-1] in _ORG_SUFFIXES:
            f.type, f.kind = "ORG", "org"
        elif title is not None:
            f.type, f.kind = "PER", "person"
            apply_title(f, title, affiliation)
        elif prev in load_kinship() or prev in _PRONOUN_PERSON:
            f.type, f.kind = "PER", "person"
        elif prev in _LOCATION_PREPS and not (
            prev == "bang" and first > 1 and self.syl[first - 2].text.lower() == "liên"
        ):
            f.type, f.kind = "LOC", "place"
        elif self._person_shaped(words):
            f.type, f.kind, f.by_shape = "PER", "person", True
        elif (
            len(words) == 1
            and _ACRONYM.fullmatch(words[0])
            and words[0] not in _not_names()
            and words[0].lower() not in load_org_heads()  # "UBND" alone names no body
        ):
            f.type, f.kind = "ORG", "org"
        elif len(words) == 1:
            # A lone capitalised word with no title, kinship word or preposition before it is
            # too often a common word, a code ("T1") or part of a name: kept only if it links
            # back to a full name in the article.
            f.type = ""
        return f

    def _named_by_org_head(self, first: int, gaz: list[Found]) -> bool:
        """Does a lower-case organisation head (and maybe a country) come right before?"""
        country = next((g for g in gaz if g.last == first and g.kind == "country"), None)
        if country is not None and self.adjacent(first):
            first = country.first
        return (
            first > 0
            and self._word_before(first) in load_org_heads()
            and not self.syl[first - 1].capitalised
        )

    def _word_before(self, first: int) -> str:
        """The lower-cased underthesea word (or two) right before syllable ``first``."""
        if first == 0 or not self.adjacent(first):
            return ""
        k = first - 1
        token = self.syl[k].token
        if token < 0:
            return self.syl[k].text.lower()
        while k > 0 and self.syl[k - 1].token == token and self.adjacent(k):
            k -= 1
        word = " ".join(s.text for s in self.syl[k:first]).lower()
        # "sân vận động", "khu công nghiệp": heads that may be split in two words.
        if k > 0 and self.adjacent(k):
            j = k - 1
            while j > 0 and self.syl[j - 1].token == self.syl[k - 1].token >= 0:
                j -= 1
            longer = " ".join(s.text for s in self.syl[j:first]).lower()
            if longer in _facility_heads() or longer in load_org_heads():
                return longer
        return word

    def _person_shaped(self, words: list[str]) -> bool:
        return len(words) >= 2 and (words[0] in _surnames() or self._foreign_name(words))

    @staticmethod
    def _foreign_name(words: list[str]) -> bool:
        return (
            2 <= len(words) <= 4
            and words[0] not in _ARTICLES  # "The Scream", "Le Monde": titles and names of things
            and not any(_VIETNAMESE_ONLY.search(w) for w in words)
            and all(
                w[:1].isupper() and not w.isupper()
                for w in words
                if w.lower() not in _NAME_CONNECTORS
            )
        )

    def _title_before(self, first: int, gaz: list[Found]):
        """The title introducing the name at ``first``, and the country or IGO in between."""
        titles = load_titles()
        ends = {g.last: g for g in gaz}
        k = first
        affiliation = None
        steps = 0
        while k > 0 and steps < 8:
            steps += 1
            if set(self.text[self.syl[k - 1].end : self.syl[k].start]) & set("()[]"):
                break  # "Trung đoàn ... của Nữ Hoàng (QLR)": a short name, not the queen
            # a title ending at k?
            for t in range(max(0, k - 5), k):
                key = " ".join(s.text for s in self.syl[t:k]).lower()
                if key in titles:
                    return titles[key], affiliation
            prev = self.syl[k - 1]
            if k in ends:
                g = ends[k]
                if g.kind in ("country", "igo"):
                    affiliation = g  # keeps the one nearest the title
                k = g.first
            elif prev.text.lower() in _TITLE_GAP_WORDS:
                if k == first and prev.text.lower() in {"của", "tại", "ở"}:
                    break  # "phát ngôn viên của MILF": the name is the body, not the person
                k -= 1
            else:
                break
        # "Đại sứ Mỹ tại NATO, Kay Bailey Hutchison": a comma separates title and name.
        return None, None


def rule_mentions(
    article: Article, sentences: list[Sentence]
) -> tuple[list[SentenceRules], list[list[Found]]]:
    """Every sentence's mentions as the rules find them, typed article-wide."""
    recognisers = [SentenceRules(s, article.text) for s in sentences]
    found = [r.run() for r in recognisers]
    # A short name the article defines for an organisation ("(Vitas)") stays one when it comes
    # back after a preposition ("tại Vitas") or alone.
    org_names = {
        rec.surface(f.first, f.last)
        for rec, fs in zip(recognisers, found, strict=True)
        for f in fs
        if f.type == "ORG" and f.entry is None and f.last - f.first == 1
    }
    for rec, fs in zip(recognisers, found, strict=True):
        for f in fs:
            if (
                f.entry is None
                and f.type in ("LOC", "")
                and rec.surface(f.first, f.last) in (org_names)
            ):
                f.type, f.kind = "ORG", "org"
    # A name typed a person only by its look ("Từ Liêm": "Từ" is a surname) is the place or
    # organisation the article elsewhere introduces with a place or organisation word
    # ("tại Từ Liêm", "huyện Từ Liêm", "tờ Sankei Shimbun").
    typed = {
        rec.surface(g.first, g.last): (g.type, g.kind)
        for rec, fs in zip(recognisers, found, strict=True)
        for f in fs
        for g in [f, *f.nested]
        if g.type in ("LOC", "ORG") and g.entry is None and g.last - g.first >= 2
    }
    for rec, fs in zip(recognisers, found, strict=True):
        for f in fs:
            if f.by_shape and rec.surface(f.first, f.last) in typed:
                f.type, f.kind = typed[rec.surface(f.first, f.last)]
                f.by_shape = False
    return recognisers, found
