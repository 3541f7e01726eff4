"""Certainty and attribution evaluation against hand-annotated VNTC sentences.

The gold file (``tests/gold/certainty_attribution.jsonl``, guidelines in
``tests/gold/README_certainty.md``) holds one sentence per line with the article id, the
main event trigger, its certainty and who says so (speaker, via). Each gold article is run
through thoisu the way ``thoisu ingest`` reads a JSON Lines corpus; the gold sentence is
located in ``article.text``, the event whose trigger overlaps the gold trigger is taken (else
the first event inside the sentence) and its certainty, speaker and via are compared with the
gold ones. A majority-class baseline ("asserted", no speaker, no via) is scored the same way.

``sample_candidates`` is the reproducible sampler that proposed the sentences annotated.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import GOLD_DIR

__all__ = [
    "CERTAINTIES",
    "GOLD_PATH",
    "VNTC_PATH",
    "GoldItem",
    "Prediction",
    "Scores",
    "baseline",
    "evaluate",
    "gold_problems",
    "load_articles",
    "load_gold",
    "normalise",
    "predict",
    "sample_candidates",
    "score",
    "speaker_match",
]

CERTAINTIES = ("asserted", "reported", "possible", "negated", "question")
REPO = Path(__file__).resolve().parents[3]
GOLD_PATH = GOLD_DIR / "certainty_attribution.jsonl"
VNTC_PATH = REPO.parent / "shared" / "data" / "vntc" / "vntc_sample.jsonl.gz"
CATEGORIES = ("Thế giới", "Chính trị - Xã hội")
SEED = 20250
_FIELDS = ("article_id", "sentence", "trigger", "certainty", "speaker", "via")


@dataclass(frozen=True, slots=True)
class GoldItem:
    """One annotated sentence."""

    article_id: str
    sentence: str
    trigger: str
    certainty: str
    speaker: str | None
    via: str | None
    note: str | None = None

    @classmethod
    def from_dict(cls, obj: dict[str, Any]) -> GoldItem:
        return cls(
            obj["article_id"],
            obj["sentence"],
            obj["trigger"],
            obj["certainty"],
            obj.get("speaker"),
            obj.get("via"),
            obj.get("note"),
        )


@dataclass(slots=True)
class Prediction:
    """What thoisu said about one gold sentence; ``found`` is False when it gave no event."""

    gold: GoldItem
    found: bool
    certainty: str | None = None
    speaker: str | None = None
    via: str | None = None
    trigger: str | None = None
    trigger_matched: bool = False  # the event's trigger overlaps the gold trigger


@dataclass(slots=True)
class Scores:
    """Accuracies over the sentences with an event (``covered``) and a confusion matrix."""

    total: int = 0
    covered: int = 0
    certainty_correct: int = 0
    speaker_correct: int = 0
    via_correct: int = 0
    speaker_correct_all: int = 0  # over every gold sentence: no event = no speaker
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)  # (gold, predicted)

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return a / b if b else 0.0

    @property
    def coverage(self) -> float:
        return self._ratio(self.covered, self.total)

    @property
    def certainty_accuracy(self) -> float:
        return self._ratio(self.certainty_correct, self.covered)

    @property
    def speaker_accuracy(self) -> float:
        return self._ratio(self.speaker_correct, self.covered)

    @property
    def via_accuracy(self) -> float:
        return self._ratio(self.via_correct, self.covered)

    @property
    def speaker_accuracy_all(self) -> float:
        return self._ratio(self.speaker_correct_all, self.total)


# --- gold file ------------------------------------------------------------------------


def gold_problems(obj: Any) -> list[str]:
    """What is wrong with one gold record (empty when it is well-formed)."""
    if not isinstance(obj, dict):
        return ["not a JSON object"]
    problems = [f"missing field {f!r}" for f in _FIELDS if f not in obj]
    for f in ("article_id", "sentence", "trigger"):
        if not isinstance(obj.get(f), str) or not obj.get(f, "").strip():
            problems.append(f"{f!r} must be a non-empty string")
    for f in ("speaker", "via", "note"):
        value = obj.get(f)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            problems.append(f"{f!r} must be null or a non-empty string")
    if obj.get("certainty") not in CERTAINTIES:
        problems.append(f"certainty {obj.get('certainty')!r} not in {CERTAINTIES}")
    sentence, trigger = obj.get("sentence"), obj.get("trigger")
    if isinstance(sentence, str) and unicodedata.normalize("NFC", sentence) != sentence:
        problems.append("sentence is not NFC")
    if isinstance(sentence, str) and isinstance(trigger, str) and trigger not in sentence:
        problems.append("trigger not in sentence")
    if obj.get("via") is not None and obj.get("speaker") is None:
        problems.append("via without speaker")
    return problems


def load_gold(path: Path = GOLD_PATH) -> list[GoldItem]:
    """The gold sentences; raises ``ValueError`` naming the line of a malformed record."""
    items = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            obj = json.loads(line)
            problems = gold_problems(obj)
            if problems:
                raise ValueError(f"{path}:{n}: {'; '.join(problems)}")
            items.append(GoldItem.from_dict(obj))
    return items


def _read_vntc(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


def load_articles(ids: Iterable[str], path: Path = VNTC_PATH) -> dict[str, dict[str, Any]]:
    """VNTC records by id, for the ids asked (one pass over the corpus)."""
    wanted = set(ids)
    found: dict[str, dict[str, Any]] = {}
    for obj in _read_vntc(path):
        if obj.get("id") in wanted:
            found[obj["id"]] = obj
            if len(found) == len(wanted):
                break
    return found


# --- the sampler that proposed the sentences --------------------------------------------

_EVENT_WORDS = re.compile(
    r"(?<!\w)(tấn công|gặp gỡ|gặp|hội đàm|hội kiến|đàm phán|bắt giữ|bị bắt|bắt cóc|biểu tình|"
    r"ủng hộ|chỉ trích|ký|thăm|yêu cầu|đe dọa|đe doạ|phản đối|kêu gọi|rút quân|triển khai|"
    r"trừng phạt|cáo buộc|bác bỏ|bắn|giết|đánh bom|đụng độ|phóng thích|trả tự do|bổ nhiệm|"
    r"từ chức|viện trợ|trục xuất|xâm lược|đột kích|cảnh báo|điều tra|xét xử|kết án|ném bom|"
    r"không kích|lên án|ngừng bắn|đầu hàng|đổ bộ|bầu|hợp tác|thả)(?!\w)",
    re.I,
)
_BUCKETS = (
    (
        "via",
        re.compile(
            r"(?<!\w)(nói với|trả lời phỏng vấn|dẫn lời|trích lời)(?!\w)|(Reuters|AFP|AP|BBC|CNN)(?!\w)"
        ),
    ),
    ("question", re.compile(r"\?\s*$")),
    (
        "reported",
        re.compile(
            r"(?<!\w)(được cho là|bị cho là|nguồn tin|nghe nói|được biết|có tin)(?!\w)", re.I
        ),
    ),
    ("possible", re.compile(r"(?<!\w)(có thể|dường như|dự kiến|có khả năng|có lẽ)(?!\w)", re.I)),
    ("negated", re.compile(r"(?<!\w)(không|chưa|chẳng)(?!\w)", re.I)),
    (
        "frame",
        re.compile(
            r"(?<!\w)(cho biết|cho hay|nói với|nói rằng|tuyên bố|khẳng định|^Theo )|\W(nói|cho biết)\.$",
            re.I,
        ),
    ),
    ("plain", re.compile(r".")),
)
# The first pass; a second pass, ``VIA_QUOTAS``, added sentences with an intermediary.
VIA_QUOTAS = {"via": 8}
QUOTAS = {"question": 8, "reported": 14, "possible": 16, "negated": 16, "frame": 20, "plain": 16}
_SPLIT = re.compile(r"(?<=[.!?\"”])\s+(?=[\"“A-ZĐÀ-Ỹ])")


def _candidate_sentences(record: dict[str, Any]) -> Iterator[tuple[bool, str]]:
    """(is_title, sentence) with a naive splitter: paragraphs, then '. ' before a capital."""
    title = (record.get("title") or "").strip()
    if title:
        yield True, unicodedata.normalize("NFC", title)
    for para in (record.get("body") or "").split("\n"):
        for sent in _SPLIT.split(para.strip()):
            if sent.strip():
                yield False, unicodedata.normalize("NFC", sent.strip())


def sample_candidates(
    path: Path = VNTC_PATH, seed: int = SEED, quotas: dict[str, int] | None = None
) -> list[tuple[str, str, str]]:
    """Candidate (bucket, article id, sentence) triples, reproducible for a seed.

    Articles of the two categories are sorted by id and shuffled with ``seed``; in that order,
    at most two sentences per article that contain an event word are taken, each filed
    under the first phenomenon it shows (question headline, hearsay, hedge, negation,
    attribution frame, plain) until every bucket's quota is met.
    """
    quotas = dict(quotas or QUOTAS)
    records = sorted(
        (r for r in _read_vntc(path) if r.get("category") in CATEGORIES), key=lambda r: r["id"]
    )
    random.Random(seed).shuffle(records)
    taken: dict[str, list[tuple[str, str, str]]] = {k: [] for k in quotas}
    for record in records:
        if all(len(taken[k]) >= quotas[k] for k in quotas):
            break
        per_article = 0
        for is_title, sent in _candidate_sentences(record):
            if not 20 <= len(sent) <= 300 or not _EVENT_WORDS.search(sent):
                continue
            bucket = next(
                (name for name, rx in _BUCKETS if name in quotas and rx.search(sent)), None
            )
            if bucket is None:
                continue
            if (bucket == "question" and not is_title) or len(taken[bucket]) >= quotas[bucket]:
                continue
            taken[bucket].append((bucket, record["id"], sent))
            per_article += 1
            if per_article >= 2:
                break
    return [c for k in quotas for c in taken[k]]


# --- running thoisu ----------------------------------------------------------------------


def normalise(text: str | None) -> str:
    """Comparable form: NFC, one tone convention, lower case, punctuation and spaces tidied."""
    from ..clean import normalize_tones

    if not text:
        return ""
    text = normalize_tones(unicodedata.normalize("NFC", text)).lower()
    text = re.sub(r"[^\w\s-]", " ", text)
    return " ".join(text.split())


def _contains(longer: str, shorter: str) -> bool:
    return bool(shorter) and re.search(rf"(?<!\w){re.escape(shorter)}(?!\w)", longer) is not None


def speaker_match(gold: str | None, predicted: str | None) -> bool:
    """Equal after normalisation; for a named gold speaker (capitalised), one containing the
    other as whole words also counts; null == null."""
    if gold is None or predicted is None:
        return gold is None and predicted is None
    g, p = normalise(gold), normalise(predicted)
    if g == p:
        return True
    named = gold.strip()[:1].isupper()
    return named and (_contains(g, p) or _contains(p, g))


def _locate(text: str, sentence: str) -> tuple[int, int] | None:
    """Span of the gold sentence in ``article.text`` (cleaned text), or None."""
    from ..clean import normalize_text

    target = normalize_text(sentence)
    at = text.find(target)
    if at >= 0:
        return at, at + len(target)
    # Whitespace differences: match on a regex with flexible spaces.
    pattern = r"\s+".join(re.escape(w) for w in target.split())
    m = re.search(pattern, text)
    return (m.start(), m.end()) if m else None


def _analyse(record: dict[str, Any]) -> Any:
    """Analyse a VNTC record the way ``thoisu ingest`` reads a JSON Lines corpus."""
    from ..ingest.formats import record_to_raw
    from ..pipeline import analyze_document
    from ..records import IngestError

    raw = record_to_raw(record, f"vntc:{record['id']}")
    if isinstance(raw, IngestError):
        raise ValueError(str(raw))
    return analyze_document(raw)


def predict(items: list[GoldItem], articles: dict[str, dict[str, Any]]) -> list[Prediction]:
    """Run thoisu on the articles of ``items`` (once each) and pick the event of each item."""
    from ..clean import normalize_text

    analyses: dict[str, Any] = {}
    predictions = []
    for item in items:
        if item.article_id not in analyses:
            analyses[item.article_id] = _analyse(articles[item.article_id])
        analysis = analyses[item.article_id]
        span = _locate(analysis.article.text, item.sentence)
        if span is None:
            predictions.append(Prediction(item, False))
            continue
        start, end = span
        trig = normalize_text(item.trigger)
        t_at = analysis.article.text.find(trig, start, end)
        t_start, t_end = (t_at, t_at + len(trig)) if t_at >= 0 else (start, start)
        inside = [e for e in analysis.events if start <= e.trigger.start and e.trigger.end <= end]
        overlapping = [e for e in inside if e.trigger.start < t_end and t_start < e.trigger.end]
        event = (overlapping or inside or [None])[0]
        if event is None:
            predictions.append(Prediction(item, False))
            continue
        att = event.attribution
        predictions.append(
            Prediction(
                item,
                True,
                event.certainty,
                att.speaker.text if att and att.speaker else None,
                att.via.text if att and att.via else None,
                event.trigger.text,
                bool(overlapping),
            )
        )
    return predictions


def score(predictions: Iterable[Prediction]) -> Scores:
    """Accuracies (over sentences with an event) and the certainty confusion matrix."""
    s = Scores()
    for p in predictions:
        s.total += 1
        g = p.gold
        if not p.found:
            s.speaker_correct_all += g.speaker is None
            continue
        s.covered += 1
        s.certainty_correct += p.certainty == g.certainty
        ok = speaker_match(g.speaker, p.speaker)
        s.speaker_correct += ok
        s.speaker_correct_all += ok
        s.via_correct += speaker_match(g.via, p.via)
        s.confusion[(g.certainty, p.certainty or "")] += 1
    return s


def baseline(predictions: Iterable[Prediction]) -> list[Prediction]:
    """Majority class for the same sentences: "asserted", no speaker, no via; same coverage."""
    return [Prediction(p.gold, p.found, "asserted" if p.found else None) for p in predictions]


def evaluate(
    gold_path: Path = GOLD_PATH, vntc_path: Path = VNTC_PATH
) -> tuple[list[Prediction], Scores, Scores]:
    """Predictions, thoisu's scores and the baseline's scores for the gold file."""
    items = load_gold(gold_path)
    articles = load_articles({i.article_id for i in items}, vntc_path)
    missing = {i.article_id for i in items} - articles.keys()
    if missing:
        raise ValueError(f"articles not in {vntc_path}: {sorted(missing)}")
    predictions = predict(items, articles)
    return predictions, score(predictions), score(baseline(predictions))
