"""Attribution: who says what an event is reported in, and through whom.

The frame of a sentence ("X cho biết ...", "..., X nói.", "Theo X, ...", "Reuters dẫn lời
quan chức Y cho biết ...") is found before the events, so that the speaker is not taken for
an actor and a speech verb that frames the sentence is not coded as a statement event. The
speaker is the person named in the frame's noun phrase, else the organisation, else the
phrase itself ("hai nhà ngoại giao ẩn danh": an anonymous source, through its outlet).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..records import Actor, Attribution, Entity, Mention, Sentence

__all__ = ["Frame", "Ref", "find_frame", "is_hearsay", "sentence_refs", "words"]

_WORD = re.compile(r"\w+(?:[-'’]\w+)*")

_SPEECH_VERBS = (
    "cho biết",
    "cho hay",
    "nói thêm",
    "nói",
    "khẳng định",
    "thông báo",
    "tiết lộ",
    "nhấn mạnh",
    "xác nhận",
    "tuyên bố",
    "phát biểu",
    "đưa tin",
    "lưu ý",
    "giải thích",
)
_SPEECH = re.compile(
    r"(?<!\w)(" + "|".join(sorted(map(re.escape, _SPEECH_VERBS), key=len, reverse=True)) + r")"
    r"(?:\s+với\s+(?P<via>[^,.;]+?))?(?:\s+rằng|\s*:|,|(?=\s))",
    re.IGNORECASE,
)
_QUOTE_THEN_SPEAKER = re.compile(
    r"[\"”»]\s*,?\s*(?P<np>[^\"“”«»]{2,120}?)\s+(?P<verb>"
    + "|".join(sorted(map(re.escape, _SPEECH_VERBS), key=len, reverse=True))
    + r")(?:\s+thêm)?\s*[.!]?\s*$",
    re.IGNORECASE,
)
# "X dẫn lời Y", "X dẫn những nguồn tin ...", "X trích lời Y": X relays what Y says.
_QUOTING = re.compile(r"(?<!\w)(?:dẫn lời|trích lời|dẫn)(?!\w)", re.I)
_ASPECT = frozenset({"đang", "đã", "sẽ", "vừa", "cần", "phải", "muốn", "chờ"})
_ACCORDING_TO = re.compile(
    r"^\W*(?:Tuy nhiên,\s*|Trong khi đó,\s*)?[Tt]heo\s+(?!lệnh|kế hoạch|đó|thỏa thuận|quy định|luật)([^,]{2,80}),"
)
_DISCOURSE = re.compile(
    r"^\W*(?:(?:Tuy nhiên|Trong khi đó|Ngoài ra|Đồng thời|Mặt khác|Trước đó|Sau đó|Hôm qua|Hôm nay|"
    r"Cũng|Còn|Nhưng|Và|(?:Hôm|Ngày|Sáng|Chiều|Tối|Trưa|Đêm)\s+(?:qua|nay|kia|thứ\s+\w+|"
    r"\d{1,2}/\d{1,2}(?:/\d{4})?))[, ]\s*)+",
    re.IGNORECASE,
)
_ANONYMOUS = re.compile(
    r"ẩn danh|giấu tên|không muốn nêu tên|đề nghị không nêu tên|nguồn tin|nguồn thạo tin", re.I
)
_REPORTED = re.compile(
    r"(?<!\w)(được cho là|bị cho là|theo nguồn tin|nghe nói|được biết(?! đến)|có tin|đồn đoán|tin đồn)(?!\w)",
    re.I,
)


def is_hearsay(text: str) -> bool:
    """Whether ``text`` (what comes before a trigger) marks hearsay: "được cho là", "theo
    nguồn tin", "nghe nói", ..."""
    return bool(_REPORTED.search(text))


@dataclass(slots=True)
class Ref:
    """An entity mention seen from an event: position and the actor it names."""

    start: int
    end: int
    actor: Actor
    entity: Entity

    @property
    def is_place(self) -> bool:
        return self.entity.type == "LOC" and self.entity.kind not in ("country",)


def _actor(entity: Entity, mention: Mention) -> Actor:
    return Actor(entity.id, mention.text, entity.code, mention.start, mention.end, None,
                 mention.kind)  # fmt: skip


def sentence_refs(entities: list[Entity]) -> dict[int, list[Ref]]:
    refs: dict[int, list[Ref]] = {}
    for ent in entities:
        for m in ent.mentions:
            refs.setdefault(m.sentence, []).append(Ref(m.start, m.end, _actor(ent, m), ent))
    for items in refs.values():
        items.sort(key=lambda r: (r.start, -r.end))
        # Drop mentions nested in a longer one ("Mỹ" inside "Không lực Mỹ").
        kept: list[Ref] = []
        for r in items:
            if kept and r.start < kept[-1].end:
                continue
            kept.append(r)
        items[:] = kept
    return refs


def words(text: str, offset: int) -> list[tuple[str, int, int]]:
    return [(m.group().lower(), offset + m.start(), offset + m.end()) for m in _WORD.finditer(text)]


@dataclass(slots=True)
class Frame:
    """An attribution frame: who says the rest of the sentence, through whom."""

    end: int  # absolute offset where the reported content starts
    verb_start: int
    attribution: Attribution
    anonymous: bool
    content_end: int | None = None  # where the reported content ends (a closing quote)

    def covers(self, start: int) -> bool:
        return self.end <= start and (self.content_end is None or start < self.content_end)


def _plausible_speaker(sentence: Sentence, start: int, end: int) -> bool:
    """A speaker is a noun phrase: no aspect marker, at most one verb ("nhà ngoại giao")."""
    inside = [t for t in sentence.tokens if start <= t.start and t.end <= end]
    if any(t.text.lower() in _ASPECT for t in inside):
        return False
    return sum(t.pos == "V" for t in inside) <= 1


def find_frame(sentence: Sentence, refs: list[Ref]) -> Frame | None:
    text, base = sentence.text, sentence.start
    m = _QUOTE_THEN_SPEAKER.search(text)
    if m and _plausible_speaker(sentence, base + m.start("np"), base + m.end("np")):
        # "…", Jabber nói.  The quotation before is what the speaker said.
        noun_phrase = m.group("np").strip(" ,")
        inside = [
            r for r in refs if base + m.start("np") <= r.start and r.end <= base + m.end("np")
        ]
        speaker, via = _speaker_from(noun_phrase, inside)
        return Frame(
            base,
            base + m.start("verb"),
            Attribution(speaker, via, text[m.start("np") :].strip()),
            bool(_ANONYMOUS.search(noun_phrase)),
            content_end=base + m.start(),
        )
    m = _ACCORDING_TO.match(text)
    if m:
        source_text = m.group(1).strip()
        inside = [r for r in refs if base + m.start(1) <= r.start and r.end <= base + m.end(1)]
        speaker, via = _speaker_from(source_text, inside)
        return Frame(
            base + m.end(),
            base + m.start(),
            Attribution(speaker, via, text[: m.end()].strip()),
            bool(_ANONYMOUS.search(source_text)),
        )
    quoting = _QUOTING.search(text)
    for m in _SPEECH.finditer(text):
        np_start = _DISCOURSE.match(text)
        np_from = np_start.end() if np_start else 0
        if quoting and quoting.end() <= m.start() and quoting.start() > np_from:
            # "Reuters dẫn lời quan chức X cho biết ...": the outlet is the channel, the
            # quoted person the speaker.
            frame = _quoted_frame(sentence, refs, np_from, quoting, m)
            if frame is not None:
                return frame
        noun_phrase = text[np_from : m.start()].strip(" ,\"“”'")
        if not any(ch.isalpha() for ch in noun_phrase) or len(noun_phrase) > 120:
            continue
        if not _plausible_speaker(sentence, base + np_from, base + m.start()):
            continue
        inside = [r for r in refs if base + np_from <= r.start and r.end <= base + m.start()]
        speaker, via = _speaker_from(noun_phrase, inside)
        if m.group("via"):
            via_refs = [r for r in refs if base + m.start("via") <= r.start < base + m.end("via")]
            via = via_refs[0].actor if via_refs else Actor(None, m.group("via").strip(), None)
        return Frame(
            base + m.end(),
            base + m.start(),
            Attribution(speaker, via, text[np_from : m.end()].strip()),
            bool(_ANONYMOUS.search(noun_phrase)),
        )
    return None


def _quoted_frame(
    sentence: Sentence, refs: list[Ref], np_from: int, quoting: re.Match, verb: re.Match
) -> Frame | None:
    text, base = sentence.text, sentence.start
    outlet = text[np_from : quoting.start()].strip(" ,")
    quoted = text[quoting.end() : verb.start()].strip(" ,")
    if not outlet or not any(ch.isalpha() for ch in quoted) or len(quoted) > 120:
        return None
    outlet_refs = [r for r in refs if base + np_from <= r.start and r.end <= base + quoting.start()]
    quoted_refs = [
        r for r in refs if base + quoting.end() <= r.start and r.end <= base + verb.start()
    ]
    speaker, _ = _speaker_from(quoted, quoted_refs)
    via = outlet_refs[0].actor if outlet_refs else Actor(None, outlet, None)
    return Frame(
        base + verb.end(),
        base + verb.start(),
        Attribution(speaker, via, text[np_from : verb.end()].strip()),
        bool(_ANONYMOUS.search(quoted)),
    )


_TRAILING_ADVERBS = re.compile(
    r"(?:\s+(?:cũng|đã|vừa|mới|còn|lại|thì|hôm qua|hôm nay|sau đó))+$", re.I
)


def _speaker_from(noun_phrase: str, inside: list[Ref]) -> tuple[Actor | None, Actor | None]:
    noun_phrase = _TRAILING_ADVERBS.sub("", noun_phrase)
    people = [r for r in inside if r.entity.type == "PER"]
    if people:
        return people[-1].actor, None
    agencies = [r for r in inside if r.entity.kind == "agency"]
    if _ANONYMOUS.search(noun_phrase) or (
        inside and not noun_phrase.startswith(inside[0].actor.text)
    ):
        # "hai nhà ngoại giao ẩn danh", "Các nguồn tin của Reuters": an unnamed speaker,
        # possibly through a named outlet.
        return Actor(None, noun_phrase, None), (agencies[0].actor if agencies else None)
    if inside:
        return inside[-1].actor, None
    return Actor(None, noun_phrase, None), None
