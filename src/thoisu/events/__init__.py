"""Event stage: sentence-level events coded in CAMEO and PLOVER.

For each sentence: triggers come from the Vietnamese trigger lexicon (``data/triggers.tsv``);
the attribution frame ("X cho biết ...", "nói với Reuters rằng", "Theo X, ...") is found
first, so that the speaker is not taken for the actor; source and target are the nearest
actors left and right of the trigger within its clause (passive "bị"/"được" swaps them);
location is an entity introduced by "ở"/"tại"; date, quantities and certainty come from
the sentence. Every event keeps its sentence index as evidence.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ..limits import check_time
from ..records import (
    Actor,
    Article,
    Attribution,
    Certainty,
    Entity,
    Event,
    Mention,
    Quantity,
    Sentence,
    Span,
)
from .codes import cameo
from .dates import find_dates
from .quantities import find_quantities

__all__ = ["extract_events", "load_triggers", "TriggerEntry"]

_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


@dataclass(frozen=True, slots=True)
class TriggerEntry:
    phrase: str
    cameo: str | None  # None: an ACE-only trigger (Die, Injure, ...) or a blocker
    ace_type: str | None
    objects: tuple[str, ...]  # one of these must follow the trigger closely

    @property
    def blocker(self) -> bool:
        return self.cameo is None and self.ace_type is None


@cache
def load_triggers() -> dict[tuple[str, ...], TriggerEntry]:
    """Trigger syllables (lower-case) -> entry."""
    text = resources.files("thoisu.events").joinpath("data", "triggers.tsv").read_text("utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    table: dict[tuple[str, ...], TriggerEntry] = {}
    for row in csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
        row += [""] * (4 - len(row))
        phrase, code, ace, objects = (c.strip() for c in row[:4])
        key = tuple(phrase.lower().split())
        table[key] = TriggerEntry(
            phrase,
            None if code in ("", "-") else code,
            ace or None,
            tuple(o.strip().lower() for o in objects.split("|") if o.strip()),
        )
    return table


# --- lexicons of the argument and certainty rules (closed-class words) ------------
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
_POSSIBLE = re.compile(
    r"(?<!\w)(có thể|dường như|dự kiến|có khả năng|có lẽ|nhiều khả năng|e rằng|hy vọng|hi vọng|"
    r"dự định|lên kế hoạch|định|tính|sẽ cân nhắc|đang xem xét)(?!\w)",
    re.I,
)
# "sẽ đàm phán", "muốn ủng hộ": a planned or wished-for event has not happened yet.
_INTENT = re.compile(r"(?<!\w)(?:sẽ|muốn|định|dự định)(?:\s+\w+){0,2}\s*$", re.I)
_UNCERTAIN_SENTENCE = re.compile(
    r"(?<!\w)(không rõ liệu|chưa rõ|không rõ|chưa có kế hoạch|chưa quyết định|chưa được xác nhận|liệu)(?!\w)",
    re.I,
)
_NEGATION = re.compile(r"(?<!\w)(không hề|chưa hề|chẳng hề|không|chưa|chẳng|đừng|chớ)(?!\w)", re.I)
# Words allowed between a negation and the trigger it negates: "không muốn ủng hộ".
_NEGATION_BRIDGE = frozenset(
    "muốn thể được cần có sẽ đã đang phải thông qua việc định cho hề bao giờ từng kịp dám chịu bị ai còn".split()
)
_LOCATION_MARKERS = re.compile(r"(?:ở|tại|trên|ngoài khơi|gần|khắp|thuộc)\s*$", re.I)
_PASSIVE = re.compile(r"(?<!\w)bị\s*$", re.I)
_CLAUSE_BREAK = re.compile(
    r";|\s[-–]\s|(?<!\w)(?:nhưng|song|trong khi|sau khi|trước khi|khi|vì|do|nên)(?!\w)", re.I
)


@dataclass(slots=True)
class _Ref:
    """An entity mention seen from an event: position and the actor it names."""

    start: int
    end: int
    actor: Actor
    entity: Entity

    @property
    def is_place(self) -> bool:
        return self.entity.type == "LOC" and self.entity.kind not in ("country",)


def _actor(entity: Entity, mention: Mention) -> Actor:
    return Actor(entity.id, mention.text, entity.code)


def _sentence_refs(entities: list[Entity]) -> dict[int, list[_Ref]]:
    refs: dict[int, list[_Ref]] = {}
    for ent in entities:
        for m in ent.mentions:
            refs.setdefault(m.sentence, []).append(_Ref(m.start, m.end, _actor(ent, m), ent))
    for items in refs.values():
        items.sort(key=lambda r: (r.start, -r.end))
        # Drop mentions nested in a longer one ("Mỹ" inside "Không lực Mỹ").
        kept: list[_Ref] = []
        for r in items:
            if kept and r.start < kept[-1].end:
                continue
            kept.append(r)
        items[:] = kept
    return refs


def _words(text: str, offset: int) -> list[tuple[str, int, int]]:
    return [(m.group().lower(), offset + m.start(), offset + m.end()) for m in _WORD.finditer(text)]


@cache
def _longest_trigger() -> int:
    return max(len(k) for k in load_triggers())


def _find_triggers(sentence: Sentence) -> list[tuple[int, int, TriggerEntry]]:
    table = load_triggers()
    longest = _longest_trigger()
    words = _words(sentence.text, sentence.start)
    lowered = [w for w, _, _ in words]
    token_edges = {t.start for t in sentence.tokens} | {t.end for t in sentence.tokens}
    found = []
    i = 0
    while i < len(words):
        hit = None
        for n in range(min(longest, len(words) - i), 0, -1):
            entry = table.get(tuple(lowered[i : i + n]))
            if entry is None:
                continue
            start, end = words[i][1], words[i + n - 1][2]
            # A one-syllable trigger must be a whole word of the segmenter ("bắt" not in "bắt buộc").
            if n == 1 and not (start in token_edges and end in token_edges):
                continue
            if entry.objects:
                window = " ".join(w for w, _, _ in words[i + n : i + n + 4])
                if not any(
                    re.search(rf"(?<!\w){re.escape(o)}(?!\w)", window) for o in entry.objects
                ):
                    continue
            hit = (i, n, entry)
            break
        if hit is None:
            i += 1
            continue
        i, n, entry = hit
        if not entry.blocker:
            found.append((words[i][1], words[i + n - 1][2], entry))
        i += n
    return found


@dataclass(frozen=True, slots=True)
class _Trigger:
    start: int
    end: int
    cameo: str | None
    ace_type: str | None
    cameo_with_agent: str | None = None  # Die/Injure with a perpetrator is an assault


@cache
def _ace_to_cameo() -> dict[str, tuple[str | None, str | None]]:
    """ACE type -> (CAMEO code, CAMEO code when the event has an acting source)."""
    text = resources.files("thoisu.events").joinpath("data", "ace_to_cameo.tsv").read_text("utf-8")
    table = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            cells = (line.split("\t") + ["", "", ""])[:3]
            table[cells[0].strip()] = (cells[1].strip() or None, cells[2].strip() or None)
    return table


def _detector():
    # The learned detector is optional: without its model file the lexicon works alone.
    try:
        from .detector import default_detector
    except ImportError:
        return None
    return default_detector()


def _triggers(sentence: Sentence, detected: list) -> list[_Trigger]:
    """Triggers of the learned detector (ACE types, ``detected``) merged with the CAMEO
    lexicon's.

    Where both find the same word, the detector's span and ACE type are kept with the
    lexicon's (more specific) CAMEO code; elsewhere the ACE type is mapped to CAMEO through
    ``data/ace_to_cameo.tsv``, and lexicon-only triggers (statements, appeals, threats,
    sanctions, deployments, ... which ACE lacks) keep their CAMEO code.
    """
    mapping = _ace_to_cameo()
    lexical = _find_triggers(sentence)
    merged: list[_Trigger] = []
    matched: set[int] = set()
    for d in detected:
        overlapping = [i for i, (s, e, _) in enumerate(lexical) if s < d.end and d.start < e]
        code, with_agent = mapping.get(d.type, (None, None))
        if overlapping:
            matched.update(overlapping)
            entry = lexical[overlapping[0]][2]
            code = entry.cameo or code
        merged.append(_Trigger(d.start, d.end, code, d.type, with_agent))
    for i, (start, end, entry) in enumerate(lexical):
        if i not in matched:
            with_agent = mapping.get(entry.ace_type or "", (None, None))[1]
            merged.append(_Trigger(start, end, entry.cameo, entry.ace_type, with_agent))
    return sorted(merged, key=lambda t: t.start)


@dataclass(slots=True)
class _Frame:
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


def _attribution(sentence: Sentence, refs: list[_Ref]) -> _Frame | None:
    text, base = sentence.text, sentence.start
    m = _QUOTE_THEN_SPEAKER.search(text)
    if m and _plausible_speaker(sentence, base + m.start("np"), base + m.end("np")):
        # "…", Jabber nói.  The quotation before is what the speaker said.
        noun_phrase = m.group("np").strip(" ,")
        inside = [
            r for r in refs if base + m.start("np") <= r.start and r.end <= base + m.end("np")
        ]
        speaker, via = _speaker_from(noun_phrase, inside)
        return _Frame(
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
        return _Frame(
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
        return _Frame(
            base + m.end(),
            base + m.start(),
            Attribution(speaker, via, text[np_from : m.end()].strip()),
            bool(_ANONYMOUS.search(noun_phrase)),
        )
    return None


def _quoted_frame(
    sentence: Sentence, refs: list[_Ref], np_from: int, quoting: re.Match, verb: re.Match
) -> _Frame | None:
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
    return _Frame(
        base + verb.end(),
        base + verb.start(),
        Attribution(speaker, via, text[np_from : verb.end()].strip()),
        bool(_ANONYMOUS.search(quoted)),
    )


_TRAILING_ADVERBS = re.compile(
    r"(?:\s+(?:cũng|đã|vừa|mới|còn|lại|thì|hôm qua|hôm nay|sau đó))+$", re.I
)
# Nominalised triggers: "lời kêu gọi của ông Trump", "cuộc tấn công của Israel vào Gaza".
_NOMINALISER = re.compile(r"(?<!\w)(?:lời|cuộc|vụ|sự|việc|chuyến|lệnh|hành động)\s*$", re.I)
_POSSESSOR = re.compile(r"^\s*của(?:\s+[^\s,.;]+){0,3}?\s*$", re.I)
_OBJECT_MARKER = re.compile(
    r"(?:đối với|nhằm vào|vào|với|chống lại|tới|đến)(?:\s+[^\s,.;]+){0,3}?\s*$", re.I
)


def _speaker_from(noun_phrase: str, inside: list[_Ref]) -> tuple[Actor | None, Actor | None]:
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


def _certainty(
    sentence: Sentence,
    trigger_start: int,
    clause_start: int,
    frame: _Frame | None,
    code: str | None,
) -> Certainty:
    text = sentence.text
    rel = trigger_start - sentence.start
    if text.rstrip().endswith("?"):
        return "question"
    before = text[max(0, clause_start - sentence.start) : rel]
    words = [w for w, _, _ in _words(before, 0)]
    for k in range(len(words) - 1, max(-1, len(words) - 7), -1):
        if words[k] in ("không", "chưa", "chẳng", "đừng", "chớ"):
            if all(w in _NEGATION_BRIDGE for w in words[k + 1 :]):
                return "negated"
            break
    if _REPORTED.search(before) or (frame is not None and frame.anonymous):
        return "reported"
    # A hedge rarely reaches across a comma; a future or wish marker only right before the verb.
    if _POSSIBLE.search(before.rsplit(",", 1)[-1]) or _INTENT.search(before):
        return "possible"
    if _UNCERTAIN_SENTENCE.search(text) and not (code or "").startswith(("01", "04")):
        return "possible"
    return "asserted"


def _clause_bounds(
    sentence: Sentence, start: int, end: int, frame: _Frame | None
) -> tuple[int, int]:
    left = sentence.start
    right = sentence.end
    if frame is not None and frame.covers(start):
        left = frame.end
        right = frame.content_end or right
    for m in _CLAUSE_BREAK.finditer(sentence.text):
        pos = sentence.start + m.start()
        if left <= pos < start and pos + len(m.group()) <= start:
            left = sentence.start + m.end()
        elif pos >= end:
            right = min(right, pos)
            break
    return left, right


def _tail(text: str, end: int, size: int = 80) -> str:
    """The ``size`` characters before ``end``: what a pattern anchored at the end (``$``)
    needs, so that testing it costs the same in a short or a 2,000-character sentence."""
    return text[max(0, end - size) : end]


def _is_location(sentence: Sentence, ref: _Ref) -> bool:
    return bool(_LOCATION_MARKERS.search(_tail(sentence.text, ref.start - sentence.start)))


def _pick_arguments(
    sentence: Sentence,
    refs: list[_Ref],
    start: int,
    end: int,
    left: int,
    right: int,
    frame: _Frame | None,
):
    actors = [r for r in refs if not r.is_place and not _is_location(sentence, r)]
    before = [r for r in actors if left <= r.start and r.end <= start]
    after = [r for r in actors if end <= r.start and r.end <= right]
    source = before[-1] if before else None
    text, base = sentence.text, sentence.start
    if _NOMINALISER.search(_tail(text, start - base)):
        owner = next(
            (r for r in after if _POSSESSOR.match(text[end - base : r.start - base])), None
        )
        if owner is not None:
            # "lời kêu gọi của ông Trump đối với các quốc gia NATO"
            aimed = [
                r
                for r in after
                if r.start > owner.end and _OBJECT_MARKER.search(_tail(text, r.start - base))
            ]
            return (
                owner.actor,
                aimed[0].actor if aimed else None,
                _location(sentence, refs, end, left, right),
            )
    # "Tổng thống Mỹ Donald Trump": the person, not the country of the title.
    target = after[0] if after else None
    if (
        target is not None
        and len(after) > 1
        and after[1].entity.type == "PER"
        and after[1].start - target.end <= 2
    ):
        target = after[1]
    if source is not None and source.entity.type != "PER":
        ppl = [r for r in before if r.entity.type == "PER" and 0 <= r.start - source.end <= 2]
        source = ppl[0] if ppl else source
    passive = _PASSIVE.search(_tail(sentence.text, start - sentence.start))
    if passive and source is not None:
        source, target = (target, source) if target is not None else (None, source)
    if source is not None and target is not None and source.entity is target.entity:
        target = None
    return (
        source.actor if source else None,
        target.actor if target else None,
        _location(sentence, refs, end, left, right),
    )


def _location(
    sentence: Sentence, refs: list[_Ref], end: int, left: int, right: int
) -> Actor | None:
    """The place introduced by "ở"/"tại" in the clause, preferring one after the trigger."""
    places = [
        r
        for r in refs
        if r.entity.type == "LOC" and _is_location(sentence, r) and left <= r.start < right
    ]
    location = next((r for r in places if r.start >= end), None) or (places[-1] if places else None)
    return location.actor if location else None


def _event_id(article_id: str, sentence: int, start: int, code: str | None) -> str:
    digest = hashlib.sha256(f"{article_id}:{sentence}:{start}:{code}".encode()).hexdigest()
    return "e" + digest[:16]


def extract_events(
    article: Article, sentences: list[Sentence], entities: list[Entity]
) -> list[Event]:
    """Events of an article, in text order."""
    refs_by_sentence = _sentence_refs(entities)
    detector = _detector()
    # The tagger reads all sentences of the article in one batch.
    detected = detector.detect_many(sentences) if detector is not None else [[]] * len(sentences)
    events: list[Event] = []
    for sentence, found in zip(sentences, detected, strict=True):
        check_time()
        triggers = _triggers(sentence, found)
        if not triggers:
            continue
        refs = refs_by_sentence.get(sentence.index, [])
        frame = _attribution(sentence, refs)
        # A speech verb that frames the sentence is attribution, not a statement event.
        if frame is not None:
            triggers = [
                t
                for t in triggers
                if not (
                    t.start <= frame.verb_start < t.end
                    or (t.cameo == "010" and frame.verb_start <= t.start < frame.end)
                )
            ]
        dates = find_dates(sentence.text, article.published)
        date = dates[0][2] if dates else None
        spans = [(sentence.start + s, sentence.start + e) for s, e, _ in dates]
        quantities = find_quantities(sentence.text, sentence.start, sentence.tokens, spans)
        sentence_events: list[Event] = []
        for trigger in triggers:
            start, end = trigger.start, trigger.end
            left, right = _clause_bounds(sentence, start, end, frame)
            source, target, location = _pick_arguments(
                sentence, refs, start, end, left, right, frame
            )
            cameo_code = trigger.cameo
            if trigger.cameo_with_agent and cameo_code is None:
                # "X thiệt mạng", "X bị thương": the actor before an intransitive Die/Injure
                # trigger is the victim; only a passive "bị Y giết" names a perpetrator.
                if _PASSIVE.search(_tail(sentence.text, start - sentence.start)) is None:
                    source, target = None, target or source
                if source is not None:
                    cameo_code = trigger.cameo_with_agent
            code = cameo(cameo_code) if cameo_code else None
            attribution = frame.attribution if frame is not None and frame.covers(start) else None
            certainty = _certainty(
                sentence, start, left, frame if attribution else None, cameo_code
            )
            if sentence.is_title and article.title and article.title.rstrip().endswith("?"):
                certainty = "question"
            sentence_events.append(
                Event(
                    id=_event_id(article.id, sentence.index, start, cameo_code),
                    sentence=sentence.index,
                    trigger=Span(article.text[start:end], start, end),
                    type=trigger.ace_type,
                    cameo=cameo_code,
                    plover=code.plover if code else None,
                    source=source,
                    target=target,
                    location=location,
                    date=date,
                    attribution=attribution,
                    certainty=certainty,
                    cameo_label=code.label if code else None,
                    quad_class=code.quad_class if code else None,
                    goldstein=code.goldstein if code else None,
                )
            )
        _attach_quantities(sentence_events, quantities)
        events.extend(sentence_events)
    return events


def _attach_quantities(events: list[Event], quantities: list[Quantity]) -> None:
    """Each quantity goes to the event whose trigger is nearest in the sentence."""
    if not events:
        return
    for q in quantities:
        nearest = min(
            events, key=lambda e: min(abs(q.start - e.trigger.end), abs(e.trigger.start - q.end))
        )
        nearest.quantities.append(q)
