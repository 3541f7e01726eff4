"""Who an argument phrase is: a named entity, a nominal actor, or a word that refers back.

The argument tagger (:mod:`.arguments`) marks phrases ("Tổng thống Mỹ Donald Trump",
"cảnh sát Thái Lan", "cơ quan điều tra", "họ"); this module says which actor each one is:

* a person named in it ("Donald Trump"), else an organisation, sector actor or country named
  in it, with the entity's code and Wikidata id;
* a nominal actor: an agent noun at the head of the phrase (:mod:`thoisu.entities.agents`:
  "cảnh sát" COP, "chính quyền" GOV, "phiến quân" REB, ...) with the country of a place named
  in the phrase ("chính quyền Tokyo": JPN), else Vietnam for an institution of Vietnam's
  system ("công an", "UBND"), else the article's when one country dominates it;
* a back-reference, resolved where the text allows: "chúng tôi" to the speaker of the
  sentence, "ông"/"bà" to the last person named, "họ" to the last group that acted, "bộ
  trên"/"bộ này" to the last entity named with that head.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..entities.agents import agent_head
from ..records import Actor, Entity, Mention

__all__ = ["ActorResolver"]

_QUANTIFIERS = re.compile(
    r"^(?:(?:các|những|nhiều|một số|một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|vài|cả|gần|"
    r"khoảng|hơn|trên|chừng|chục|trăm|ngàn|nghìn|vạn|triệu|"
    r"hàng chục|hàng trăm|hàng nghìn|hàng ngàn|toàn bộ|tất cả|mọi|\d[\d.,]*)\s+)+",
    re.I,
)
_FIRST_PERSON = frozenset({"chúng tôi", "chúng ta", "tôi", "chúng tao"})
_PERSON_BACK = frozenset({"ông", "bà", "ông ta", "bà ta", "anh ta", "chị ta", "ông ấy",
                          "bà ấy", "hắn", "y", "anh", "chị", "cô", "cô ta", "cô ấy", "anh ấy",
                          "chị ấy", "ông này", "bà này"})  # fmt: skip
# Words before the agent noun that say how many or which of them, not who: "nhóm học sinh",
# "bọn cướp", "chính tài xế" (tried away one at a time when no agent noun opens the phrase).
_GROUP_WORDS = frozenset({"nhóm", "bọn", "đám", "toán", "lũ", "tốp", "chính", "băng", "đoàn",
                          "giới", "phía"})  # fmt: skip
_GROUP_BACK = frozenset({"họ", "bọn họ", "chúng", "bọn chúng", "phía này", "bên này"})
_DEICTIC = re.compile(r"^(?P<head>.+?)\s+(?:này|trên|đó|nói trên|kể trên)$", re.I)
_LOCATIVE = re.compile(r"(?<!\w)(?:ở|tại|trên|ngoài khơi|gần|khắp)\s*$", re.I)
_PASSIVE = re.compile(r"(?<!\w)(?:bị|được(?! cho là| biết)|bởi|hứng chịu|phải chịu)(?!\w)", re.I)
_MAX_GAP = 40  # characters between a fallback subject and its trigger
_PLACE_KINDS = frozenset({"city", "province", "region", "island", "former_province"})
_MAX_TEXT = 12  # syllables of an actor phrase kept when no entity or agent names it


@dataclass(slots=True)
class _Ref:
    mention: Mention
    entity: Entity

    def actor(self, role: str | None) -> Actor:
        m = self.mention
        return Actor(self.entity.id, m.text, self.entity.code, m.start, m.end, role, m.kind)


@dataclass(slots=True)
class ActorResolver:
    """Resolves argument phrases of one article (its entities, in text order)."""

    entities: list[Entity]
    refs: list[_Ref] = field(default_factory=list)
    country: str | None = None  # the country the article is about, when one dominates
    last_group: Actor | None = None  # the last non-person actor that acted
    nominals: list[Actor] = field(default_factory=list)  # coded nominal actors found so far

    def __post_init__(self) -> None:
        self.refs = sorted(
            (_Ref(m, e) for e in self.entities for m in e.mentions),
            key=lambda r: (r.mention.start, -r.mention.end),
        )
        countries: Counter = Counter()
        for ref in self.refs:
            code = _country_of(ref.entity)
            if code:
                countries[code] += 1
        if countries:
            code, n = countries.most_common(1)[0]
            if n >= 2 and n >= 0.5 * sum(countries.values()):
                self.country = code

    def resolve(
        self, text: str, start: int, end: int, role: str | None, speaker: Actor | None = None
    ) -> Actor:
        """The actor of the phrase ``text`` at ``start``..``end`` (absolute offsets)."""
        inside = [r for r in self.refs if start <= r.mention.start and r.mention.end <= end]
        people = [r for r in inside if r.entity.type == "PER"]
        if people:
            return people[0].actor(role)
        phrase = _QUANTIFIERS.sub("", text.strip())
        lowered = phrase.lower()
        head = agent_head(lowered)
        words = lowered.split()
        while head is None and len(words) > 1 and words[0] in _GROUP_WORDS:
            words = words[1:]
            head = agent_head(" ".join(words))
        actors = [r for r in inside if r.entity.type == "ORG" or r.entity.kind == "country"]
        if actors and (head is None or actors[0].mention.start - start <= len(text) - len(phrase)):
            return actors[0].actor(role)  # the phrase opens with the name
        if head is not None:
            agent = head[0]
            country = next((_country_of(r.entity) for r in inside if _country_of(r.entity)), None)
            if actors and actors[0].entity.code and len(actors[0].entity.code) == 3:
                country = actors[0].entity.code
            if country is None and actors and actors[0].entity.code:
                # "các bộ trưởng quốc phòng của các nước thành viên NATO": the organisation
                # named in the phrase, not the article's country, is whose agents they are
                org = actors[0].actor(role)
                clipped = _clip(text)
                return Actor(org.entity, clipped, org.code, start, start + len(clipped), role,
                             "nominal")  # fmt: skip
            default = "VNM" if agent.vietnamese else self.country
            code = (country or default or "") + agent.type
            clipped = _clip(text)
            nominal = Actor(None, clipped, code, start, start + len(clipped), role, "nominal")
            self.nominals.append(nominal)
            return nominal
        if actors:
            return actors[0].actor(role)
        back = self._back_reference(phrase, start + len(text) - len(phrase), role, speaker)
        if back is not None:
            return back
        places = [r for r in inside if r.entity.type == "LOC"]
        if places and role is not None:
            return places[0].actor(role)
        clipped = _clip(text)
        return Actor(None, clipped, None, start, start + len(clipped), role, "nominal")

    def _back_reference(
        self, phrase: str, start: int, role: str | None, speaker: Actor | None
    ) -> Actor | None:
        lowered = phrase.lower()

        def point(actor: Actor | None, kind: str) -> Actor | None:
            # the words of this sentence; the code and entity are the antecedent's
            if actor is None:
                return None
            return Actor(actor.entity, phrase, actor.code, start, start + len(phrase), role, kind)

        if lowered in _FIRST_PERSON:
            return point(speaker, "pronoun")
        if lowered in _PERSON_BACK:
            before = [r for r in self.refs if r.mention.end <= start and r.entity.type == "PER"]
            return point(before[-1].actor(role) if before else None, "pronoun")
        if lowered in _GROUP_BACK:
            return point(self.last_group, "pronoun")
        m = _DEICTIC.match(lowered)
        if m:
            head = m.group("head")
            before = [r for r in self.refs
                      if r.mention.end <= start and r.mention.text.lower().startswith(head)]  # fmt: skip
            if before:
                return point(before[-1].actor(role), "nominal")
            # "hai tên này" after "6 tên côn đồ", "nhóm này" after "nhóm cướp"
            earlier = [a for a in self.nominals if (a.start or 0) < start
                       and _QUANTIFIERS.sub("", a.text).lower().startswith(head)]  # fmt: skip
            return point(earlier[-1] if earlier else None, "nominal")
        return None

    def place_of(self, sentence: str, offset: int, start: int, end: int) -> Actor | None:
        """The place introduced by "tại"/"ở"/... in the clause of the trigger at ``start``..
        ``end`` (``sentence`` starts at ``offset``), preferring one after the trigger: the
        fallback where the argument tagger found no location."""
        left = _clause_start(sentence, offset, start)
        right = [sentence.find(c, end - offset) for c in ",;:"]
        right = offset + min([k for k in right if k >= 0], default=len(sentence))
        places = [
            r for r in self.refs
            if r.entity.type == "LOC" and left <= r.mention.start and r.mention.end <= right
            and _LOCATIVE.search(sentence[: r.mention.start - offset])
        ]  # fmt: skip
        found = next((r for r in places if r.mention.start >= end), None)
        if found is None and places:
            found = places[-1]
        return found.actor("Place") if found else None

    def subject_of(
        self, sentence: str, offset: int, start: int, taken: list[Actor | None]
    ) -> Actor | None:
        """The named actor nearest before the trigger at ``start`` in its clause, when no
        passive marker stands between them: the fallback where the argument tagger found no
        source ("NATO được cho là sẽ tăng cường ...")."""
        left = _clause_start(sentence, offset, start)
        used = [(a.start, a.end) for a in taken if a is not None and a.start is not None]
        for ref in reversed(self.refs):
            m = ref.mention
            if not (left <= m.start and m.end <= start) or m.kind != "name":
                continue
            if ref.entity.type == "LOC" and ref.entity.kind != "country":
                continue
            gap = sentence[m.end - offset : start - offset]
            if (
                len(gap) > _MAX_GAP
                or _PASSIVE.search(gap)
                or _LOCATIVE.search(sentence[: m.start - offset])
                or any(a < m.end and m.start < b for a, b in used)
            ):
                return None
            # "Bộ Ngoại giao Mỹ": the whole name, not the country inside it
            outer = [r for r in self.refs if r.mention.kind == "name"
                     and r.mention.start <= m.start and m.end <= r.mention.end]  # fmt: skip
            return max(outer, key=lambda r: r.mention.end - r.mention.start).actor(None)
        return None

    def acted(self, actor: Actor | None) -> None:
        """Note the source of an event, for a later "họ"."""
        if actor is not None and actor.kind != "pronoun":
            ref = next((r for r in self.refs if r.entity.id == actor.entity), None)
            if ref is None or ref.entity.type != "PER":
                self.last_group = actor


def _clause_start(sentence: str, offset: int, start: int) -> int:
    """Where the clause holding absolute offset ``start`` begins: after the last comma,
    semicolon or colon before it (``sentence`` starts at ``offset``)."""
    return offset + max(sentence.rfind(c, 0, start - offset) for c in ",;:") + 1


def _country_of(entity: Entity) -> str | None:
    if entity.kind == "country" and entity.code:
        return entity.code[:3]
    if entity.kind in _PLACE_KINDS and entity.country:
        return entity.country[:3]
    return None


def _clip(text: str) -> str:
    """At most _MAX_TEXT syllables of a long phrase, cut before a comma or relative clause."""
    text = re.split(r"\s*[,;(]\s*|\s+(?:mà|là|đã|đang|vừa|bị|được)\s+", text.strip(), maxsplit=1)[0]
    words = text.split()
    return " ".join(words[:_MAX_TEXT])
