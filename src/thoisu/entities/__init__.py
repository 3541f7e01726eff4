"""Entity stage: find named mentions in the sentences and link them to canonical entities.

Three sources of mentions, in this order of precedence:

1. the gazetteer (countries, cities, provinces, regions, IGOs, agencies, government
   bodies), longest match first, case-sensitive on the surface form;
2. organisation names opened by a head word ("Bộ Ngoại giao Mỹ", "quân đội Iraq"),
   which take a CAMEO code from the country they name and the head's actor type;
3. runs of capitalised syllables (person names and other proper names), typed by the
   title or kinship word before them ("Tổng thống Mỹ Donald Trump", "ông Trump").

Within an article, short references ("Trump", "ông Trump"), the pronoun "Ông"/"Bà"
opening a sentence, and "nước này" / "liên minh này" are linked back to the entity they
refer to, so each referent is one entity.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from ..limits import check_time
from ..records import Article, Entity, Mention, Sentence
from ..text import fold
from .gazetteer import (
    GazetteerEntry,
    _data_lines,
    load_gazetteer,
    load_kinship,
    load_org_heads,
    load_titles,
)
from .mention_filter import Candidate, MentionFilter, default_filter
from .typer import CONTEXT_SYLLABLES, NameTyper, default_typer

__all__ = ["recognize", "typed_names", "mention_candidates", "slugify", "fold", "ANAPHORS"]

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
# The name typer types a name of two or more syllables that no rule types above this
# probability, a lone proper noun above the second (both chosen on the entity dev gold and
# BKEE dev; see docs/quality.md). A name the rules type by its look alone stays theirs: the
# typer was wrong more often than right there.
TYPER_CONFIDENCE = 0.6
SINGLE_NAME_CONFIDENCE = 0.9
# Phrases that refer back to the last entity of a kind ("nước này": the last country).
ANAPHORS = {
    "nước này": "country",
    "quốc gia này": "country",
    "liên minh này": "igo",
    "tổ chức này": "igo",
    "khối này": "igo",
}
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


def slugify(text: str) -> str:
    """An id slug: lower case, words joined by "-", Vietnamese letters kept ("Nguyễn Văn
    Hùng" and "Nguyễn Văn Hưng" are two people)."""
    return re.sub(r"[\W_]+", "-", unicodedata.normalize("NFC", text).lower()).strip("-")


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


@dataclass(slots=True)
class _Found:
    """A mention before linking."""

    first: int  # syllable indices, end exclusive
    last: int
    entry: GazetteerEntry | None = None
    type: str = "MISC"
    kind: str | None = None
    code: str | None = None
    country: str | None = None
    role: str | None = None
    nested: list[_Found] = field(default_factory=list)
    dropped: bool = False  # the mention filter says it is no name
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


class _SentenceRecogniser:
    def __init__(self, sentence: Sentence, text: str, typer: NameTyper | None = None) -> None:
        self.sentence = sentence
        self.text = text  # the article text: offsets index it
        self.syl = _syllables(sentence)
        self.gaz = load_gazetteer()
        self.typer = typer
        self.taken = [False] * len(self.syl)

    def adjacent(self, j: int) -> bool:
        """Only spaces between syllable ``j - 1`` and ``j``: names never cross punctuation.
        (Nothing between them: an abbreviated unit word and its name, "Q.Bình Tân".)"""
        gap = self.text[self.syl[j - 1].end : self.syl[j].start]
        return not gap or gap.isspace()

    def surface(self, first: int, last: int) -> str:
        return self.text[self.syl[first].start : self.syl[last - 1].end]

    def run(self) -> list[_Found]:
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

    def _numbered_units(self) -> list[_Found]:
        """ "quận 6", "phường 9", "Q.7": numbered districts and wards, unit word included."""
        out = []
        for i, s in enumerate(self.syl):
            if self.taken[i]:
                continue
            if _NUMBERED_UNIT_SHORT.fullmatch(s.text):
                out.append(_Found(i, i + 1, type="LOC", kind="place"))
            elif (
                s.text.lower() in _NUMBERED_UNITS
                and i + 1 < len(self.syl)
                and self.syl[i + 1].text.isdigit()
                and len(self.syl[i + 1].text) <= 2
                and self.adjacent(i + 1)
                and not self.taken[i + 1]
            ):
                out.append(_Found(i, i + 2, type="LOC", kind="place"))
        for f in out:
            self._take(f)
        return out

    def _take(self, f: _Found) -> None:
        for i in range(f.first, f.last):
            self.taken[i] = True

    # -- 1. gazetteer -------------------------------------------------------------
    def _gazetteer_mentions(self) -> list[_Found]:
        out: list[_Found] = []
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
                    match = _Found(
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
    def _organisations(self, gaz: list[_Found]) -> list[_Found]:
        heads = load_org_heads()
        by_start = {f.first: f for f in gaz}
        out: list[_Found] = []
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
            org = _Found(i, j, type="ORG", kind="org", nested=nested)
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

    def _abbreviations(self, orgs: list[_Found]) -> list[_Found]:
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
                f = _Found(k, k + 1, type="ORG", kind="org")
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

    def _place_after_unit(self, j: int, by_start: dict[int, _Found]) -> _Found | None:
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
                return _Found(k, end, type="LOC", kind="place")
        return None

    def _org_extent(
        self, i: int, j: int, by_start: dict[int, _Found], head_type: str | None
    ) -> tuple[int, list[_Found]]:
        """How far the organisation opened by the head ``[i, j)`` runs, and the places (and
        bodies) named inside it. Capitalised words and places continue the name; after a
        capitalised head, lower-case nouns do too ("Hiệp hội cây điều Việt Nam", "Trung tâm
        giao dịch chứng khoán"), up to a verb, a preposition or punctuation."""
        n = len(self.syl)
        head_capitalised = self.syl[i].capitalised
        nested: list[_Found] = []
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
    def _names(self, gaz: list[_Found]) -> list[_Found]:
        out: list[_Found] = []
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
                f = _Found(i, end, type="LOC", kind="place")
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

    def _classify(self, first: int, last: int, gaz: list[_Found]) -> _Found:
        f = _Found(first, last)
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
            f.type, f.kind, f.role = "PER", "person", title.text
            if affiliation is not None and affiliation.code:
                f.country = affiliation.code[:3] if affiliation.kind == "country" else None
                if title.cameo_type == "IGO" or affiliation.kind == "igo":
                    f.code = affiliation.code
                elif title.cameo_type:
                    f.code = affiliation.code[:3] + title.cameo_type
                else:
                    f.code = affiliation.code[:3]
        elif prev in load_kinship() or prev in _PRONOUN_PERSON:
            f.type, f.kind = "PER", "person"
        elif prev in _LOCATION_PREPS and not (
            prev == "bang" and first > 1 and self.syl[first - 2].text.lower() == "liên"
        ):
            f.type, f.kind = "LOC", "place"
            if prev in _MOTION_PREPS and self._person_shaped(words):
                # "mua AC Milan từ Silvio Berlusconi": from a person as often as a place.
                self._learned_type(f, words)
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
            # A proper noun (underthesea's Np) that heads nothing ("Baiji", "Hiếu") is typed
            # when the name typer is sure; "Cục", "VN-Index" are not.
            if (
                self.syl[first].pos == "Np"
                and words[0].lower() not in load_org_heads()
                and "-" not in words[0]
            ):
                self._learned_type(f, words, SINGLE_NAME_CONFIDENCE)
        else:
            self._learned_type(f, words)  # a longer name nothing above types
        return f

    def _named_by_org_head(self, first: int, gaz: list[_Found]) -> bool:
        """Does a lower-case organisation head (and maybe a country) come right before?"""
        country = next((g for g in gaz if g.last == first and g.kind == "country"), None)
        if country is not None and self.adjacent(first):
            first = country.first
        return (
            first > 0
            and self._word_before(first) in load_org_heads()
            and not self.syl[first - 1].capitalised
        )

    def _learned_type(
        self, f: _Found, words: list[str], threshold: float = TYPER_CONFIDENCE
    ) -> None:
        """Let the name typer decide when it is confident ("Kinh Đô" is a company)."""
        if self.typer is None:
            return
        etype, probability = self.typer.predict(words, *self.context(f))
        if probability >= threshold and etype != f.type:
            f.type, f.kind = etype, _KIND_OF_TYPE[etype]

    def context(self, f: _Found) -> tuple[list[str], list[str]]:
        """The syllables the name typer sees on each side of ``f``."""
        n = CONTEXT_SYLLABLES
        return (
            [s.text for s in self.syl[max(0, f.first - n) : f.first]],
            [s.text for s in self.syl[f.last : f.last + n]],
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

    def _title_before(self, first: int, gaz: list[_Found]):
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


class _ArticleLinker:
    """Turns found mentions into canonical entities, one per referent in the article."""

    def __init__(self, article: Article) -> None:
        self.article = article
        self.entities: dict[str, Entity] = {}
        self.people: dict[str, Entity] = {}  # id -> person entity with a full name
        self.seen: list[tuple[int, str, str]] = []  # (start, kind, entity id) of each mention
        self.last_person: str | None = None

    def entity(self, entity_id: str, **fields) -> Entity:
        if entity_id not in self.entities:
            self.entities[entity_id] = Entity(id=entity_id, **fields)
        return self.entities[entity_id]

    def add_mention(self, ent: Entity, sentence: Sentence, start: int, end: int) -> None:
        ent.mentions.append(Mention(self.article.text[start:end], sentence.index, start, end))
        if ent.kind:
            self.seen.append((start, ent.kind, ent.id))
        if ent.type == "PER":
            self.last_person = ent.id

    def link(self, sentence: Sentence, rec: _SentenceRecogniser, found: list[_Found]) -> None:
        self._pronoun(sentence, rec)
        for f in found:
            start, end = rec.syl[f.first].start, rec.syl[f.last - 1].end
            surface = " ".join(self.article.text[start:end].split())
            if f.dropped or (f.entry is None and f.type == "ORG"):
                for g in f.nested:  # places and bodies inside an organisation's name
                    self.link(sentence, rec, [g])
            if f.dropped:
                continue
            if f.entry is not None:
                e = f.entry
                ent = self.entity(
                    e.id,
                    name=e.name,
                    name_vi=e.name_vi,
                    type=e.type,
                    code=e.code,
                    wikidata=e.wikidata,
                    kind=e.kind,
                    country=e.country,
                )
            elif f.type == "ORG":
                ent = self._organisation(f, surface)
            elif f.type == "PER":
                ent = self._person(f, surface)
            elif f.type:
                # A place word before the name ("bảo tàng Munch") outranks a person of the
                # same name; other short names may still be that person.
                known = None if f.type == "LOC" else self._resolve_short(surface)
                ent = known or self.entity(
                    f"{'loc' if f.type == 'LOC' else 'misc'}:{slugify(surface)}",
                    name=surface,
                    name_vi=surface,
                    type=f.type,
                    kind=f.kind,
                )
            else:
                ent = self._resolve_short(surface)
                if ent is None:
                    continue
            self.add_mention(ent, sentence, start, end)
        self._anaphors(sentence)

    def _organisation(self, f: _Found, surface: str) -> Entity:
        country_last = f.nested and f.nested[-1].last == f.last and f.nested[-1].kind == "country"
        if f.code and country_last and f.code[3:]:
            # "quân đội Iraq", "Chính phủ Mỹ": the generic sector actor of a country.
            country = f.nested[-1].entry
            label = _cameo_type_labels().get(f.code[3:], f.code[3:])
            return self.entity(
                f"actor:{f.code}",
                name=f"{country.name} {label}".strip() if country else f.code,
                name_vi=surface[:1].upper() + surface[1:],
                type="ORG",
                code=f.code,
                wikidata=None,
                kind="org",
                country=f.country,
            )
        return self.entity(
            f"org:{slugify(surface)}",
            name=surface,
            name_vi=surface,
            type="ORG",
            code=f.code,
            wikidata=None,
            kind="org",
            country=f.country,
        )

    def _person(self, f: _Found, surface: str) -> Entity:
        known = self._resolve_short(surface)
        if known is not None:
            if f.code and not known.code:
                known.code, known.country, known.role = f.code, f.country, f.role
            return known
        ent = self.entity(
            f"person:{slugify(surface)}",
            name=surface,
            name_vi=surface,
            type="PER",
            code=f.code,
            wikidata=None,
            kind="person",
            country=f.country,
            role=f.role,
        )
        if len(surface.split()) >= 2:
            self.people[ent.id] = ent
        return ent

    def _resolve_short(self, surface: str) -> Entity | None:
        """ "Trump" or "Stoltenberg" after "Donald Trump", "Jens Stoltenberg" in the article."""
        words = surface.split()
        people = list(reversed(list(self.people.values())))
        for ent in people:
            full = ent.name.split()
            if words == full or (len(words) < len(full) and full[-len(words) :] == words):
                return ent
        # "Saddam" for "Saddam Hussein": foreign names are also shortened to the first name.
        for ent in people:
            full = ent.name.split()
            if len(words) == 1 and full[0] == words[0] and not _VIETNAMESE_ONLY.search(ent.name):
                return ent
        return None

    def _pronoun(self, sentence: Sentence, rec: _SentenceRecogniser) -> None:
        # "Ông nói thêm rằng ...": a sentence opened by Ông/Bà and a verb continues the
        # story of the last person named.
        syl = rec.syl
        if (
            len(syl) > 1
            and syl[0].text in ("Ông", "Bà")
            and not syl[1].capitalised
            and self.last_person is not None
        ):
            self.add_mention(self.entities[self.last_person], sentence, syl[0].start, syl[0].end)

    def _anaphors(self, sentence: Sentence) -> None:
        lowered = sentence.text.lower()
        for phrase, kind in ANAPHORS.items():
            for m in re.finditer(rf"(?<!\w){re.escape(phrase)}(?!\w)", lowered):
                start, end = sentence.start + m.start(), sentence.start + m.end()
                # The referent is the last entity of that kind named before the phrase.
                earlier = [eid for pos, k, eid in self.seen if k == kind and pos < start]
                if not earlier:
                    continue
                target = earlier[-1]
                self.entities[target].mentions.append(
                    Mention(self.article.text[start:end], sentence.index, start, end)
                )

    def result(self) -> list[Entity]:
        """Entities that were mentioned, in order of first mention."""
        out = [e for e in self.entities.values() if e.mentions]
        for ent in out:
            ent.mentions.sort(key=lambda m: m.start)
        return sorted(out, key=lambda e: e.mentions[0].start)


def typed_names(
    article: Article, sentences: list[Sentence]
) -> list[tuple[list[str], list[str], list[str], str]]:
    """Training examples for the name typer: ``(name syllables, 2 syllables before, 2 after,
    type)`` of every capitalised name the rules type with evidence (the gazetteer, a title,
    a kinship, place or organisation word), with the learned typer switched off."""
    out = []
    for sentence in sentences:
        rec = _SentenceRecogniser(sentence, article.text, typer=None)
        for f in rec.run():
            words = [s.text for s in rec.syl[f.first : f.last]]
            if f.type not in _KIND_OF_TYPE or f.by_shape or not all(w[:1].isupper() for w in words):
                continue
            out.append((words, *rec.context(f), f.type))
    return out


def _typed_mentions(
    article: Article, sentences: list[Sentence], typer: NameTyper | None
) -> tuple[list[_SentenceRecogniser], list[list[_Found]]]:
    """Every sentence's mentions, typed by the rules (and the name typer) article-wide."""
    recognisers = [_SentenceRecogniser(s, article.text, typer) for s in sentences]
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


def _candidates(
    recognisers: list[_SentenceRecogniser],
    found: list[list[_Found]],
    article_text: str,
    typer: NameTyper | None,
) -> list[tuple[_Found, str, Candidate]]:
    """Every mention, its surface and what the mention filter is told about it."""
    repeats: dict[str, int] = {}
    out = []
    for rec, fs in zip(recognisers, found, strict=True):
        for f in fs:
            words = [s.text for s in rec.syl[f.first : f.last]]
            before, after = rec.context(f)
            surface = " ".join(rec.surface(f.first, f.last).split())
            if surface not in repeats:
                repeats[surface] = article_text.count(surface)
            cand = Candidate(
                words=words,
                before=before,
                after=after,
                rule_type=f.type if f.type in _KIND_OF_TYPE else "",
                kind=f.kind or "",
                gazetteer=f.entry is not None,
                by_shape=f.by_shape,
                titled=f.role is not None,
                pos=rec.syl[f.first].pos,
                opens_sentence=f.first == 0 or rec.syl[f.first - 1].text in _SENTENCE_OPENERS,
                repeats=repeats[surface],
                typer=typer.predict(words, before, after) if typer is not None else None,
            )
            out.append((f, surface, cand))
    return out


def mention_candidates(article: Article, sentences: list[Sentence]) -> list[tuple[str, Candidate]]:
    """Training examples for the mention filter: ``(surface, candidate)`` of every mention the
    rules and the name typer find, before the filter has its say."""
    typer = default_typer()
    recognisers, found = _typed_mentions(article, sentences, typer)
    return [
        (surface, cand) for _, surface, cand in _candidates(recognisers, found, article.text, typer)
    ]


def _apply_filter(
    mentions: list[tuple[_Found, str, Candidate]], mention_filter: MentionFilter
) -> None:
    # One answer per surface: the mean of its mentions' probabilities, so that "Từ Liêm" is
    # not a place in one sentence and a person in the next.
    by_surface: dict[str, list] = {}
    for _, surface, cand in mentions:
        by_surface.setdefault(surface, []).append(mention_filter.probabilities(cand))
    mean = {surface: sum(probs) / len(probs) for surface, probs in by_surface.items()}
    for f, surface, cand in mentions:
        decision = mention_filter.decide(cand, mean[surface])
        if decision == "NONE":
            f.dropped = True
        elif decision is not None:
            f.type, f.kind, f.by_shape = decision, _KIND_OF_TYPE[decision], False


def recognize(article: Article, sentences: list[Sentence]) -> list[Entity]:
    """Find and link the entities of an article (mentions carry sentence and offsets)."""
    linker = _ArticleLinker(article)
    typer = default_typer()
    recognisers, found = _typed_mentions(article, sentences, typer)
    mention_filter = default_filter()
    if mention_filter is not None:
        _apply_filter(_candidates(recognisers, found, article.text, typer), mention_filter)
    # Full names first, so that a short reference earlier in the text still links.
    for rec, fs in zip(recognisers, found, strict=True):
        for f in fs:
            if f.type == "PER" and f.last - f.first >= 2 and not f.dropped:
                surface = " ".join(rec.surface(f.first, f.last).split())
                linker._person(f, surface)
    for sentence, rec, fs in zip(sentences, recognisers, found, strict=True):
        check_time()
        linker.link(sentence, rec, fs)
    return linker.result()
