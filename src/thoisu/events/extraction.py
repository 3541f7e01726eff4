"""The event stage: each sentence's events, coded in CAMEO and PLOVER, with their evidence.

For an article whose sentences carry the shared encoder's vectors:

1. triggers: the learned tagger's (BKEE types, :mod:`.triggers`), the lexicon's CAMEO-only
   phrases (statements, appeals, threats, ... :mod:`.lexicon`) and its ACE-typed phrases
   the tagger finds likely enough (:data:`LEXICON_FLOOR`);
2. realis: every candidate is classed (:mod:`.realis`); generic statements and non-events are
   dropped, the rest get a certainty;
3. attribution: the sentence's frame (:mod:`.attribution`) gives the speaker; the speech verb
   that frames the sentence is not an event of its own;
4. arguments: the argument tagger reads the sentence from each trigger (:mod:`.arguments`)
   and each phrase becomes an actor (:mod:`.actors`);
5. date of the trigger's clause (:mod:`.dates`) and quantities (:mod:`.quantities`).

All sentences of the article go through each network in one batch. A sentence without
vectors has no events.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from ..encoder.component import select_layers
from ..limits import check_time
from ..nn import SequenceTagger, Tagged
from ..records import Actor, Article, Entity, Event, Sentence, Span
from . import arguments, realis, triggers
from .actors import ActorResolver
from .attribution import Frame, find_frame, is_hearsay, sentence_refs
from .codes import cameo
from .dates import event_date, find_dates
from .lexicon import LexiconHit, ace_to_cameo, find_phrases
from .quantities import attach_quantities, find_quantities

__all__ = ["extract_events"]

# A lexicon phrase of an ACE type the tagger's best path left out is still a candidate when
# the tagger gives one of its syllables at least this probability of being part of a trigger
# (chosen on BKEE dev: 0.1, 0.2, 0.3 gave classification F1 56.0, 56.1, 56.0; news the
# tagger saw little of, visits and meetings, is where it helps).
LEXICON_FLOOR = 0.2


@dataclass(slots=True)
class _Reading:
    """What the heads read of one sentence."""

    sentence: Sentence
    tokens: list[str]
    vectors: np.ndarray
    names: list[tuple[int, int, str]]
    words: np.ndarray
    hits: list[LexiconHit]
    clues: np.ndarray | None = None  # the trigger tagger's (their first columns are shared)


@dataclass(slots=True)
class _Candidate:
    reading: _Reading
    first: int
    last: int
    ace_type: str | None
    cameo: str | None
    cameo_with_agent: str | None
    confidence: float  # the tagger's (1.0 for a lexicon phrase)
    realis: str = "actual"
    event_probability: float = 1.0
    roles: list[Tagged] = field(default_factory=list)

    @property
    def start(self) -> int:
        return self.reading.sentence.syllables[self.first][0]

    @property
    def end(self) -> int:
        return self.reading.sentence.syllables[self.last - 1][1]


def _read(sentence: Sentence, text: str, entities_by_sentence: dict) -> _Reading:
    tokens = [text[a:b] for a, b in sentence.syllables]
    starts = [a for a, _ in sentence.syllables]
    ends = [b for _, b in sentence.syllables]
    names = []
    for mention, kind in entities_by_sentence.get(sentence.index, []):
        inside = [
            i for i in range(len(starts)) if mention.start <= starts[i] and ends[i] <= mention.end
        ]
        if inside:
            names.append((inside[0], inside[-1] + 1, kind))
    words = [(t.start, t.end, t.pos) for t in sentence.tokens]
    return _Reading(sentence, tokens, sentence.vectors, names, triggers.word_clues(sentence.syllables, words),
                    find_phrases([t.lower() for t in tokens]))  # fmt: skip


def _candidates(reading: _Reading, tagged: list[Tagged], sure: np.ndarray) -> list[_Candidate]:
    """The tagger's triggers (with the lexicon's more specific CAMEO code where a phrase
    overlaps), the lexicon's CAMEO-only phrases the tagger did not take, and its ACE-typed
    phrases the tagger found likely enough (``sure``: its marginals)."""
    mapping = ace_to_cameo()
    out, taken = [], set()
    for t in tagged:
        code, with_agent = mapping.get(t.label, (None, None))
        for k, hit in enumerate(reading.hits):
            if hit.first < t.last and t.first < hit.last and not hit.entry.blocker:
                taken.add(k)
                code = hit.entry.cameo or code
                break
        out.append(_Candidate(reading, t.first, t.last, t.label, code, with_agent, t.confidence))
    for k, hit in enumerate(reading.hits):
        entry = hit.entry
        if k in taken or entry.blocker or entry.cameo is None:
            continue
        confidence = 1.0
        if entry.ace_type is not None:
            confidence = float(1 - sure[hit.first : hit.last, 0].min())
            if confidence < LEXICON_FLOOR:
                continue
        out.append(_Candidate(reading, hit.first, hit.last, entry.ace_type, entry.cameo, None,
                              confidence))  # fmt: skip
    return sorted(out, key=lambda c: c.first)


def _classify(candidates: list[_Candidate]) -> None:
    classifier = realis.default_classifier()
    if classifier is None or not candidates:
        return
    features = np.stack([
        realis.realis_features(c.reading.tokens, c.reading.vectors, c.first, c.last,
                               c.ace_type is not None)
        for c in candidates
    ])  # fmt: skip
    probabilities = classifier.probabilities(features)
    kept = [i for i, label in enumerate(classifier.labels) if label in realis.EVENT_LABELS]
    for c, p in zip(candidates, probabilities, strict=True):
        c.realis = classifier.labels[int(p.argmax())]
        c.event_probability = float(p[kept].sum())


def _tag_roles(candidates: list[_Candidate], tagger: SequenceTagger, layers: tuple) -> None:
    batch = [
        (
            select_layers(c.reading.vectors, layers),
            arguments.argument_clues(c.reading.tokens, c.reading.names, c.reading.words,
                                     (c.first, c.last), c.ace_type, c.reading.clues),
        )
        for c in candidates
    ]  # fmt: skip
    # a role's own confidence is not reported: no forward-backward pass
    for c, roles in zip(candidates, tagger.tag(batch, confidence=False), strict=True):
        c.roles = roles


def _nearest(c: _Candidate, role: str) -> Tagged | None:
    spans = [r for r in c.roles if arguments.ROLES.get(r.label) == role]
    if not spans:
        return None
    return min(spans, key=lambda r: r.first - c.last if r.first >= c.last else c.first - r.last)


def _event_id(article_id: str, sentence: int, start: int, code: str | None) -> str:
    digest = hashlib.sha256(f"{article_id}:{sentence}:{start}:{code}".encode()).hexdigest()
    return "e" + digest[:16]


def extract_events(
    article: Article, sentences: list[Sentence], entities: list[Entity]
) -> list[Event]:
    """Events of an article, in text order."""
    tagger, role_tagger = triggers.default_tagger(), arguments.default_tagger()
    readable = [s for s in sentences if s.vectors is not None and s.syllables]
    if not readable:
        return []
    by_sentence: dict[int, list] = {}
    for entity in entities:
        for m in entity.mentions:
            if m.kind == "name":
                by_sentence.setdefault(m.sentence, []).append((m, entity.type))
    readings = [_read(s, article.text, by_sentence) for s in readable]
    if tagger is not None:
        layers = tagger.encoder_layers
        # marginals where the lexicon has an ACE-typed phrase the tagger may have left out
        wanted = {i for i, r in enumerate(readings)
                  if any(h.entry.ace_type and not h.entry.blocker for h in r.hits)}  # fmt: skip
        for r in readings:
            r.clues = triggers.trigger_clues(r.tokens, r.names, r.words, r.hits)
        tagged = tagger.tag_with_marginals(
            [(select_layers(r.vectors, layers), r.clues) for r in readings], wanted
        )
    else:  # without the (CC BY-NC) tagger model, the lexicon alone
        tagged = [([], np.zeros((len(r.tokens), 1), np.float32)) for r in readings]
    check_time()
    refs = sentence_refs(entities)
    frames = {r.sentence.index: find_frame(r.sentence, refs.get(r.sentence.index, []))
              for r in readings}  # fmt: skip
    candidates = []
    for reading, (found, sure) in zip(readings, tagged, strict=True):
        frame = frames[reading.sentence.index]
        for c in _candidates(reading, found, sure):
            # A speech verb that frames the sentence is attribution, not a statement event.
            if frame is not None and (
                c.start <= frame.verb_start < c.end
                or ((c.cameo or "").startswith("01") and frame.verb_start <= c.start < frame.end)
            ):
                continue
            candidates.append(c)
    _classify(candidates)
    candidates = [c for c in candidates if c.realis in realis.EVENT_LABELS]
    if role_tagger is not None:
        _tag_roles(candidates, role_tagger, role_tagger.encoder_layers)
    check_time()
    resolver = ActorResolver(entities)
    events: list[Event] = []
    by_reading: dict[int, list[_Candidate]] = {}
    for c in candidates:
        by_reading.setdefault(c.reading.sentence.index, []).append(c)
    for reading in readings:
        sentence = reading.sentence
        found = by_reading.get(sentence.index, [])
        if not found:
            continue
        frame = frames[sentence.index]
        dates = find_dates(sentence.text, article.published)
        spans = [(sentence.start + s, sentence.start + e) for s, e, _ in dates]
        quantities = find_quantities(sentence.text, sentence.start, sentence.tokens, spans)
        sentence_events = [_event(article, c, frame, dates, resolver) for c in found]
        attach_quantities(sentence_events, quantities)
        events.extend(sentence_events)
    return events


def _actor(c: _Candidate, role: str, resolver: ActorResolver, frame: Frame | None) -> Actor | None:
    span = _nearest(c, role)
    if span is None:
        return None
    syllables, text = c.reading.sentence.syllables, c.reading.sentence
    start, end = syllables[span.first][0], syllables[span.last - 1][1]
    phrase = text.text[start - text.start : end - text.start]
    speaker = frame.attribution.speaker if frame is not None else None
    return resolver.resolve(phrase, start, end, span.label, speaker)


def _event(
    article: Article,
    c: _Candidate,
    frame: Frame | None,
    dates: list[tuple[int, int, str]],
    resolver: ActorResolver,
) -> Event:
    sentence = c.reading.sentence
    start, end = c.start, c.end
    source = _actor(c, "source", resolver, frame)
    target = _actor(c, "target", resolver, frame)
    location = _actor(c, "location", resolver, frame) or resolver.place_of(
        sentence.text, sentence.start, start, end
    )
    if source is None and c.ace_type is None:
        # The argument tagger learned BKEE's types; for the lexicon's CAMEO-only actions
        # (statements, appeals, consultations, ...) the clause's named subject is the source.
        source = resolver.subject_of(sentence.text, sentence.start, start, [target, location])
    code = c.cameo
    if code is None and c.cameo_with_agent and source is not None:
        code = c.cameo_with_agent  # "X bị Y giết": a killing with a perpetrator is an assault
    if (
        source is not None
        and target is not None
        and source.entity
        and source.entity == target.entity
    ):
        target = None
    resolver.acted(source)
    covered = frame is not None and frame.covers(start)
    before = sentence.text[: start - sentence.start]
    certainty = realis.certainty(
        c.realis, before, sentence.text,
        hearsay=is_hearsay(before) or (covered and frame.anonymous),
        statement=(code or "").startswith(("01", "04")),
    )  # fmt: skip
    if sentence.is_title and article.title and article.title.rstrip().endswith("?"):
        certainty = "question"
    info = cameo(code) if code else None
    rel_start, rel_end = start - sentence.start, end - sentence.start
    return Event(
        id=_event_id(article.id, sentence.index, start, code),
        sentence=sentence.index,
        trigger=Span(article.text[start:end], start, end),
        type=c.ace_type,
        cameo=code,
        plover=info.plover if info else None,
        source=source,
        target=target,
        location=location,
        date=event_date(sentence.text, dates, rel_start, rel_end),
        attribution=frame.attribution if covered else None,
        certainty=certainty,
        cameo_label=info.label if info else None,
        quad_class=info.quad_class if info else None,
        goldstein=info.goldstein if info else None,
        realis=c.realis,
        confidence=round(c.confidence * c.event_probability, 3),
    )
