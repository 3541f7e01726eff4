"""The event stage: each sentence's events, coded in CAMEO and PLOVER, with their evidence.

For an article whose sentences carry the shared encoder's vectors:

1. triggers: the learned tagger (:mod:`.triggers`) reads each sentence once; its first CRF
   marks BKEE's ACE event types, its second the CAMEO roots of interactions between actors
   (statements, appeals, demands, criticism, meetings, aid, arrests, attacks, ...), learned
   from the project's dyad corpus, which also taught it what to refuse (accidents, prices,
   sports, nouns). An ACE event the second CRF left out is a CAMEO event only when the CRF
   gives it at least :data:`CAMEO_FLOOR`; otherwise it keeps its ACE type and no CAMEO code;
2. the full CAMEO code under the root (:mod:`.coding`), the lexicon's code being one clue;
3. realis: every candidate is classed (:mod:`.realis`); generic statements and non-events are
   dropped, the rest get a certainty;
4. arguments: the argument tagger reads the whole sentence from each trigger
   (:mod:`.arguments`) and each phrase becomes an actor (:mod:`.actors`), back-references
   resolved within the article; the speaker (:mod:`.attribution`) frames reported events;
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
from .coding import default_coder
from .dates import event_date, find_dates
from .english import english_line
from .lexicon import LexiconHit, find_phrases
from .quantities import attach_quantities, find_quantities
from .types import COARSE_ROLES

__all__ = ["extract_events", "extract_events_many"]

# An ACE event the CAMEO layer did not mark still gets a CAMEO root when the layer's
# probability that one of its syllables is part of a CAMEO trigger reaches this. Chosen on the
# dyad corpus's dev articles (entirely right 41.9 / 43.1 / 44.1 / 44.3% at 0.1 / 0.3 / 0.5 /
# never): the layer seldom leaves out a real interaction that the ACE layer finds.
CAMEO_FLOOR = 0.5
_CAMEO = "CAMEO"


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
    root: str | None
    confidence: float
    code: str | None = None
    realis: str = "actual"
    event_probability: float = 1.0
    roles: list[Tagged] = field(default_factory=list)
    fine: list[Tagged] = field(default_factory=list)

    @property
    def start(self) -> int:
        return self.reading.sentence.syllables[self.first][0]

    @property
    def end(self) -> int:
        return self.reading.sentence.syllables[self.last - 1][1]

    def lexicon_code(self) -> str | None:
        for hit in self.reading.hits:
            if hit.first < self.last and self.first < hit.last and hit.entry.cameo:
                return hit.entry.cameo
        return None


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


def _cameo_root(sure: np.ndarray, labels: list[str], first: int, last: int) -> tuple[str, float]:
    """The CAMEO root the second CRF's marginals ``sure`` (n, labels) favour over syllables
    ``first``..``last``, and the probability that some syllable there is part of one."""
    span = sure[first:last]
    roots: dict[str, float] = {}
    for k, label in enumerate(labels):
        kind = label.partition("-")[2]
        if kind.startswith(_CAMEO):
            root = kind[len(_CAMEO) :]
            roots[root] = roots.get(root, 0.0) + float(span[:, k].sum())
    best = max(roots, key=roots.__getitem__)
    inside = float(1 - span[:, labels.index("O")].min())
    return best, inside


def _snap(reading: _Reading, first: int, last: int) -> tuple[int, int]:
    """Syllables ``first``..``last`` widened to whole words: a trigger never cuts a word the
    segmenter joined ("ký hiệp" of "ký hiệp định" is "ký hiệp định")."""
    syllables = reading.sentence.syllables
    start, end = syllables[first][0], syllables[last - 1][1]
    text = reading.sentence.text
    offset = reading.sentence.start
    for token in reading.sentence.tokens:
        if any(c.isupper() for c in text[token.start - offset : token.end - offset]):
            continue  # the segmenter sometimes joins a name to its verb ("Bình công du")
        if token.start < start < token.end:
            start = token.start
        if token.start < end < token.end:
            end = token.end
    while first > 0 and syllables[first][0] > start:
        first -= 1
    while last < len(syllables) and syllables[last - 1][1] < end:
        last += 1
    return first, last


def _candidates(
    reading: _Reading, ace: tuple[list[Tagged], np.ndarray],
    cameo_layer: tuple[list[Tagged], np.ndarray], labels: list[str],
) -> list[_Candidate]:  # fmt: skip
    """Candidates of one sentence from the tagger's two layers: a CAMEO run (with the ACE
    type of an ACE run it overlaps, whose span it takes), an ACE run alone (a CAMEO root when
    the CAMEO layer is sure enough of it)."""
    found, taken = [], set()
    for run in cameo_layer[0]:
        root = run.label[len(_CAMEO) :]
        overlap = next((k for k, a in enumerate(ace[0])
                        if k not in taken and a.first < run.last and run.first < a.last), None)  # fmt: skip
        if overlap is None:
            first, last = _snap(reading, run.first, run.last)
            found.append(_Candidate(reading, first, last, None, root, run.confidence))
            continue
        taken.add(overlap)
        a = ace[0][overlap]
        found.append(_Candidate(reading, a.first, a.last, a.label, root,
                                max(a.confidence, run.confidence)))  # fmt: skip
    for k, a in enumerate(ace[0]):
        if k in taken:
            continue
        root = None
        if len(cameo_layer[1]):
            best, inside = _cameo_root(cameo_layer[1], labels, a.first, a.last)
            root = best if inside >= CAMEO_FLOOR else None
        found.append(_Candidate(reading, a.first, a.last, a.label, root, a.confidence))
    return sorted(found, key=lambda c: c.first)


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


def _code(candidates: list[_Candidate]) -> None:
    """The full CAMEO code of each candidate with a root."""
    rooted = [c for c in candidates if c.root]
    coder = default_coder()
    if coder is None:
        for c in rooted:
            lexicon = c.lexicon_code()
            c.code = lexicon if lexicon and lexicon[:2] == c.root else c.root + "0"
        return
    vectors = (
        np.stack([c.reading.vectors[c.first : c.last].mean(axis=0) for c in rooted])
        if rooted
        else None
    )
    codes = coder.code(vectors, [c.root for c in rooted], [c.lexicon_code() for c in rooted])
    for c, code in zip(rooted, codes, strict=True):
        c.code = code


def _tag_roles(candidates: list[_Candidate], tagger: SequenceTagger, layers: tuple) -> None:
    batch = [
        (
            select_layers(c.reading.vectors, layers),
            arguments.argument_clues(c.reading.tokens, c.reading.names, c.reading.words,
                                     (c.first, c.last), c.ace_type, c.root, c.reading.clues),
        )
        for c in candidates
    ]  # fmt: skip
    # with confidences: of several runs of one role the surest is kept (_chosen)
    found = tagger.tag_layers(batch, set(), confidence=True)
    for c, per_layer in zip(candidates, found, strict=True):
        c.roles = per_layer[0][0]
        c.fine = per_layer[1][0] if len(per_layer) > 1 else []


def _chosen(c: _Candidate, role: str) -> Tagged | None:
    """The run of ``role`` the tagger is surest of; of equally sure ones, the nearest."""
    spans = [r for r in c.roles if r.label == role]
    if not spans:
        return None
    return min(spans, key=lambda r: (-round(r.confidence, 2),
               r.first - c.last if r.first >= c.last else c.first - r.last))  # fmt: skip


def _event_id(article_id: str, sentence: int, start: int, code: str | None) -> str:
    digest = hashlib.sha256(f"{article_id}:{sentence}:{start}:{code}".encode()).hexdigest()
    return "e" + digest[:16]


def extract_events(
    article: Article, sentences: list[Sentence], entities: list[Entity]
) -> list[Event]:
    """Events of an article, in text order."""
    return extract_events_many([(article, sentences, entities)])[0]


def extract_events_many(
    articles: list[tuple[Article, list[Sentence], list[Entity]]],
) -> list[list[Event]]:
    """:func:`extract_events` for several (article, sentences, entities): the two taggers
    read the sentences of all of them in shared batches (a sentence's runs do not depend on
    the others in its batch); everything else is done article by article."""
    tagger, role_tagger = triggers.default_tagger(), arguments.default_tagger()
    readings = [_readings(*a) for a in articles]
    candidates: list[list[_Candidate]] = [[] for _ in articles]
    if tagger is not None:
        flat = [(k, r) for k, rs in enumerate(readings) for r in rs]
        batch = [(select_layers(r.vectors, tagger.encoder_layers), r.clues) for _, r in flat]
        for (k, reading), per_layer in zip(flat, tagger.tag_layers(batch, set()), strict=True):
            second = per_layer[1] if len(per_layer) > 1 else ([], np.zeros((0, 0)))
            candidates[k] += _candidates(reading, per_layer[0], second, tagger.layer_labels[-1])
    else:  # without the (CC BY-NC) tagger model: the lexicon's coded phrases alone
        candidates = [
            [_Candidate(r, h.first, h.last, h.entry.ace_type, h.entry.cameo[:2], 1.0)
             for r in rs for h in r.hits if h.entry.cameo]
            for rs in readings
        ]  # fmt: skip
    check_time()
    for k, found in enumerate(candidates):
        _classify(found)
        candidates[k] = [c for c in found if c.realis in realis.EVENT_LABELS]
        _code(candidates[k])
    every = [c for found in candidates for c in found]
    if role_tagger is not None and every:
        _tag_roles(every, role_tagger, role_tagger.encoder_layers)
    check_time()
    return [
        _events(article, entities, rs, found)
        for (article, _, entities), rs, found in zip(articles, readings, candidates, strict=True)
    ]


def _readings(
    article: Article, sentences: list[Sentence], entities: list[Entity]
) -> list[_Reading]:
    """What the heads read of each sentence of an article that has vectors."""
    by_sentence: dict[int, list] = {}
    for entity in entities:
        for m in entity.mentions:
            if m.kind == "name":
                by_sentence.setdefault(m.sentence, []).append((m, entity.type))
    readings = [
        _read(s, article.text, by_sentence)
        for s in sentences
        if s.vectors is not None and s.syllables
    ]
    for r in readings:
        r.clues = triggers.trigger_clues(r.tokens, r.names, r.words, r.hits)
    return readings


def _events(
    article: Article, entities: list[Entity], readings: list[_Reading], candidates: list[_Candidate]
) -> list[Event]:
    """An article's events from its candidates, whose roles are tagged."""
    if not readings:
        return []
    refs = sentence_refs(entities)
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
        frame = find_frame(sentence, refs.get(sentence.index, []))
        dates = find_dates(sentence.text, article.published)
        spans = [(sentence.start + s, sentence.start + e) for s, e, _ in dates]
        quantities = find_quantities(sentence.text, sentence.start, sentence.tokens, spans)
        sentence_events = [_event(article, c, frame, dates, resolver) for c in found]
        attach_quantities(sentence_events, quantities)
        events.extend(sentence_events)
    names = {entity.id: entity.name for entity in entities}
    for event in events:
        event.en = english_line(event.to_dict(), names)
    return events


def _actor(c: _Candidate, role: str, resolver: ActorResolver, frame: Frame | None) -> Actor | None:
    span = _chosen(c, role)
    if span is None:
        return None
    syllables, text = c.reading.sentence.syllables, c.reading.sentence
    start, end = syllables[span.first][0], syllables[span.last - 1][1]
    phrase = text.text[start - text.start : end - text.start]
    speaker = frame.attribution.speaker if frame is not None else None
    fine = next((f.label for f in c.fine if f.first < span.last and span.first < f.last), None)
    return resolver.resolve(phrase, start, end, fine or role, speaker)


def _event(
    article: Article,
    c: _Candidate,
    frame: Frame | None,
    dates: list[tuple[int, int, str]],
    resolver: ActorResolver,
) -> Event:
    sentence = c.reading.sentence
    start, end = c.start, c.end
    source, target, location = (_actor(c, role, resolver, frame) for role in COARSE_ROLES)
    location = location or resolver.place_of(sentence.text, sentence.start, start, end)
    code = c.code
    if source is None and code is not None:
        # no source phrase in the sentence: the clause's named subject, when one stands
        # before the trigger with no passive marker between
        source = resolver.subject_of(sentence.text, sentence.start, start, [target, location])
    if (
        source is not None
        and target is not None
        and source.entity
        and source.entity == target.entity
    ):
        target = None
    resolver.acted(source)
    covered = frame is not None and frame.covers(start)
    # the speech verb that frames the sentence is a statement event of its own (CAMEO 01,
    # "cho biết"): who says so is its speaker, as for the content it frames
    saying = frame is not None and start <= frame.verb_start < end
    before = sentence.text[: start - sentence.start]
    certainty = realis.certainty(
        c.realis, before, sentence.text,
        hearsay=is_hearsay(before) or ((covered or saying) and frame.anonymous),
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
        attribution=frame.attribution if covered or saying else None,
        certainty=certainty,
        cameo_label=info.label if info else None,
        quad_class=info.quad_class if info else None,
        goldstein=info.goldstein if info else None,
        realis=c.realis,
        confidence=round(c.confidence * c.event_probability, 3),
    )
