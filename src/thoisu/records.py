"""Typed records passed between pipeline stages.

ingest -> RawDocument -> clean -> Article -> nlp -> [Sentence] -> entities -> [Entity]
-> events -> [Event]; an Analysis bundles them and serialises to the analysis record
of ``shared/spec/analysis-json.md`` (``Analysis.to_dict``).

Offsets (``start``, ``end``) are code-point indices into ``Article.text``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Certainty = Literal["asserted", "reported", "possible", "negated", "question"]
EntityType = Literal["PER", "ORG", "LOC", "MISC"]


@dataclass(slots=True)
class RawDocument:
    """One input document as read by ``thoisu.ingest``, before cleaning.

    Either ``text`` (a plain-text page, chrome included), ``html`` (a web page), or
    the structured fields (``title``/``lead``/``body``, as in a JSON Lines corpus)
    are set. Metadata fields override what the cleaner would detect.
    """

    source: str
    text: str | None = None
    html: str | None = None
    title: str | None = None
    author: str | None = None
    lead: str | None = None
    body: str | None = None
    url: str | None = None
    publisher: str | None = None
    published: str | None = None
    category: str | None = None
    external_id: str | None = None
    encoding: str | None = None  # legacy encoding the text was converted from ("vni", ...)
    updated: str | None = None  # a feed entry's last-change stamp, as the feed gives it


@dataclass(slots=True)
class IngestError:
    """An input that could not be read; reported, never silently dropped."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


@dataclass(slots=True)
class Article:
    """A cleaned article. ``text`` is title, lead and body joined by blank lines."""

    id: str
    title: str | None
    author: str | None
    publisher: str | None
    published: str | None
    url: str | None
    source: str | None
    lead: str | None
    body: str
    text: str
    language: str = "vi"
    category: str | None = None
    credit: str | None = None  # a "Theo Reuters" style line removed from the body
    external_id: str | None = None
    # What was cut or dropped to keep within the limits (thoisu.limits), or metadata that
    # could not be used: "text cut to 200,000 characters", "url ... is not a valid URL".
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Token:
    text: str
    start: int
    end: int
    pos: str


@dataclass(slots=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str
    tokens: list[Token] = field(default_factory=list)
    is_title: bool = False
    # The shared encoder's output (thoisu.encoder.component), for the learned heads: the
    # sentence's syllables as absolute (start, end) spans and one vector per syllable
    # (a NumPy array). Working data of one analysis: never serialised.
    syllables: list[tuple[int, int]] = field(default_factory=list)
    vectors: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "start": self.start, "end": self.end, "text": self.text}


MentionKind = Literal["name", "nominal", "pronoun"]


@dataclass(slots=True)
class Mention:
    text: str
    sentence: int
    start: int
    end: int
    # "name" (a proper name, "Donald Trump"), "nominal" (a noun phrase that refers to the
    # entity: "nước này", "quân đội Iraq") or "pronoun" ("Ông" for the last man named).
    kind: MentionKind = "name"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Entity:
    id: str
    name: str
    name_vi: str | None
    type: EntityType
    code: str | None = None
    wikidata: str | None = None
    mentions: list[Mention] = field(default_factory=list)
    kind: str | None = None  # country, city, igo, agency, person, org, ...
    country: str | None = None  # CAMEO country code the entity belongs to, if known
    role: str | None = None  # title for people, e.g. "Tổng thống"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "name_vi": self.name_vi,
            "type": self.type,
            "code": self.code,
            "wikidata": self.wikidata,
            "kind": self.kind,
            "country": self.country,
            "role": self.role,
            "mentions": [m.to_dict() for m in self.mentions],
        }


@dataclass(slots=True)
class Actor:
    entity: str | None
    text: str
    code: str | None
    # Where the phrase is (absolute offsets), the finer role it fills (BKEE/ACE: "Attacker",
    # "Victim", "Place", ...) and how it names the actor ("name", "nominal", "pronoun").
    start: int | None = None
    end: int | None = None
    role: str | None = None
    kind: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Span:
    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Quantity:
    value: float | int
    unit: str | None
    text: str
    start: int | None = None
    end: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "unit": self.unit, "text": self.text}


@dataclass(slots=True)
class Attribution:
    speaker: Actor | None
    via: Actor | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "speaker": self.speaker.to_dict() if self.speaker else None,
            "via": self.via.to_dict() if self.via else None,
            "text": self.text,
        }


@dataclass(slots=True)
class Event:
    id: str
    sentence: int
    trigger: Span
    type: str | None
    cameo: str | None
    plover: str | None
    source: Actor | None = None
    target: Actor | None = None
    location: Actor | None = None
    date: str | None = None
    quantities: list[Quantity] = field(default_factory=list)
    attribution: Attribution | None = None
    certainty: Certainty = "asserted"
    cameo_label: str | None = None
    quad_class: int | None = None
    goldstein: float | None = None
    # The realis class of the mention (thoisu.events.realis: "actual", "future",
    # "hypothetical", "negated") and how sure thoisu is that it is an event of this type (the
    # trigger tagger's probability times the realis classifier's that it is an event).
    realis: str | None = None
    confidence: float | None = None
    # One English sentence built from the codes and the actors' English names, never a
    # translation of the Vietnamese (thoisu.events.english): "Vietnam Police arrested ...".
    en: str | None = None

    def to_dict(self) -> dict[str, Any]:
        def actor(a: Actor | None) -> dict[str, Any] | None:
            return a.to_dict() if a else None

        return {
            "id": self.id,
            "sentence": self.sentence,
            "trigger": self.trigger.to_dict(),
            "type": self.type,
            "cameo": self.cameo,
            "cameo_label": self.cameo_label,
            "plover": self.plover,
            "quad_class": self.quad_class,
            "goldstein": self.goldstein,
            "source": actor(self.source),
            "target": actor(self.target),
            "location": actor(self.location),
            "date": self.date,
            "quantities": [q.to_dict() for q in self.quantities],
            "attribution": self.attribution.to_dict() if self.attribution else None,
            "certainty": self.certainty,
            "realis": self.realis,
            "confidence": self.confidence,
            "en": self.en,
        }


@dataclass(slots=True)
class Analysis:
    """Everything thoisu knows about one article."""

    article: Article
    sentences: list[Sentence] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "article": self.article.to_dict(),
            "sentences": [s.to_dict() for s in self.sentences],
            "entities": [e.to_dict() for e in self.entities],
            "events": [e.to_dict() for e in self.events],
        }
